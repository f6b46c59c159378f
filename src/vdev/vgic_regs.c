/* The vGIC register accessors that the region tables of every frame call
 * (vgic_mmio.h: GICv3 distributor and SGI_base, GICv2 distributor): the
 * per-interrupt bit, priority, configuration and target registers, the
 * distributor's group enables and the identification registers, each a
 * read or a write of the interrupt state that vgic_core.c keeps. Callers
 * hold the vGIC lock (the decoder takes it); a write collects in *kick
 * the vCPUs that must look at their list registers again. */
#include "vdev/vgic.h"

/* GICD_CTLR group enables (GICv3 with DS = 1, GICv2 without Security
 * Extensions) */
#define GICD_CTLR_ENABLE_GRP0       (1u << 0)
#define GICD_CTLR_ENABLE_GRP1       (1u << 1)

/* Identification registers, offsets within their 4 KiB page */
#define GIC_PIDR2_PAGE_OFF          0xfe8u
#define GIC_PIDR2_ARCHREV_SHIFT     4                   /* [7:4] */
#define GIC_CIDR0_PAGE_OFF          0xff0u

/* ISPENDR of a forwarded level interrupt: its pending state is the
 * physical line's (as on a GIC, also while active), or the guest's own
 * ISPENDR latch. The vGIC's latch only says an edge was acknowledged at
 * EL2 and may be stale: a timer disabled or re-armed since is not
 * pending. Where the line cannot be read (a vCPU not loaded here), the
 * vGIC's state is all there is. */
static bool vgic_pending_read(struct vgic *v, unsigned bank, const struct vgic_irq *irq)
{
    bool level;

    if (irq->hw && !irq->edge && irq->intid < VGIC_NR_PRIVATE_IRQS &&
        vgic_hw_line_level(v, bank, irq->intid, &level))
        return level || irq->pending_soft;
    return vgic_irq_is_pending(irq);
}

/* The interrupts of one bit register (first_intid a multiple of 32): all
 * private ones of bank or all SPIs, consecutive in the vGIC; *n of them
 * exist. One lookup per register, not one per interrupt: these loops run
 * on a guest's every GICD/GICR bit-register access (and a guest
 * hypervisor's for its guest). */
static struct vgic_irq *irq_block(struct vgic *v, unsigned bank, uint32_t first_intid, unsigned *n)
{
    uint32_t spi = first_intid - VGIC_SPI_BASE;

    *n = 0;
    if (first_intid % 32u)
        return 0;
    if (first_intid < VGIC_NR_PRIVATE_IRQS) {
        if (bank >= v->nr_vcpus)
            return 0;
        *n = VGIC_NR_PRIVATE_IRQS;
        return v->vcpu[bank].priv;
    }
    if (spi >= v->nr_spis)
        return 0;
    *n = v->nr_spis - spi < 32u ? v->nr_spis - spi : 32u;
    return &v->spi[spi];
}

uint32_t vgic_bitreg_read(struct vgic *v, unsigned bank, uint32_t first_intid,
                          enum vgic_bitreg reg)
{
    uint32_t val = 0;
    unsigned n;
    const struct vgic_irq *block = irq_block(v, bank, first_intid, &n);

    for (unsigned i = 0; i < n; i++) {
        const struct vgic_irq *irq = &block[i];
        bool bit = false;

        switch (reg) {
        case VGIC_BITREG_GROUP:
            bit = irq->group1;
            break;
        case VGIC_BITREG_SET_ENABLE:
        case VGIC_BITREG_CLEAR_ENABLE:
            bit = irq->enabled;
            break;
        case VGIC_BITREG_SET_PENDING:
        case VGIC_BITREG_CLEAR_PENDING:
            bit = vgic_pending_read(v, bank, irq);
            break;
        case VGIC_BITREG_SET_ACTIVE:
        case VGIC_BITREG_CLEAR_ACTIVE:
            bit = irq->active;
            break;
        }
        val |= (uint32_t)bit << i;
    }
    return val;
}

void vgic_bitreg_write(struct vgic *v, unsigned bank, unsigned caller, uint32_t first_intid,
                       enum vgic_bitreg reg, uint32_t val, uint32_t *kick)
{
    unsigned n;
    struct vgic_irq *block = irq_block(v, bank, first_intid, &n);
    /* Only IGROUPR is a plain register; the rest act on written ones. */
    uint32_t todo = reg == VGIC_BITREG_GROUP ? ~0u : val;

    if (n < 32u)
        todo &= (1u << n) - 1u;
    for (; todo; todo &= todo - 1u) {
        unsigned i = (unsigned)__builtin_ctz(todo);
        struct vgic_irq *irq = &block[i];
        bool bit = (val >> i) & 1u;
        bool in_lr;

        in_lr = irq->lr_owner != VGIC_NONE8;
        switch (reg) {
        case VGIC_BITREG_GROUP:
            if (irq->group1 == bit)
                continue;
            irq->group1 = bit;
            break;
        case VGIC_BITREG_SET_ENABLE:
            irq->enabled = true;
            break;
        case VGIC_BITREG_CLEAR_ENABLE:
            irq->enabled = false;
            break;
        case VGIC_BITREG_SET_PENDING:
        case VGIC_BITREG_CLEAR_PENDING:
            irq->pending_latch = reg == VGIC_BITREG_SET_PENDING;
            irq->pending_soft = irq->pending_latch && irq->hw;
            irq->pending_written |= in_lr;
            vgic_note_hw_write(v, irq, bank, caller, kick);
            break;
        case VGIC_BITREG_SET_ACTIVE:
        case VGIC_BITREG_CLEAR_ACTIVE:
            irq->active = reg == VGIC_BITREG_SET_ACTIVE;
            irq->active_vcpu = VGIC_NONE8;
            irq->active_written |= in_lr;
            vgic_note_hw_write(v, irq, bank, caller, kick);
            break;
        }
        vgic_note_change(v, irq, caller, kick);
    }
}

uint8_t vgic_itargets_read(struct vgic *v, uint32_t intid)
{
    const struct vgic_irq *irq = intid >= VGIC_SPI_BASE ? vgic_get_irq(v, 0, intid) : 0;

    return irq ? irq->itargets : 0;
}

void vgic_itargets_write(struct vgic *v, unsigned caller, uint32_t intid, uint8_t targets,
                         uint32_t *kick)
{
    struct vgic_irq *irq = intid >= VGIC_SPI_BASE ? vgic_get_irq(v, 0, intid) : 0;

    if (!irq)
        return;
    irq->itargets = (uint8_t)(targets & vgic_vcpu_mask(v));
    vgic_note_change(v, irq, caller, kick);
}

uint8_t vgic_prio_read(struct vgic *v, unsigned bank, uint32_t intid)
{
    const struct vgic_irq *irq = vgic_get_irq(v, bank, intid);

    return irq ? irq->priority : 0;
}

void vgic_prio_write(struct vgic *v, unsigned bank, unsigned caller, uint32_t intid,
                     uint8_t prio, uint32_t *kick)
{
    struct vgic_irq *irq = vgic_get_irq(v, bank, intid);

    if (!irq)
        return;
    irq->priority = prio & VGIC_PRIO_MASK;
    vgic_note_change(v, irq, caller, kick);
}

uint32_t vgic_idreg_read(uint64_t off, unsigned arch_rev)
{
    /* CoreSight component identification preamble, CIDR0..CIDR3. */
    static const uint8_t cidr[4] = { 0x0d, 0xf0, 0x05, 0xb1 };
    uint64_t page_off = off & 0xfffu;

    if (page_off == GIC_PIDR2_PAGE_OFF)
        return (arch_rev & 0xfu) << GIC_PIDR2_ARCHREV_SHIFT;
    if (page_off >= GIC_CIDR0_PAGE_OFF && page_off < GIC_CIDR0_PAGE_OFF + 4 * sizeof(uint32_t))
        return cidr[(page_off - GIC_CIDR0_PAGE_OFF) / sizeof(uint32_t)];
    return 0;
}

uint32_t vgic_cfg_read(struct vgic *v, unsigned bank, uint32_t first_intid)
{
    uint32_t val = 0;

    for (unsigned i = 0; i < 16; i++) {
        const struct vgic_irq *irq = vgic_get_irq(v, bank, first_intid + i);

        if (irq && irq->edge)
            val |= 2u << (2 * i);
    }
    return val;
}

void vgic_cfg_write(struct vgic *v, unsigned bank, uint32_t first_intid, uint32_t val)
{
    for (unsigned i = 0; i < 16; i++) {
        struct vgic_irq *irq = vgic_get_irq(v, bank, first_intid + i);

        /* SGIs are always edge-triggered (their ICFGR bits are read-only). */
        if (irq && irq->intid >= VGIC_NR_SGIS)
            irq->edge = (val >> (2 * i + 1)) & 1u;
    }
}

void vgic_irouter_write(struct vgic *v, unsigned caller, uint32_t intid, uint64_t val,
                        uint32_t *kick)
{
    struct vgic_irq *irq;

    if (intid < VGIC_SPI_BASE)
        return;
    irq = vgic_get_irq(v, 0, intid);
    if (!irq)
        return;
    irq->irouter = val & (GICD_IROUTER_AFF0_2_MASK | GICD_IROUTER_IRM | GICD_IROUTER_AFF3_MASK);
    vgic_note_change(v, irq, caller, kick);
}

void vgic_set_group_enables(struct vgic *v, unsigned caller, bool grp0, bool grp1,
                            uint32_t *kick)
{
    bool newly = (grp0 && !v->grp0_enabled) || (grp1 && !v->grp1_enabled);

    v->grp0_enabled = grp0;
    v->grp1_enabled = grp1;
    /* Rare (boot time): let everybody re-scan rather than search who cares. */
    if (newly)
        for (unsigned i = 0; i < v->nr_vcpus; i++)
            if (i != caller)
                *kick |= 1u << i;
}

void vgic_ctlr_enables_access(struct vgic *v, unsigned caller, struct mmio_access *acc,
                              uint32_t *kick)
{
    if (acc->is_write)
        vgic_set_group_enables(v, caller, acc->value & GICD_CTLR_ENABLE_GRP0,
                               acc->value & GICD_CTLR_ENABLE_GRP1, kick);
    else
        acc->value = (v->grp0_enabled ? GICD_CTLR_ENABLE_GRP0 : 0) |
                     (v->grp1_enabled ? GICD_CTLR_ENABLE_GRP1 : 0);
}
