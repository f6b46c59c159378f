/* GICv3 distributor register file (64 KiB frame at the VM's GICD base).
 * Single security state (DS = 1) with affinity routing always on
 * (ARE = 1, read-only): the guest programs SGIs/PPIs through its
 * redistributor, so the distributor's registers for INTIDs 0-31 are RAZ/WI
 * as the architecture specifies for ARE = 1. No LPIs, no extended SPIs,
 * no message-based SPIs. */
#include "vdev/vgic.h"

#define GICD_CTLR               0x0000u
#define GICD_TYPER              0x0004u
#define GICD_IIDR               0x0008u
#define GICD_TYPER2             0x000cu
#define GICD_ITARGETSR          0x0800u     /* RAZ/WI with ARE = 1, byte-accessible */
#define GICD_ITARGETSR_END      0x0c00u
#define GICD_ICFGR_END          0x0d00u
#define GICD_CPENDSGIR          0x0f10u     /* RAZ/WI with ARE = 1, byte-accessible */
#define GICD_SPENDSGIR_END      0x0f30u
#define GICD_IROUTER            0x6000u     /* 8 bytes per INTID, SPIs only */
#define GICD_IROUTER_END        0x8000u
#define GICD_IPRIORITYR_END     0x0800u

/* GICD_CTLR, single security state view (EnableGrp0/1: vgic_core.c) */
#define GICD_CTLR_ARE           (1u << 4)
#define GICD_CTLR_DS            (1u << 6)

/* GICD_TYPER */
#define GICD_TYPER_ITLINES_MASK 0x1fu       /* [4:0] (INTIDs / 32) - 1 */
#define GICD_TYPER_CPUS_SHIFT   5           /* [7:5] PEs - 1, legacy */
#define GICD_TYPER_IDBITS_SHIFT 19          /* [23:19] INTID bits - 1 */
#define GICD_TYPER_A3V          (1u << 24)
#define GICD_TYPER_RSS          (1u << 26)
#define VGIC_INTID_BITS         10u         /* INTIDs 0..1023 */

#define GIC_ARCHREV_GICV3       3u

#define MPIDR_AFF0_MASK         0xffull

uint32_t vgic_v3_idreg_read(uint64_t off)
{
    return vgic_idreg_read(off, GIC_ARCHREV_GICV3);
}

static uint32_t dist_typer(const struct vgic *v)
{
    uint32_t typer = (v->nr_spis + 31) / 32;   /* SPI blocks: (32 + SPIs) / 32 - 1 */
    bool aff0_over_15 = false;

    for (unsigned i = 0; i < v->nr_vcpus; i++)
        if ((v->vcpu[i].mpidr & MPIDR_AFF0_MASK) >= VGIC_SGI_TARGETS_PER_RANGE)
            aff0_over_15 = true;
    typer &= GICD_TYPER_ITLINES_MASK;
    typer |= (v->nr_vcpus - 1) << GICD_TYPER_CPUS_SHIFT;
    typer |= (VGIC_INTID_BITS - 1) << GICD_TYPER_IDBITS_SHIFT;
    typer |= GICD_TYPER_A3V;
    /* Advertise the SGI range selector only when some vCPU needs it. */
    if (aff0_over_15)
        typer |= GICD_TYPER_RSS;
    return typer;
}

static void dist_priority(struct vgic *v, unsigned caller, struct mmio_access *acc,
                          uint32_t *kick)
{
    uint32_t intid = (uint32_t)(acc->offset - VGIC_REG_IPRIORITYR);

    if (intid < VGIC_NR_PRIVATE_IRQS)
        return;         /* ARE = 1: RAZ/WI */
    vgic_prio_access(v, 0, caller, intid, acc, kick);
}

static void dist_irouter(struct vgic *v, unsigned caller, struct mmio_access *acc,
                         uint32_t *kick)
{
    uint32_t intid = (uint32_t)((acc->offset - GICD_IROUTER) / sizeof(uint64_t));
    bool high = acc->offset & sizeof(uint32_t);
    struct vgic_irq *irq = intid >= VGIC_SPI_BASE ? vgic_get_irq(v, 0, intid) : 0;
    uint64_t val;

    if (!irq)
        return;         /* RAZ/WI */
    if (!acc->is_write) {
        val = irq->irouter;
        acc->value = acc->size == 8 ? val : high ? val >> 32 : val & 0xffffffffu;
        return;
    }
    val = acc->value;
    if (acc->size == 4) {
        val &= 0xffffffffu;
        if (high)
            val = (val << 32) | (irq->irouter & 0xffffffffu);
        else
            val |= irq->irouter & ~0xffffffffull;
    }
    vgic_irouter_write(v, caller, intid, val, kick);
}

/* A 32-bit read of a register fixed when the VM is built (TYPER, IIDR,
 * the ID registers): answered without the lock, whose two atomics are most
 * of a read's cost. TYPER2, STATUSR and the like read as zero below. */
static bool dist_fixed_read(const struct vgic *v, struct mmio_access *acc)
{
    uint64_t off = acc->offset;

    if (off == GICD_TYPER)
        acc->value = dist_typer(v);
    else if (off == GICD_IIDR)
        acc->value = VGIC_V3_IIDR;
    else if (off >= VGIC_REG_IDREGS)
        acc->value = vgic_v3_idreg_read(off);
    else
        return false;
    return true;
}

/* A 32-bit access at off (the lock is held); writes to the fixed
 * registers are ignored here. */
static void dist_reg32(struct vgic *v, unsigned caller, struct mmio_access *acc, uint32_t *kick)
{
    uint64_t off = acc->offset;
    uint32_t val = (uint32_t)acc->value;
    uint32_t first;
    enum vgic_bitreg reg;

    if (vgic_bitreg_decode(off, &reg, &first)) {
        if (first < VGIC_NR_PRIVATE_IRQS)
            return;     /* ARE = 1: RAZ/WI */
        if (acc->is_write)
            vgic_bitreg_write(v, 0, caller, first, reg, val, kick);
        else
            acc->value = vgic_bitreg_read(v, 0, first, reg);
        return;
    }
    if (off >= VGIC_REG_ICFGR && off < GICD_ICFGR_END) {
        first = (uint32_t)(off - VGIC_REG_ICFGR) / sizeof(uint32_t) * 16u;
        if (first < VGIC_NR_PRIVATE_IRQS)
            return;
        if (acc->is_write)
            vgic_cfg_write(v, 0, first, val);
        else
            acc->value = vgic_cfg_read(v, 0, first);
        return;
    }
    switch (off) {
    case GICD_CTLR:
        vgic_ctlr_enables_access(v, caller, acc, kick);
        if (!acc->is_write)
            acc->value |= GICD_CTLR_ARE | GICD_CTLR_DS;
        return;
    default:
        /* GICD_TYPER2 (no vSGIs), STATUSR, SETSPI (no MBIS), IGRPMODR (DS = 1),
         * NSACR, SGIR (ARE = 1) and everything reserved: RAZ/WI. */
        return;
    }
}

bool vgic_v3_dist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vgic *v = dev;
    uint64_t off = acc->offset;
    unsigned size = acc->size;
    uint32_t kick = 0;
    bool byte_ok, dword_ok;

    if ((size != 1 && size != 2 && size != 4 && size != 8) || (off & (size - 1)))
        return false;
    if (off >= VGIC_V3_DIST_SIZE)
        return false;
    byte_ok = vgic_in_range(off, VGIC_REG_IPRIORITYR, GICD_IPRIORITYR_END) ||
              vgic_in_range(off, GICD_ITARGETSR, GICD_ITARGETSR_END) ||
              vgic_in_range(off, GICD_CPENDSGIR, GICD_SPENDSGIR_END);
    dword_ok = vgic_in_range(off, GICD_IROUTER, GICD_IROUTER_END);
    if (!(size == 4 || (size == 1 && byte_ok) || (size == 8 && dword_ok)))
        return false;

    if (!acc->is_write)
        acc->value = 0;
    if (v->model != VGIC_MODEL_V3)
        return true;    /* not this model's register file: RAZ/WI */
    if (!acc->is_write && size == 4 && dist_fixed_read(v, acc))
        return true;
    spin_lock(&v->lock);
    if (acc->is_write)
        v->gen++;
    if (vgic_in_range(off, VGIC_REG_IPRIORITYR, GICD_IPRIORITYR_END))
        dist_priority(v, vcpu_id, acc, &kick);
    else if (dword_ok)
        dist_irouter(v, vcpu_id, acc, &kick);
    else if (!byte_ok)
        dist_reg32(v, vcpu_id, acc, &kick);
    /* ITARGETSR, CPENDSGIR, SPENDSGIR: RAZ/WI with ARE = 1 */
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
    return true;
}
