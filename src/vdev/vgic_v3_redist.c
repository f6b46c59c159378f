/* GICv3 redistributor register files: one 0x20000 frame per vCPU, RD_base
 * (control, identification, power) then SGI_base (the SGI/PPI registers,
 * laid out like the distributor's first register of each kind). The frame
 * a guest touches may belong to another vCPU than the one accessing it.
 * No LPIs: the LPI registers are RAZ/WI and GICR_TYPER says so. */
#include "vdev/vgic.h"

#define GICR_SGI_BASE           0x10000u

/* RD_base */
#define GICR_CTLR               0x0000u     /* RAZ/WI: no LPIs, RWP/UWP always 0 */
#define GICR_IIDR               0x0004u
#define GICR_TYPER              0x0008u     /* 64-bit, or two 32-bit halves */
#define GICR_TYPER_HIGH         0x000cu
#define GICR_WAKER              0x0014u
#define GICR_SETLPIR            0x0040u     /* the 64-bit LPI registers, all RAZ/WI */
#define GICR_CLRLPIR            0x0048u
#define GICR_PROPBASER          0x0070u
#define GICR_PENDBASER          0x0078u
#define GICR_INVLPIR            0x00a0u
#define GICR_INVALLR            0x00b0u

/* GICR_TYPER */
#define GICR_TYPER_LAST         (1ull << 4)
#define GICR_TYPER_PROCNUM_SHIFT 8          /* [23:8] */
#define GICR_TYPER_AFF_SHIFT    32          /* [63:32] Aff3:Aff2:Aff1:Aff0 */

/* GICR_WAKER */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* SGI_base: only register 0 of each bank exists (INTIDs 0-31), plus
 * IPRIORITYR0-7 and ICFGR0/1. */
#define GICR_IPRIORITYR_END     (VGIC_REG_IPRIORITYR + VGIC_NR_PRIVATE_IRQS)
#define GICR_ICFGR1             (VGIC_REG_ICFGR + 4u)
#define GICR_IPRIORITYR_SPACE_END 0x0800u   /* rest of the priority space: RAZ/WI */

static bool rd_is_64bit_reg(uint64_t off)
{
    return off == GICR_TYPER || off == GICR_SETLPIR || off == GICR_CLRLPIR ||
           off == GICR_PROPBASER || off == GICR_PENDBASER || off == GICR_INVLPIR ||
           off == GICR_INVALLR;
}

static uint64_t rd_typer(const struct vgic *v, unsigned frame)
{
    uint64_t typer = (uint64_t)vgic_mpidr_affinity(v->vcpu[frame].mpidr) << GICR_TYPER_AFF_SHIFT;

    typer |= (uint64_t)frame << GICR_TYPER_PROCNUM_SHIFT;
    if (frame == v->nr_vcpus - 1)
        typer |= GICR_TYPER_LAST;
    return typer;
}

/* RD_base access; size already checked against the register. */
static void rd_base(struct vgic *v, unsigned frame, uint64_t off, struct mmio_access *acc)
{
    uint64_t typer;

    if (off >= VGIC_REG_IDREGS) {
        if (!acc->is_write && acc->size == 4)
            acc->value = vgic_v3_idreg_read(off);
        return;
    }
    switch (off) {
    case GICR_IIDR:
        if (!acc->is_write)
            acc->value = VGIC_V3_IIDR;
        return;
    case GICR_TYPER:
    case GICR_TYPER_HIGH:
        if (acc->is_write)
            return;
        typer = rd_typer(v, frame);
        if (acc->size == 8)
            acc->value = typer;
        else
            acc->value = off == GICR_TYPER ? typer & 0xffffffffu : typer >> 32;
        return;
    case GICR_WAKER:
        if (acc->is_write)
            vgic_set_processor_sleep(v, frame, acc->value & GICR_WAKER_PROCESSOR_SLEEP);
        else if (v->vcpu[frame].processor_sleep)
            /* Nothing to quiesce: the children are asleep as soon as asked. */
            acc->value = GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP;
        return;
    default:
        return;         /* CTLR, STATUSR, LPI registers, reserved: RAZ/WI */
    }
}

/* SGI_base access (32-bit, or a byte in the priority space). */
static void rd_sgi_base(struct vgic *v, unsigned frame, unsigned caller, uint64_t off,
                        struct mmio_access *acc, uint32_t *kick)
{
    uint32_t val = (uint32_t)acc->value;
    enum vgic_bitreg reg;
    uint32_t first;

    if (vgic_bitreg_decode(off, &reg, &first)) {
        if (first != 0)
            return;     /* extended PPI ranges: not implemented */
        if (acc->is_write)
            vgic_bitreg_write(v, frame, caller, 0, reg, val, kick);
        else
            acc->value = vgic_bitreg_read(v, frame, 0, reg);
        return;
    }
    if (off >= VGIC_REG_IPRIORITYR && off < GICR_IPRIORITYR_END) {
        vgic_prio_access(v, frame, caller, (uint32_t)(off - VGIC_REG_IPRIORITYR), acc, kick);
        return;
    }
    if (off == VGIC_REG_ICFGR || off == GICR_ICFGR1) {
        first = off == VGIC_REG_ICFGR ? 0 : 16;
        if (acc->is_write)
            vgic_cfg_write(v, frame, first, val);
        else
            acc->value = vgic_cfg_read(v, frame, first);
        return;
    }
    if (off >= VGIC_REG_IDREGS && !acc->is_write)
        acc->value = vgic_v3_idreg_read(off);
    /* IGRPMODR0 (DS = 1), NSACR and reserved: RAZ/WI */
}

bool vgic_v3_redist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vgic *v = dev;
    unsigned size = acc->size;
    uint64_t frame_idx = acc->offset / VGIC_V3_REDIST_STRIDE;
    uint64_t off = acc->offset % VGIC_V3_REDIST_STRIDE;
    bool sgi = off >= GICR_SGI_BASE;
    uint32_t kick = 0;

    if ((size != 1 && size != 2 && size != 4 && size != 8) || (acc->offset & (size - 1)))
        return false;
    if (sgi)
        off -= GICR_SGI_BASE;
    if (size == 1) {
        if (!sgi || off < VGIC_REG_IPRIORITYR || off >= GICR_IPRIORITYR_SPACE_END)
            return false;
    } else if (size == 8) {
        if (sgi || !rd_is_64bit_reg(off))
            return false;
    } else if (size != 4) {
        return false;
    }

    if (!acc->is_write)
        acc->value = 0;
    if (frame_idx >= v->nr_vcpus || v->model != VGIC_MODEL_V3)
        return true;    /* beyond the last frame, or a GICv2 model: RAZ/WI */
    spin_lock(&v->lock);
    if (acc->is_write)
        v->gen++;
    if (sgi)
        rd_sgi_base(v, (unsigned)frame_idx, vcpu_id, off, acc, &kick);
    else
        rd_base(v, (unsigned)frame_idx, off, acc);
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
    return true;
}
