/* GICv3 distributor register file (64 KiB frame at the VM's GICD base).
 * Single security state (DS = 1) with affinity routing always on
 * (ARE = 1, read-only): the guest programs SGIs/PPIs through its
 * redistributor, so the distributor's registers for INTIDs 0-31 are RAZ/WI
 * as the architecture specifies for ARE = 1. No LPIs, no extended SPIs,
 * no message-based SPIs. */
#include "vdev/vgic_mmio.h"

#define GICD_CTLR               0x0000u
#define GICD_TYPER              0x0004u
#define GICD_IIDR               0x0008u
#define GICD_ITARGETSR          0x0800u     /* RAZ/WI with ARE = 1, byte-accessible */
#define GICD_CPENDSGIR          0x0f10u     /* RAZ/WI with ARE = 1, byte-accessible */
#define GICD_SPENDSGIR_END      0x0f30u
#define GICD_IROUTER            0x6000u     /* 8 bytes per INTID, SPIs only */

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

/* GICD_IROUTER<n>: 64 bits per SPI, or either 32-bit half. */
static uint64_t dist_read_irouter(const struct vgic_mmio_op *op)
{
    const struct vgic_irq *irq = vgic_get_irq(op->v, 0, op->intid);
    uint64_t val = irq ? irq->irouter : 0;

    if (op->size == 8)
        return val;
    return op->off & sizeof(uint32_t) ? val >> 32 : val & 0xffffffffu;
}

static void dist_write_irouter(const struct vgic_mmio_op *op, uint64_t val)
{
    const struct vgic_irq *irq = vgic_get_irq(op->v, 0, op->intid);

    if (!irq)
        return;         /* RAZ/WI past the implemented SPIs */
    if (op->size == 4) {
        if (op->off & sizeof(uint32_t))
            val = (val << 32) | (irq->irouter & 0xffffffffu);
        else
            val |= irq->irouter & ~0xffffffffull;
    }
    vgic_irouter_write(op->v, op->caller, op->intid, val, op->kick);
}

static uint64_t dist_read_ctlr(const struct vgic_mmio_op *op)
{
    return vgic_mmio_read_group_enables(op) | GICD_CTLR_ARE | GICD_CTLR_DS;
}

static uint64_t dist_read_typer(const struct vgic_mmio_op *op)
{
    return dist_typer(op->v);
}

static uint64_t dist_read_iidr(const struct vgic_mmio_op *op)
{
    return VGIC_V3_IIDR;
}

#define D3_RW   VGIC_MMIO_32BIT
#define D3_RWB  (VGIC_MMIO_8BIT | VGIC_MMIO_32BIT)

/* Absent, so RAZ/WI to a 32-bit access: TYPER2 (no vSGIs), STATUSR,
 * SETSPI/CLRSPI (no MBIS), IGRPMODR (DS = 1), NSACR, SGIR (ARE = 1). The
 * per-interrupt rows serve SPIs only (first_intid 32): with ARE = 1 the
 * guest programs its SGIs and PPIs through its redistributor. */
static const struct vgic_mmio_region dist_rows[] = {
    VGIC_MMIO_REG(GICD_CTLR, 4, D3_RW, 0, dist_read_ctlr, vgic_mmio_write_group_enables),
    VGIC_MMIO_REG(GICD_TYPER, 4, D3_RW, VGIC_MMIO_FIXED, dist_read_typer, 0),
    VGIC_MMIO_REG(GICD_IIDR, 4, D3_RW, VGIC_MMIO_FIXED, dist_read_iidr, 0),
    VGIC_MMIO_BITREGS(vgic_mmio_write_bitreg),
    VGIC_MMIO_PER_IRQ(VGIC_REG_IPRIORITYR, 8, D3_RWB, 0, vgic_mmio_read_priority,
                      vgic_mmio_write_priority),
    /* RAZ/WI with ARE = 1, but byte-accessible. */
    VGIC_MMIO_PER_IRQ(GICD_ITARGETSR, 8, D3_RWB, 0, 0, 0),
    VGIC_MMIO_PER_IRQ(VGIC_REG_ICFGR, 2, D3_RW, 0, vgic_mmio_read_config,
                      vgic_mmio_write_config),
    VGIC_MMIO_REG(GICD_CPENDSGIR, GICD_SPENDSGIR_END - GICD_CPENDSGIR, D3_RWB, 0, 0, 0),
    VGIC_MMIO_PER_IRQ(GICD_IROUTER, 64, VGIC_MMIO_32BIT | VGIC_MMIO_64BIT, 0,
                      dist_read_irouter, dist_write_irouter),
    VGIC_MMIO_REG(VGIC_REG_IDREGS, VGIC_V3_DIST_SIZE - VGIC_REG_IDREGS, D3_RW,
                  VGIC_MMIO_FIXED, vgic_mmio_read_v3_idreg, 0),
};

static const struct vgic_mmio_frame dist_frame = VGIC_MMIO_FRAME(
    "GICD", dist_rows, VGIC_V3_DIST_SIZE, VGIC_MODEL_V3, VGIC_SPI_BASE, VGIC_MMIO_INTIDS);

/* A 32-bit read of a register fixed when the VM is built (TYPER, IIDR,
 * the ID registers), ahead of the table: without the lock, whose two
 * atomics are most of a read's cost, nor the row search. The same rows
 * are VGIC_MMIO_FIXED in dist_rows[]. */
static bool dist_fixed_read(const struct vgic *v, struct mmio_access *acc)
{
    uint64_t off = acc->offset;

    if (off == GICD_TYPER)
        acc->value = dist_typer(v);
    else if (off == GICD_IIDR)
        acc->value = VGIC_V3_IIDR;
    else if (off >= VGIC_REG_IDREGS && off < VGIC_V3_DIST_SIZE && !(off & 3u))
        acc->value = vgic_v3_idreg_read(off);
    else
        return false;
    return true;
}

bool vgic_v3_dist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vgic *v = dev;

    if (!acc->is_write && acc->size == 4 && v->model == VGIC_MODEL_V3 &&
        dist_fixed_read(v, acc))
        return true;
    return vgic_mmio_dispatch(&dist_frame, v, 0, vcpu_id, acc);
}
