/* GICv2 distributor register file (IHI 0048B, chapter 4), as a GICv2
 * without the Security Extensions: one view, interrupt grouping with
 * EnableGrp0/EnableGrp1 in GICD_CTLR and IGROUPR read/write. The registers
 * of INTIDs 0-31 (IGROUPR0, IS/ICENABLER0, IS/ICPENDR0, IS/ICACTIVER0,
 * IPRIORITYR0-7, ITARGETSR0-7, ICFGR0/1) and C/SPENDSGIR are banked: they
 * are the accessing vCPU's. The CPU interface (GICC) is the hardware GICV
 * frame and is not emulated here.
 *
 * Access rules: 32-bit accesses everywhere in the 64 KiB region; bytes too
 * in IPRIORITYR, ITARGETSR and C/SPENDSGIR (the byte-accessible registers);
 * anything else, or misaligned, returns false. The register map fills the
 * first 4 KiB; 0x1000..0xffff and reserved offsets are RAZ/WI. */
#include "vdev/vgic.h"

#define V2_GICD_CTLR               0x000u
#define V2_GICD_TYPER              0x004u
#define V2_GICD_IIDR               0x008u
#define V2_GICD_IPRIORITYR_END     0x800u       /* 0x400 + one byte per INTID */
#define V2_GICD_ITARGETSR          0x800u       /* one byte per INTID */
#define V2_GICD_ITARGETSR_END      0xc00u
#define V2_GICD_ICFGR_END          0xd00u       /* 0xc00 + two bits per INTID */
#define V2_GICD_SGIR               0xf00u
#define V2_GICD_CPENDSGIR          0xf10u       /* one byte per SGI, bit per source */
#define V2_GICD_SPENDSGIR          0xf20u
#define V2_GICD_SPENDSGIR_END      0xf30u
#define V2_GICD_IDREGS             0xfd0u       /* PIDR4..CIDR3, up to 0xffc */
#define V2_GICD_REGS_END           0x1000u

/* GICD_TYPER */
#define V2_GICD_TYPER_ITLINES_MASK 0x1fu        /* [4:0] (INTIDs / 32) - 1 */
#define V2_GICD_TYPER_CPUS_SHIFT   5            /* [7:5] CPU interfaces - 1 */
                                                /* [10] SecurityExtn = 0, [15:11] LSPI = 0 */

/* GICD_SGIR */
#define V2_GICD_SGIR_FILTER_SHIFT  24           /* [25:24] TargetListFilter */
#define V2_GICD_SGIR_FILTER_MASK   0x3u
#define V2_GICD_SGIR_FILTER_LIST   0u           /* CPUTargetList */
#define V2_GICD_SGIR_FILTER_OTHERS 1u           /* all but the requester */
#define V2_GICD_SGIR_FILTER_SELF   2u           /* the requester only */
#define V2_GICD_SGIR_TARGETS_SHIFT 16           /* [23:16] CPUTargetList */
#define V2_GICD_SGIR_TARGETS_MASK  0xffu
#define V2_GICD_SGIR_INTID_MASK    0xfu         /* [3:0]; NSATT [15] ignored: no Security Extensions */

#define V2_GIC_ARCHREV             2u

/* ICFGR0 (SGIs) is read-only; its bits are not masked here because
 * vgic_cfg_write() never changes an SGI. PPIs (ICFGR1) are programmable,
 * which IHI 0048B leaves IMPLEMENTATION DEFINED, as in the GICv3 model. */

static uint32_t v2_dist_typer(const struct vgic *v)
{
    uint32_t typer = ((v->nr_spis + 31) / 32) & V2_GICD_TYPER_ITLINES_MASK;

    return typer | (v->nr_vcpus - 1) << V2_GICD_TYPER_CPUS_SHIFT;
}

static void v2_dist_sgir(struct vgic *v, unsigned src, uint32_t val, uint32_t *kick)
{
    uint32_t sgi = val & V2_GICD_SGIR_INTID_MASK;
    uint32_t all = vgic_vcpu_mask(v), targets;

    if (src >= v->nr_vcpus)
        return;
    switch ((val >> V2_GICD_SGIR_FILTER_SHIFT) & V2_GICD_SGIR_FILTER_MASK) {
    case V2_GICD_SGIR_FILTER_LIST:
        targets = (val >> V2_GICD_SGIR_TARGETS_SHIFT) & V2_GICD_SGIR_TARGETS_MASK & all;
        break;
    case V2_GICD_SGIR_FILTER_OTHERS:
        targets = all & ~(1u << src);
        break;
    case V2_GICD_SGIR_FILTER_SELF:
        targets = 1u << src;
        break;
    default:
        return;         /* reserved filter: nothing sent */
    }
    /* The write moved gen once, before its decode (vgic_v2_dist_mmio()). */
    vgic_note_own_sgi(v, src, targets, v->gen - 1);
    for (unsigned t = 0; t < v->nr_vcpus; t++)
        if (targets & (1u << t))
            vgic_v2_sgi_set_pending(v, src, t, sgi, src, true, kick);
}

/* ITARGETSR, byte or word. INTIDs 0-31 read as the accessor's own CPU
 * interface (that is how a GICv2 OS learns its CPU number) and ignore
 * writes. */
static void v2_dist_targets(struct vgic *v, unsigned caller, struct mmio_access *acc,
                         uint32_t *kick)
{
    uint32_t intid = (uint32_t)(acc->offset - V2_GICD_ITARGETSR);

    for (unsigned i = 0; i < acc->size; i++, intid++) {
        uint8_t byte = (uint8_t)(acc->value >> (8 * i));

        if (intid < VGIC_NR_PRIVATE_IRQS) {
            if (!acc->is_write && caller < v->nr_vcpus)
                acc->value |= (uint64_t)(1u << caller) << (8 * i);
        } else if (acc->is_write) {
            vgic_itargets_write(v, caller, intid, byte, kick);
        } else {
            acc->value |= (uint64_t)vgic_itargets_read(v, intid) << (8 * i);
        }
    }
}

/* CPENDSGIR / SPENDSGIR, byte or word: byte n = SGI n, bit s = source s,
 * of the accessor's SGIs. */
static void v2_dist_sgi_pending(struct vgic *v, unsigned caller, struct mmio_access *acc,
                             uint32_t *kick)
{
    bool set = acc->offset >= V2_GICD_SPENDSGIR;
    uint32_t sgi = (uint32_t)(acc->offset - (set ? V2_GICD_SPENDSGIR : V2_GICD_CPENDSGIR));

    if (caller >= v->nr_vcpus)
        return;         /* no bank: RAZ/WI */
    for (unsigned i = 0; i < acc->size; i++, sgi++) {
        uint8_t byte = (uint8_t)(acc->value >> (8 * i));

        if (!acc->is_write) {
            acc->value |= (uint64_t)v->vcpu[caller].priv[sgi].sgi_sources << (8 * i);
            continue;
        }
        for (unsigned s = 0; s < v->nr_vcpus; s++)
            if (byte & (1u << s))
                vgic_v2_sgi_set_pending(v, caller, caller, sgi, s, set, kick);
    }
}

/* One of the seven bit-register banks, 32-bit. */
static void v2_dist_bitreg(struct vgic *v, unsigned caller, enum vgic_bitreg reg, uint32_t first,
                        struct mmio_access *acc, uint32_t *kick)
{
    uint32_t val = (uint32_t)acc->value;

    if (!acc->is_write) {
        acc->value = vgic_bitreg_read(v, caller, first, reg);
        return;
    }
    /* SGIs are always enabled, and their pending state per source is set
     * and cleared through S/CPENDSGIR only: those bits ignore writes. */
    if (first == 0 && reg != VGIC_BITREG_GROUP && reg != VGIC_BITREG_SET_ACTIVE &&
        reg != VGIC_BITREG_CLEAR_ACTIVE)
        val &= ~((1u << VGIC_NR_SGIS) - 1);
    vgic_bitreg_write(v, caller, caller, first, reg, val, kick);
}

/* A 32-bit read of a register fixed when the VM is built (TYPER, IIDR,
 * the ID registers): answered without the lock, whose two atomics are most
 * of a read's cost. */
static bool v2_dist_fixed_read(const struct vgic *v, struct mmio_access *acc)
{
    uint64_t off = acc->offset;

    if (off == V2_GICD_TYPER)
        acc->value = v2_dist_typer(v);
    else if (off == V2_GICD_IIDR)
        acc->value = VGIC_V2_IIDR;
    else if (off >= V2_GICD_IDREGS && off < V2_GICD_REGS_END)
        acc->value = vgic_idreg_read(off, V2_GIC_ARCHREV);
    else
        return false;
    return true;
}

/* A 32-bit access outside the byte-accessible ranges (the lock is held);
 * writes to the fixed registers are ignored here. */
static void v2_dist_reg32(struct vgic *v, unsigned caller, struct mmio_access *acc, uint32_t *kick)
{
    uint64_t off = acc->offset;
    uint32_t val = (uint32_t)acc->value;
    enum vgic_bitreg reg;
    uint32_t first;

    if (off >= V2_GICD_REGS_END)
        return;         /* RAZ/WI up to the end of the 64 KiB */
    if (vgic_bitreg_decode(off, &reg, &first)) {
        v2_dist_bitreg(v, caller, reg, first, acc, kick);
        return;
    }
    if (off >= VGIC_REG_ICFGR && off < V2_GICD_ICFGR_END) {
        first = (uint32_t)(off - VGIC_REG_ICFGR) / sizeof(uint32_t) * 16u;
        if (acc->is_write)
            vgic_cfg_write(v, caller, first, val);
        else
            acc->value = vgic_cfg_read(v, caller, first);
        return;
    }
    switch (off) {
    case V2_GICD_CTLR:
        vgic_ctlr_enables_access(v, caller, acc, kick);  /* EnableGrp0 [0], EnableGrp1 [1] */
        return;
    case V2_GICD_SGIR:
        if (acc->is_write)
            v2_dist_sgir(v, caller, val, kick);
        return;         /* write-only: reads as zero */
    default:
        /* 0xd00-0xdff (IMPLEMENTATION DEFINED), NSACR (no Security
         * Extensions) and everything reserved: RAZ/WI. */
        return;
    }
}

bool vgic_v2_dist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vgic *v = dev;
    uint64_t off = acc->offset;
    unsigned size = acc->size;
    uint32_t kick = 0;
    bool prio, targets, sgi_pend;

    if ((size != 1 && size != 4) || (off & (size - 1)) || off >= VGIC_V2_DIST_SIZE)
        return false;
    prio = vgic_in_range(off, VGIC_REG_IPRIORITYR, V2_GICD_IPRIORITYR_END);
    targets = vgic_in_range(off, V2_GICD_ITARGETSR, V2_GICD_ITARGETSR_END);
    sgi_pend = vgic_in_range(off, V2_GICD_CPENDSGIR, V2_GICD_SPENDSGIR_END);
    if (size == 1 && !prio && !targets && !sgi_pend)
        return false;

    if (!acc->is_write)
        acc->value = 0;
    if (v->model != VGIC_MODEL_V2)
        return true;    /* not this model's register file: RAZ/WI */
    if (!acc->is_write && size == 4 && v2_dist_fixed_read(v, acc))
        return true;
    spin_lock(&v->lock);
    if (acc->is_write)
        v->gen++;
    if (prio)
        vgic_prio_access(v, vcpu_id, vcpu_id, (uint32_t)(off - VGIC_REG_IPRIORITYR), acc, &kick);
    else if (targets)
        v2_dist_targets(v, vcpu_id, acc, &kick);
    else if (sgi_pend)
        v2_dist_sgi_pending(v, vcpu_id, acc, &kick);
    else
        v2_dist_reg32(v, vcpu_id, acc, &kick);
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
    return true;
}
