#include "gic.h"

#include "dtb.h"
#include "mmio.h"
#include "platform.h"
#include "smp.h"
#include "sysreg.h"

#define POLL_LIMIT      1000000
#define SGI_TARGETS_PER_LIST 16
#define PRIO_x4(p)      (0x01010101U * (p))

static unsigned version = 3;
static bool from_dtb;
static uintptr_t gicd = GICD_BASE;
static uintptr_t gicr = GICR_BASE;      /* v3: first redistributor frame */
static uint64_t gicr_size;              /* v3: region size, 0 = unknown */
static uintptr_t gicc = GICC_BASE;      /* v2 */

static uintptr_t rd_base[MAX_CPUS];     /* v3 */
static volatile uint8_t cpu_mask[MAX_CPUS];     /* v2 */
static volatile uint32_t cpu_itargetsr0[MAX_CPUS];

unsigned guest_gic_probe(const void *dtb)
{
    struct dtb_gic g;

    version = 3;
    gicd = GICD_BASE;
    gicr = GICR_BASE;
    gicr_size = 0;
    gicc = GICC_BASE;
    from_dtb = dtb_find_gic(dtb, &g) == 1;
    if (!from_dtb)
        return version;
    version = g.version;
    if (g.nregs >= 1)
        gicd = (uintptr_t)g.base[0];
    if (g.nregs >= 2 && version == 3) {
        gicr = (uintptr_t)g.base[1];
        gicr_size = g.size[1];
    } else if (g.nregs >= 2) {
        gicc = (uintptr_t)g.base[1];
    }
    return version;
}

bool guest_gic_from_dtb(void) { return from_dtb; }
unsigned guest_gic_version(void) { return version; }
uintptr_t guest_gic_dist_base(void) { return gicd; }
uintptr_t guest_gic_cpuif_base(void) { return version == 2 ? gicc : 0; }

uintptr_t guest_gic_pidr2_addr(void)
{
    return gicd + (version == 2 ? GICD_PIDR2_V2 : GICD_PIDR2);
}

/* --- distributor ---------------------------------------------------------- */

static void dist_wait_rwp(void)
{
    if (version == 2)
        return;     /* GICv2 has no RWP: distributor writes take effect in order */
    for (int i = 0; i < POLL_LIMIT; i++)
        if (!(mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP))
            return;
}

void guest_gic_dist_init(void)
{
    uint32_t lines = GICD_TYPER_ITLINES(mmio_read32(gicd + GICD_TYPER)) + 1;
    /* v3: all Group 1 (non-secure); v2: all Group 0, signalled as IRQ. */
    uint32_t group = version == 3 ? ~0U : 0;

    mmio_write32(gicd + GICD_CTLR, 0);
    dist_wait_rwp();
    /* SPIs start disabled, inactive, not pending, mid priority. */
    for (uint32_t n = 1; n < lines; n++) {
        mmio_write32(gicd + GICD_ICENABLER(n), ~0U);
        mmio_write32(gicd + GICD_ICPENDR(n), ~0U);
        mmio_write32(gicd + GICD_ICACTIVER(n), ~0U);
        mmio_write32(gicd + GICD_IGROUPR(n), group);
    }
    for (uint32_t i = GIC_NR_PRIVATE; i < lines * 32; i += 4)
        mmio_write32(gicd + GICD_IPRIORITYR(i), PRIO_x4(GIC_DEFAULT_PRIORITY));
    if (version == 2) {
        /* SPIs target the boot CPU (ITARGETSR0 reads this CPU's mask). */
        uint32_t self = mmio_read32(gicd + GICD_ITARGETSR(0)) & 0xFF;
        for (uint32_t i = GIC_NR_PRIVATE; i < lines * 32; i += 4)
            mmio_write32(gicd + GICD_ITARGETSR(i), 0x01010101U * self);
        mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
        return;
    }
    dist_wait_rwp();
    mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
    dist_wait_rwp();
}

/* --- per-CPU set-up -------------------------------------------------------- */

static uintptr_t find_redist(uint64_t mpidr)
{
    uint64_t aff = (MPIDR_AFF3(mpidr) << 24) | (MPIDR_AFF2(mpidr) << 16) |
                   (MPIDR_AFF1(mpidr) << 8) | MPIDR_AFF0(mpidr);

    for (unsigned i = 0; i < MAX_CPUS; i++) {
        if (gicr_size && (i + 1) * GICR_STRIDE > gicr_size)
            break;
        uintptr_t base = gicr + i * GICR_STRIDE;
        uint64_t typer = mmio_read64(base + GICR_TYPER);

        if (GICR_TYPER_AFF(typer) == aff)
            return base;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return 0;
}

static int cpu_init_v3(unsigned cpu)
{
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
        mmio_write32(sgi + GICR_IPRIORITYR(i), PRIO_x4(GIC_DEFAULT_PRIORITY));

    write_sysreg(read_sysreg(icc_sre_el1) | ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB, icc_sre_el1);
    isb();
    write_sysreg(GIC_PMR_ALLOW_ALL, icc_pmr_el1);
    write_sysreg(0, icc_bpr1_el1);
    write_sysreg(0, icc_ctlr_el1);      /* EOImode 0: EOIR also deactivates */
    write_sysreg(ICC_IGRPEN1_ENABLE, icc_igrpen1_el1);
    isb();
    return 0;
}

static int cpu_init_v2(unsigned cpu)
{
    /* The banked GICD_ITARGETSR0-7 read as this CPU's interface mask in
     * every byte; a uniprocessor GIC makes them RAZ/WI (CPUNumber = 0). */
    uint32_t itargetsr0 = mmio_read32(gicd + GICD_ITARGETSR(0));
    uint8_t own = (uint8_t)(itargetsr0 & 0xFF);

    cpu_itargetsr0[cpu] = itargetsr0;
    if (!own && GICD_TYPER_CPUNUMBER(mmio_read32(gicd + GICD_TYPER)) == 0)
        own = 1;
    cpu_mask[cpu] = own;

    /* Private interrupts: the banked copies in the distributor. Whether SGIs
     * can be disabled is IMPLEMENTATION DEFINED; their pending state is
     * cleared per source in GICD_CPENDSGIR (GICD_ICPENDR0 ignores SGIs). */
    mmio_write32(gicd + GICD_ICENABLER(0), ~0U);
    mmio_write32(gicd + GICD_ICPENDR(0), ~0U);
    for (unsigned i = 0; i < GIC_NR_SGIS; i += 4)
        mmio_write32(gicd + GICD_CPENDSGIR(i), ~0U);
    mmio_write32(gicd + GICD_ICACTIVER(0), ~0U);
    mmio_write32(gicd + GICD_IGROUPR(0), 0);
    for (unsigned i = 0; i < GIC_NR_PRIVATE; i += 4)
        mmio_write32(gicd + GICD_IPRIORITYR(i), PRIO_x4(GIC_DEFAULT_PRIORITY));

    mmio_write32(gicc + GICC_PMR, GIC_PMR_ALLOW_ALL);
    mmio_write32(gicc + GICC_BPR, 0);   /* the minimum; raised to what is implemented */
    /* Group 0 enabled, FIQEn = 0 (Group 0 as IRQ), EOImode 0: EOIR also
     * deactivates. */
    mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
    dsb(sy);
    return 0;
}

int guest_gic_cpu_init(void)
{
    unsigned cpu = cpu_index();

    return version == 2 ? cpu_init_v2(cpu) : cpu_init_v3(cpu);
}

uint8_t guest_gic_cpu_target_mask(unsigned cpu) { return cpu < MAX_CPUS ? cpu_mask[cpu] : 0; }
uint32_t guest_gic_cpu_itargetsr0(unsigned cpu) { return cpu < MAX_CPUS ? cpu_itargetsr0[cpu] : 0; }

uintptr_t guest_gic_rd_base(void) { return rd_base[cpu_index()]; }
uintptr_t guest_gic_sgi_base(void) { return rd_base[cpu_index()] + GICR_SGI_OFFSET; }

uintptr_t guest_gic_sgi_base_of(unsigned cpu)
{
    return cpu < MAX_CPUS && rd_base[cpu] ? rd_base[cpu] + GICR_SGI_OFFSET : 0;
}

/* --- enables, pending, priority, routing ---------------------------------- */

/* The register frame holding this CPU's private-interrupt state. */
static uintptr_t private_frame(void)
{
    return version == 2 ? gicd : guest_gic_sgi_base();
}

void guest_gic_enable_private(unsigned intid)
{
    mmio_write32(private_frame() + GICD_ISENABLER(0), 1U << (intid % 32));
}

void guest_gic_disable_private(unsigned intid)
{
    mmio_write32(private_frame() + GICD_ICENABLER(0), 1U << (intid % 32));
}

bool guest_gic_private_enabled(unsigned intid)
{
    return mmio_read32(private_frame() + GICD_ISENABLER(0)) & (1U << (intid % 32));
}

bool guest_gic_private_pending(unsigned intid)
{
    return mmio_read32(private_frame() + GICD_ISPENDR(0)) & (1U << (intid % 32));
}

bool guest_gic_private_active(unsigned intid)
{
    return mmio_read32(private_frame() + GICD_ISACTIVER(0)) & (1U << (intid % 32));
}

void guest_gic_set_active_private(unsigned intid)
{
    mmio_write32(private_frame() + GICD_ISACTIVER(0), 1U << (intid % 32));
}

void guest_gic_clear_active_private(unsigned intid)
{
    mmio_write32(private_frame() + GICD_ICACTIVER(0), 1U << (intid % 32));
}

void guest_gic_clear_pending_private(unsigned intid)
{
    if (version == 2 && intid < GIC_NR_SGIS) {
        unsigned word = intid & ~3U;
        mmio_write32(gicd + GICD_CPENDSGIR(word), 0xFFU << (8 * (intid - word)));
        return;
    }
    mmio_write32(private_frame() + GICD_ICPENDR(0), 1U << (intid % 32));
}

void guest_gic_enable_spi(unsigned intid)
{
    mmio_write32(gicd + GICD_ISENABLER(intid / 32), 1U << (intid % 32));
}

void guest_gic_disable_spi(unsigned intid)
{
    mmio_write32(gicd + GICD_ICENABLER(intid / 32), 1U << (intid % 32));
}

void guest_gic_route_spi(unsigned intid, unsigned cpu)
{
    if (version == 2) {
        mmio_write8(gicd + GICD_ITARGETSR(intid), guest_gic_cpu_target_mask(cpu));
        return;
    }
    uint64_t mpidr = smp_cpu_mpidr(cpu);
    mmio_write64(gicd + GICD_IROUTER(intid),
                 (MPIDR_AFF3(mpidr) << 32) | (MPIDR_AFF2(mpidr) << 16) |
                 (MPIDR_AFF1(mpidr) << 8) | MPIDR_AFF0(mpidr));
}

void guest_gic_set_priority(unsigned intid, uint8_t prio)
{
    uintptr_t frame = intid < GIC_NR_PRIVATE ? private_frame() : gicd;

    mmio_write8(frame + GICD_IPRIORITYR(intid), prio);
}

void guest_gic_set_pmr(uint8_t prio)
{
    if (version == 2) {
        mmio_write32(gicc + GICC_PMR, prio);
    } else {
        write_sysreg(prio, icc_pmr_el1);
        isb();
    }
}

/* --- acknowledge and end of interrupt ------------------------------------- */

uint64_t guest_gic_ack(void)
{
    uint64_t iar = version == 2 ? mmio_read32(gicc + GICC_IAR) : read_sysreg(icc_iar1_el1);

    dsb(sy);
    return iar;
}

void guest_gic_eoi(uint64_t iar)
{
    if (version == 2) {
        mmio_write32(gicc + GICC_EOIR, (uint32_t)iar);
        dsb(sy);
    } else {
        write_sysreg(iar, icc_eoir1_el1);
        isb();
    }
}

unsigned guest_gic_iar_intid(uint64_t iar)
{
    return (unsigned)(iar & (version == 2 ? GICC_IAR_INTID_MASK : ICC_IAR_INTID_MASK));
}

/* --- SGIs ---------------------------------------------------------------- */

uint64_t guest_gic_sgi1r_value(unsigned intid, uint64_t mpidr)
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

static void sgir_write(uint32_t value)
{
    dsb(ish);
    mmio_write32(gicd + GICD_SGIR, value);
    dsb(sy);
}

void guest_gic_send_sgi(unsigned intid, unsigned cpu)
{
    if (version == 2) {
        sgir_write(GICD_SGIR_FILTER_LIST |
                   ((uint32_t)guest_gic_cpu_target_mask(cpu) << GICD_SGIR_TARGETS_SHIFT) |
                   (intid & GICD_SGIR_INTID_MASK));
        return;
    }
    dsb(ish);
    write_sysreg(guest_gic_sgi1r_value(intid, smp_cpu_mpidr(cpu)), icc_sgi1r_el1);
    isb();
}

void guest_gic_send_sgi_others(unsigned intid)
{
    if (version == 2) {
        sgir_write(GICD_SGIR_FILTER_OTHERS | (intid & GICD_SGIR_INTID_MASK));
        return;
    }
    dsb(ish);
    write_sysreg(ICC_SGI1R_IRM | ((uint64_t)(intid & 0xF) << ICC_SGI1R_INTID_SHIFT), icc_sgi1r_el1);
    isb();
}
