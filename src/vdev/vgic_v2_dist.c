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
#include "vdev/vgic_mmio.h"

#define V2_GICD_CTLR               0x000u
#define V2_GICD_TYPER              0x004u
#define V2_GICD_IIDR               0x008u
#define V2_GICD_ITARGETSR          0x800u       /* one byte per INTID */
#define V2_GICD_SGIR               0xf00u
#define V2_GICD_CPENDSGIR          0xf10u       /* one byte per SGI, bit per source */
#define V2_GICD_SPENDSGIR          0xf20u
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

static void v2_write_sgir(const struct vgic_mmio_op *op, uint64_t val)
{
    v2_dist_sgir(op->v, op->caller, (uint32_t)val, op->kick);
}

/* ITARGETSR, byte or word. INTIDs 0-31 read as the accessor's own CPU
 * interface (that is how a GICv2 OS learns its CPU number) and ignore
 * writes. */
static uint64_t v2_read_targets(const struct vgic_mmio_op *op)
{
    uint64_t val = 0;
    uint32_t intid = op->intid;

    for (unsigned i = 0; i < op->size; i++, intid++) {
        if (intid >= VGIC_NR_PRIVATE_IRQS)
            val |= (uint64_t)vgic_itargets_read(op->v, intid) << (8 * i);
        else if (op->caller < op->v->nr_vcpus)
            val |= (uint64_t)(1u << op->caller) << (8 * i);
    }
    return val;
}

static void v2_write_targets(const struct vgic_mmio_op *op, uint64_t val)
{
    uint32_t intid = op->intid;

    for (unsigned i = 0; i < op->size; i++, intid++)
        if (intid >= VGIC_NR_PRIVATE_IRQS)
            vgic_itargets_write(op->v, op->caller, intid, (uint8_t)(val >> (8 * i)), op->kick);
}

/* CPENDSGIR / SPENDSGIR (the row's arg: 1 for SPENDSGIR), byte or word:
 * byte n = SGI n, bit s = source s, of the accessor's SGIs; RAZ/WI to an
 * accessor with no bank. */
static uint64_t v2_read_sgi_pending(const struct vgic_mmio_op *op)
{
    uint64_t val = 0;

    if (op->caller >= op->v->nr_vcpus)
        return 0;
    for (unsigned i = 0; i < op->size; i++)
        val |= (uint64_t)op->v->vcpu[op->caller].priv[op->off + i].sgi_sources << (8 * i);
    return val;
}

static void v2_write_sgi_pending(const struct vgic_mmio_op *op, uint64_t val)
{
    if (op->caller >= op->v->nr_vcpus)
        return;
    for (unsigned i = 0; i < op->size; i++) {
        uint8_t byte = (uint8_t)(val >> (8 * i));

        for (unsigned s = 0; s < op->v->nr_vcpus; s++)
            if (byte & (1u << s))
                vgic_v2_sgi_set_pending(op->v, op->caller, op->caller, op->off + i, s,
                                        op->row->arg, op->kick);
    }
}

/* One of the seven bit-register banks. SGIs are always enabled, and their
 * pending state per source is set and cleared through S/CPENDSGIR only:
 * those bits ignore writes. */
static void v2_write_bitreg(const struct vgic_mmio_op *op, uint64_t val)
{
    enum vgic_bitreg reg = (enum vgic_bitreg)op->row->arg;

    if (op->intid == 0 && reg != VGIC_BITREG_GROUP && reg != VGIC_BITREG_SET_ACTIVE &&
        reg != VGIC_BITREG_CLEAR_ACTIVE)
        val &= ~((1u << VGIC_NR_SGIS) - 1);
    vgic_mmio_write_bitreg(op, val);
}

static uint64_t v2_read_typer(const struct vgic_mmio_op *op)
{
    return v2_dist_typer(op->v);
}

static uint64_t v2_read_iidr(const struct vgic_mmio_op *op)
{
    return VGIC_V2_IIDR;
}

static uint64_t v2_read_idreg(const struct vgic_mmio_op *op)
{
    return vgic_idreg_read(op->row->offset + op->off, V2_GIC_ARCHREV);
}

#define V2_RW   VGIC_MMIO_32BIT
#define V2_RWB  (VGIC_MMIO_8BIT | VGIC_MMIO_32BIT)

/* Absent, so RAZ/WI to a 32-bit access: 0xd00-0xdff (IMPLEMENTATION
 * DEFINED), NSACR (no Security Extensions), everything reserved, and all
 * of 0x1000..0xffff. INTIDs 0-31 are the accessor's (bank = caller). */
static const struct vgic_mmio_region v2_dist_rows[] = {
    VGIC_MMIO_REG(V2_GICD_CTLR, 4, V2_RW, 0, vgic_mmio_read_group_enables,
                  vgic_mmio_write_group_enables),
    VGIC_MMIO_REG(V2_GICD_TYPER, 4, V2_RW, VGIC_MMIO_FIXED, v2_read_typer, 0),
    VGIC_MMIO_REG(V2_GICD_IIDR, 4, V2_RW, VGIC_MMIO_FIXED, v2_read_iidr, 0),
    VGIC_MMIO_BITREGS(v2_write_bitreg),
    VGIC_MMIO_PER_IRQ(VGIC_REG_IPRIORITYR, 8, V2_RWB, 0, vgic_mmio_read_priority,
                      vgic_mmio_write_priority),
    VGIC_MMIO_PER_IRQ(V2_GICD_ITARGETSR, 8, V2_RWB, 0, v2_read_targets, v2_write_targets),
    VGIC_MMIO_PER_IRQ(VGIC_REG_ICFGR, 2, V2_RW, 0, vgic_mmio_read_config,
                      vgic_mmio_write_config),
    /* Write-only: reads as zero. */
    VGIC_MMIO_REG(V2_GICD_SGIR, 4, V2_RW, 0, 0, v2_write_sgir),
    { .offset = V2_GICD_CPENDSGIR, .len = VGIC_NR_SGIS, .widths = V2_RWB, .arg = false,
      .read = v2_read_sgi_pending, .write = v2_write_sgi_pending },
    { .offset = V2_GICD_SPENDSGIR, .len = VGIC_NR_SGIS, .widths = V2_RWB, .arg = true,
      .read = v2_read_sgi_pending, .write = v2_write_sgi_pending },
    VGIC_MMIO_REG(V2_GICD_IDREGS, V2_GICD_REGS_END - V2_GICD_IDREGS, V2_RW, VGIC_MMIO_FIXED,
                  v2_read_idreg, 0),
};

static const struct vgic_mmio_frame v2_dist_frame = VGIC_MMIO_FRAME(
    "GICv2 GICD", v2_dist_rows, VGIC_V2_DIST_SIZE, VGIC_MODEL_V2, 0, VGIC_MMIO_INTIDS);

/* A 32-bit read of a register fixed when the VM is built (TYPER, IIDR,
 * the ID registers), ahead of the table: without the lock, whose two
 * atomics are most of a read's cost, nor the row search. The same rows
 * are VGIC_MMIO_FIXED in v2_dist_rows[]. */
static bool v2_dist_fixed_read(const struct vgic *v, struct mmio_access *acc)
{
    uint64_t off = acc->offset;

    if (off == V2_GICD_TYPER)
        acc->value = v2_dist_typer(v);
    else if (off == V2_GICD_IIDR)
        acc->value = VGIC_V2_IIDR;
    else if (off >= V2_GICD_IDREGS && off < V2_GICD_REGS_END && !(off & 3u))
        acc->value = vgic_idreg_read(off, V2_GIC_ARCHREV);
    else
        return false;
    return true;
}

/* GICD_SGIR, the write behind every SGI a GICv2 guest sends (make bench's
 * sgi_ipi), also ahead of the table: its row's handler, without the row
 * search. */
static void v2_dist_sgir_write(struct vgic *v, unsigned caller, const struct mmio_access *acc)
{
    uint32_t kick = 0;

    spin_lock(&v->lock);
    v->gen++;
    v2_dist_sgir(v, caller, (uint32_t)acc->value, &kick);
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

bool vgic_v2_dist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vgic *v = dev;

    if (acc->size == 4 && v->model == VGIC_MODEL_V2) {
        if (!acc->is_write && v2_dist_fixed_read(v, acc))
            return true;
        if (acc->is_write && acc->offset == V2_GICD_SGIR) {
            v2_dist_sgir_write(v, vcpu_id, acc);
            return true;
        }
    }
    return vgic_mmio_dispatch(&v2_dist_frame, v, vcpu_id, vcpu_id, acc);
}
