#include "gic.h"

#include "mmio.h"
#include "platform.h"
#include "smp.h"
#include "sysreg.h"

#define POLL_LIMIT      1000000
#define SGI_TARGETS_PER_LIST 16

static uintptr_t rd_base[MAX_CPUS];

static void dist_wait_rwp(void)
{
    for (int i = 0; i < POLL_LIMIT; i++)
        if (!(mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP))
            return;
}

void gic_dist_init(void)
{
    uint32_t lines = GICD_TYPER_ITLINES(mmio_read32(GICD_BASE + GICD_TYPER)) + 1;

    mmio_write32(GICD_BASE + GICD_CTLR, 0);
    dist_wait_rwp();
    /* SPIs start disabled, inactive, not pending, Group 1, mid priority. */
    for (uint32_t n = 1; n < lines; n++) {
        mmio_write32(GICD_BASE + GICD_ICENABLER(n), ~0U);
        mmio_write32(GICD_BASE + GICD_ICPENDR(n), ~0U);
        mmio_write32(GICD_BASE + GICD_ICACTIVER(n), ~0U);
        mmio_write32(GICD_BASE + GICD_IGROUPR(n), ~0U);
    }
    for (uint32_t i = GIC_NR_PRIVATE; i < lines * 32; i += 4)
        mmio_write32(GICD_BASE + GICD_IPRIORITYR(i), 0x01010101U * GIC_DEFAULT_PRIORITY);
    dist_wait_rwp();
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
    dist_wait_rwp();
}

static uintptr_t find_redist(uint64_t mpidr)
{
    uint64_t aff = (MPIDR_AFF3(mpidr) << 24) | (MPIDR_AFF2(mpidr) << 16) |
                   (MPIDR_AFF1(mpidr) << 8) | MPIDR_AFF0(mpidr);

    for (unsigned i = 0; i < MAX_CPUS; i++) {
        uintptr_t base = GICR_BASE + i * GICR_STRIDE;
        uint64_t typer = mmio_read64(base + GICR_TYPER);

        if (GICR_TYPER_AFF(typer) == aff)
            return base;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return 0;
}

int gic_cpu_init(void)
{
    unsigned cpu = cpu_index();
    uintptr_t rd = find_redist(read_sysreg(mpidr_el1));

    if (!rd)
        return -1;
    rd_base[cpu] = rd;

    uint32_t waker = mmio_read32(rd + GICR_WAKER);
    mmio_write32(rd + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
    for (int i = 0; i < POLL_LIMIT; i++)
        if (!(mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP))
            break;

    uintptr_t sgi = rd + GICR_SGI_OFFSET;
    mmio_write32(sgi + GICR_ICENABLER0, ~0U);
    mmio_write32(sgi + GICR_ICPENDR0, ~0U);
    mmio_write32(sgi + GICR_IGROUPR0, ~0U);
    for (unsigned i = 0; i < GIC_NR_PRIVATE; i += 4)
        mmio_write32(sgi + GICR_IPRIORITYR(i), 0x01010101U * GIC_DEFAULT_PRIORITY);

    write_sysreg(read_sysreg(icc_sre_el1) | ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB, icc_sre_el1);
    isb();
    write_sysreg(ICC_PMR_ALLOW_ALL, icc_pmr_el1);
    write_sysreg(0, icc_bpr1_el1);
    write_sysreg(0, icc_ctlr_el1);      /* EOImode 0: EOIR also deactivates */
    write_sysreg(ICC_IGRPEN1_ENABLE, icc_igrpen1_el1);
    isb();
    return 0;
}

uintptr_t gic_rd_base(void) { return rd_base[cpu_index()]; }
uintptr_t gic_sgi_base(void) { return rd_base[cpu_index()] + GICR_SGI_OFFSET; }

uintptr_t gic_sgi_base_of(unsigned cpu)
{
    return cpu < MAX_CPUS && rd_base[cpu] ? rd_base[cpu] + GICR_SGI_OFFSET : 0;
}

void gic_enable_private(unsigned intid)
{
    mmio_write32(gic_sgi_base() + GICR_ISENABLER0, 1U << intid);
}

void gic_disable_private(unsigned intid)
{
    mmio_write32(gic_sgi_base() + GICR_ICENABLER0, 1U << intid);
}

void gic_clear_pending_private(unsigned intid)
{
    mmio_write32(gic_sgi_base() + GICR_ICPENDR0, 1U << intid);
}

uint64_t gic_ack(void)
{
    uint64_t iar = read_sysreg(icc_iar1_el1);

    dsb(sy);
    return iar;
}

void gic_eoi(uint64_t iar)
{
    write_sysreg(iar, icc_eoir1_el1);
    isb();
}

uint64_t gic_sgi1r_value(unsigned intid, uint64_t mpidr)
{
    unsigned aff0 = (unsigned)MPIDR_AFF0(mpidr);

    /* A target list covers 16 Aff0 values; RS selects which 16. */
    return ((uint64_t)(1U << (aff0 % SGI_TARGETS_PER_LIST)) << ICC_SGI1R_TARGETS_SHIFT) |
           ((uint64_t)(aff0 / SGI_TARGETS_PER_LIST) << ICC_SGI1R_RS_SHIFT) |
           (MPIDR_AFF1(mpidr) << ICC_SGI1R_AFF1_SHIFT) |
           ((uint64_t)(intid & 0xF) << ICC_SGI1R_INTID_SHIFT) |
           (MPIDR_AFF2(mpidr) << ICC_SGI1R_AFF2_SHIFT) |
           (MPIDR_AFF3(mpidr) << ICC_SGI1R_AFF3_SHIFT);
}

void gic_send_sgi(unsigned intid, uint64_t mpidr)
{
    dsb(ish);
    write_sysreg(gic_sgi1r_value(intid, mpidr), icc_sgi1r_el1);
    isb();
}

void gic_send_sgi_others(unsigned intid)
{
    dsb(ish);
    write_sysreg(ICC_SGI1R_IRM | ((uint64_t)(intid & 0xF) << ICC_SGI1R_INTID_SHIFT), icc_sgi1r_el1);
    isb();
}
