/* GICv3 redistributor register files: one 0x20000 frame per vCPU, RD_base
 * (control, identification, power) then SGI_base (the SGI/PPI registers,
 * laid out like the distributor's first register of each kind). The frame
 * a guest touches may belong to another vCPU than the one accessing it.
 * No LPIs: the LPI registers are RAZ/WI and GICR_TYPER says so. */
#include "vdev/vgic_mmio.h"

#define GICR_SGI_BASE           0x10000u

/* RD_base */
#define GICR_IIDR               0x0004u
#define GICR_TYPER              0x0008u     /* 64-bit, or two 32-bit halves */
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

static uint64_t rd_typer(const struct vgic *v, unsigned frame)
{
    uint64_t typer = (uint64_t)vgic_mpidr_affinity(v->vcpu[frame].mpidr) << GICR_TYPER_AFF_SHIFT;

    typer |= (uint64_t)frame << GICR_TYPER_PROCNUM_SHIFT;
    if (frame == v->nr_vcpus - 1)
        typer |= GICR_TYPER_LAST;
    return typer;
}

static uint64_t rd_read_iidr(const struct vgic_mmio_op *op)
{
    return VGIC_V3_IIDR;
}

/* GICR_TYPER: 64-bit, or either 32-bit half. */
static uint64_t rd_read_typer(const struct vgic_mmio_op *op)
{
    uint64_t typer = rd_typer(op->v, op->bank);

    if (op->size == 8)
        return typer;
    return op->off ? typer >> 32 : typer & 0xffffffffu;
}

static uint64_t rd_read_waker(const struct vgic_mmio_op *op)
{
    /* Nothing to quiesce: the children are asleep as soon as asked. */
    if (op->v->vcpu[op->bank].processor_sleep)
        return GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP;
    return 0;
}

static void rd_write_waker(const struct vgic_mmio_op *op, uint64_t val)
{
    vgic_set_processor_sleep(op->v, op->bank, val & GICR_WAKER_PROCESSOR_SLEEP);
}

#define RD_RW   VGIC_MMIO_32BIT
#define RD_RWD  (VGIC_MMIO_32BIT | VGIC_MMIO_64BIT)

/* RD_base. Absent, so RAZ/WI to a 32-bit access: CTLR (no LPIs, RWP/UWP
 * always 0), STATUSR, SYNCR and the reserved offsets. The LPI registers are
 * RAZ/WI too, but 64-bit registers. */
static const struct vgic_mmio_region rd_rows[] = {
    VGIC_MMIO_REG(GICR_IIDR, 4, RD_RW, 0, rd_read_iidr, 0),
    VGIC_MMIO_REG(GICR_TYPER, 8, RD_RWD, 0, rd_read_typer, 0),
    VGIC_MMIO_REG(GICR_WAKER, 4, RD_RW, 0, rd_read_waker, rd_write_waker),
    VGIC_MMIO_REG(GICR_SETLPIR, 8, RD_RWD, 0, 0, 0),
    VGIC_MMIO_REG(GICR_CLRLPIR, 8, RD_RWD, 0, 0, 0),
    VGIC_MMIO_REG(GICR_PROPBASER, 8, RD_RWD, 0, 0, 0),
    VGIC_MMIO_REG(GICR_PENDBASER, 8, RD_RWD, 0, 0, 0),
    VGIC_MMIO_REG(GICR_INVLPIR, 8, RD_RWD, 0, 0, 0),
    VGIC_MMIO_REG(GICR_INVALLR, 8, RD_RWD, 0, 0, 0),
    VGIC_MMIO_REG(VGIC_REG_IDREGS, GICR_SGI_BASE - VGIC_REG_IDREGS, RD_RW, 0,
                  vgic_mmio_read_v3_idreg, 0),
};

/* No per-interrupt rows. */
static const struct vgic_mmio_frame rd_frame = VGIC_MMIO_FRAME(
    "GICR RD_base", rd_rows, GICR_SGI_BASE, VGIC_MODEL_V3, 0, 0);

/* SGI_base: laid out like the distributor, but only INTIDs 0-31 exist
 * (register 0 of each bit bank, IPRIORITYR0-7, ICFGR0/1; the extended PPI
 * ranges are not implemented) and they are the frame's vCPU's. Absent, so
 * RAZ/WI to a 32-bit access: IGRPMODR0 (DS = 1), NSACR, the reserved
 * offsets. */
static const struct vgic_mmio_region rd_sgi_rows[] = {
    VGIC_MMIO_BITREGS(vgic_mmio_write_bitreg),
    /* The whole priority space takes bytes; past INTID 31 it is RAZ/WI. */
    VGIC_MMIO_PER_IRQ(VGIC_REG_IPRIORITYR, 8, VGIC_MMIO_8BIT | VGIC_MMIO_32BIT, 0,
                      vgic_mmio_read_priority, vgic_mmio_write_priority),
    VGIC_MMIO_PER_IRQ(VGIC_REG_ICFGR, 2, RD_RW, 0, vgic_mmio_read_config,
                      vgic_mmio_write_config),
    VGIC_MMIO_REG(VGIC_REG_IDREGS, GICR_SGI_BASE - VGIC_REG_IDREGS, RD_RW, 0,
                  vgic_mmio_read_v3_idreg, 0),
};

static const struct vgic_mmio_frame rd_sgi_frame = VGIC_MMIO_FRAME(
    "GICR SGI_base", rd_sgi_rows, GICR_SGI_BASE, VGIC_MODEL_V3, 0, VGIC_NR_PRIVATE_IRQS);

/* The frame a guest touches may be another vCPU's than its own: the
 * frame's vCPU is the bank. */
bool vgic_v3_redist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vgic *v = dev;
    uint64_t frame_idx = acc->offset / VGIC_V3_REDIST_STRIDE;
    uint64_t off = acc->offset % VGIC_V3_REDIST_STRIDE;
    const struct vgic_mmio_frame *f = off >= GICR_SGI_BASE ? &rd_sgi_frame : &rd_frame;
    const struct vgic_mmio_region *row;

    off %= GICR_SGI_BASE;
    if (!vgic_mmio_decode(f, off, acc->size, &row))
        return false;
    if (frame_idx >= v->nr_vcpus) {
        if (!acc->is_write)
            acc->value = 0;
        return true;    /* beyond the last frame: RAZ/WI */
    }
    vgic_mmio_perform(f, row, v, (unsigned)frame_idx, vcpu_id, off, acc);
    return true;
}
