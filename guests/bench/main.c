/* bench: round-trip costs of the operations a hypervisor sits in the path
 * of, timed with CNTVCT_EL0. Under QEMU's -icount shift=0 the counter
 * advances once per emulated instruction, so the figures are instruction
 * counts that repeat exactly from run to run and compare elvisor with the
 * same guest on bare QEMU. Prints "BENCH <name> min=<n> median=<n>".
 * Uses 2 vCPUs for the SGI figure. A figure a bare EL1 cannot take the same
 * way (a trapped register, the virtio window) still runs there: it shows
 * what the instruction costs without a hypervisor. */
#include "guest.h"
#include "bench.h"
#include "bootargs.h"
#include "dtb.h"
#include "lib/string.h"

const char guest_name[] = "bench";

#define TIMER_LEAD  2000        /* ticks from programming CVAL to expiry */
#define SGI_BENCH   1

static uint64_t samples[ITERS];

static volatile unsigned sgi_seq;
static volatile uint64_t sgi_seen_at;
static volatile bool cpu1_stop;
static volatile bool cpu1_busy;     /* vCPU 1 spins instead of waiting in WFI */
static volatile unsigned timer_fired;
static volatile uint64_t timer_fired_at;

static void sort(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Runs WARMUP unrecorded then ITERS recorded samples into samples[]
 * (sorted); false if one never completed. */
static bool measure(sample_fn fn)
{
    uint64_t t;

    for (unsigned i = 0; i < WARMUP; i++)
        if (!fn(&t))
            return false;
    for (unsigned i = 0; i < ITERS; i++)
        if (!fn(&samples[i]))
            return false;
    sort(samples, ITERS);
    return true;
}

static void report(const char *name, bool completed)
{
    if (!completed) {
        test_fail(name, "an iteration never completed");
        return;
    }
    gprintf("BENCH %s min=%lu median=%lu\n", name, samples[0], samples[ITERS / 2]);
    test_pass(name);
}

/* bench.only=NAME in the bootargs: that figure alone (a short run to trace,
 * docs/performance.md). */
static char only[32];

void bench(const char *name, sample_fn fn)
{
    if (only[0] && strcmp(only, name) != 0)
        return;
    report(name, measure(fn));
}

static bool sample_counter(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    *ticks = cntvct() - t0;
    return true;
}

static bool sample_hvc_smccc(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    smccc_hvc(SMCCC_VERSION, 0, 0, 0);
    *ticks = cntvct() - t0;
    return true;
}

static bool sample_hvc_psci(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    smccc_hvc(PSCI_VERSION, 0, 0, 0);
    *ticks = cntvct() - t0;
    return true;
}

static bool sample_uart_fr(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    mmio_read32(UART_BASE + UART_FR);
    *ticks = cntvct() - t0;
    return true;
}

/* A write that changes nothing (the IrDA low-power divisor, unused) but
 * must exit: the PL011's reads need none while its RX FIFO is empty
 * (docs/vuart.md), its writes all do, DR's for every character. */
#define UART_ILPR   0x20

static bool sample_uart_write(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    mmio_write32(UART_BASE + UART_ILPR, 0);
    *ticks = cntvct() - t0;
    return true;
}

/* The virtio-mmio transport's DeviceID register of slot 0 (an empty slot). */
#define VIRTIO_DEVICE_ID    0x0A000008UL

static bool sample_virtio_id(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    mmio_read32(VIRTIO_DEVICE_ID);
    *ticks = cntvct() - t0;
    return true;
}

/* An ID register: trapped by elvisor (HCR_EL2.TID3), not on bare QEMU. */
static bool sample_sysreg_trap(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    (void)read_sysreg(id_aa64mmfr0_el1);
    *ticks = cntvct() - t0;
    return true;
}

/* The first FP/SIMD instruction after an exit (a null hypercall): with
 * FP/SIMD switched lazily this is where the registers would move. */
static bool sample_fp_first_touch(uint64_t *ticks)
{
    uint64_t t0;

    smccc_hvc(SMCCC_VERSION, 0, 0, 0);
    t0 = cntvct();
    __asm__ volatile(".arch_extension fp\n\tfmov d0, xzr" ::: "memory");
    *ticks = cntvct() - t0;
    return true;
}

void fp_enable(void)
{
    __asm__ volatile("msr cpacr_el1, %0\n\tisb" ::"r"(read_sysreg(cpacr_el1) | (3UL << 20)));
}

static uintptr_t gicd_typer;    /* looked up once, outside the timed code */

/* The floor (docs/performance.md): the same exits against an EL2 that only
 * returns, where elvisor was booted with bench-floor. Off again at the end;
 * an interrupt meanwhile would have ended it early (then FLOOR_OFF is an
 * unknown call and the figures are not reported as the floor's). */
#define ELVISOR_BENCH_FLOOR_ON      0x86000f10U
#define ELVISOR_BENCH_FLOOR_OFF     0x86000f11U

static void bench_floor(void)
{
    static const struct { const char *name; sample_fn fn; } floors[] = {
        { "floor_hvc", sample_hvc_smccc },
        { "floor_mmio", sample_uart_write },
        { "floor_sysreg_trap", sample_sysreg_trap },
    };

    for (unsigned i = 0; i < sizeof(floors) / sizeof(floors[0]); i++) {
        bool completed;

        if (smccc_hvc(ELVISOR_BENCH_FLOOR_ON, 0, 0, 0) != 0) {
            test_note("no floor figures: elvisor was not booted with bench-floor (or not here)");
            return;
        }
        /* The console is an MMIO device: nothing is printed on the floor. */
        completed = measure(floors[i].fn);
        if (smccc_hvc(ELVISOR_BENCH_FLOOR_OFF, 0, 0, 0) != 0)
            test_fail(floors[i].name, "an interrupt ended the floor during the figure");
        else
            report(floors[i].name, completed);
    }
}

static bool sample_gicd_typer(uint64_t *ticks)
{
    uint64_t t0 = cntvct();
    mmio_read32(gicd_typer);
    *ticks = cntvct() - t0;
    return true;
}

static void cpu1_sgi_handler(unsigned intid)
{
    sgi_seen_at = cntvct();
    sgi_seq++;
}

static void cpu1_main(uint64_t arg)
{
    guest_gic_enable_private(SGI_BENCH);
    irq_enable();
    while (!cpu1_stop) {
        if (cpu1_busy)
            cpu_relax();
        else
            wfi();
    }
}

static bool sample_sgi(uint64_t *ticks)
{
    unsigned seq = sgi_seq;
    uint64_t t0 = cntvct();

    guest_gic_send_sgi(SGI_BENCH, 1);
    if (!WAIT_UNTIL(sgi_seq != seq, WAIT_TIMEOUT_US))
        return false;
    *ticks = sgi_seen_at - t0;
    return true;
}

static void timer_handler(unsigned intid)
{
    timer_fired_at = cntvct();
    vtimer_set_ctl(CNT_CTL_IMASK);
    timer_fired++;
}

/* The vCPU waits in WFI (elvisor: the physical CPU sleeps) until its
 * timer fires: expiry to handler. */
static bool sample_wfi_timer(uint64_t *ticks)
{
    unsigned seen = timer_fired;
    uint64_t cval = cntvct() + TIMER_LEAD;

    /* Masked while deciding to sleep: an interrupt taken between the test
     * and the WFI would leave nothing to wake it. WFI wakes on a pending
     * interrupt all the same; unmasking then takes it. */
    irq_disable();
    vtimer_set_cval(cval);
    vtimer_set_ctl(CNT_CTL_ENABLE);
    for (unsigned i = 0; timer_fired == seen; i++) {
        if (i > 1000)
            break;
        wfi();
        irq_enable();
        isb();
        irq_disable();
    }
    irq_enable();
    if (timer_fired == seen)
        return false;
    *ticks = timer_fired_at - cval;
    return true;
}

static bool sample_vtimer(uint64_t *ticks)
{
    unsigned seen = timer_fired;
    uint64_t cval = cntvct() + TIMER_LEAD;

    vtimer_set_cval(cval);
    vtimer_set_ctl(CNT_CTL_ENABLE);
    if (!WAIT_UNTIL(timer_fired != seen, WAIT_TIMEOUT_US))
        return false;
    *ticks = timer_fired_at - cval;
    return true;
}

/* The EOI of a virtual timer interrupt the guest acknowledged itself
 * (IRQs masked, so no handler runs): under elvisor the interrupt is in a
 * list register tied to the physical one, and the GIC's virtual CPU
 * interface takes the EOI without an exit. The timer is masked first, so
 * its line is low when the EOI deactivates it and nothing fires again. */
static bool sample_eoi(uint64_t *ticks)
{
    uint64_t iar = 0, t0;
    bool acked = false;

    irq_disable();
    vtimer_set_cval(cntvct());
    vtimer_set_ctl(CNT_CTL_ENABLE);
    for (unsigned i = 0; i < 100000 && !acked; i++) {
        iar = guest_gic_ack();
        acked = guest_gic_iar_intid(iar) == INTID_EL1_VTIMER;
        if (!acked && guest_gic_iar_intid(iar) < GIC_INTID_SPECIAL_FIRST)
            guest_gic_eoi(iar);     /* not ours: finish it, keep waiting */
    }
    vtimer_set_ctl(CNT_CTL_IMASK);
    isb();
    if (acked) {
        t0 = cntvct();
        guest_gic_eoi(iar);
        *ticks = cntvct() - t0;
    }
    irq_enable();
    return acked;
}

void guest_main(void)
{
    char role[16];

    if (bootarg_get(dtb_bootargs(guest_dtb), "bench.switch", role, sizeof(role))) {
        bench_switch(role);
        return;
    }
    if (!bootarg_get(dtb_bootargs(guest_dtb), "bench.only", only, sizeof(only)))
        only[0] = '\0';
    test_note("CNTFRQ_EL0 = %lu Hz; figures are counter ticks (instructions under -icount shift=0)",
              cntfrq());
    test_note("GICv%u: SGIs through %s", guest_gic_version(),
              guest_gic_version() == 2 ? "GICD_SGIR" : "ICC_SGI1R_EL1");
    bench("counter_read", sample_counter);
    bench("hvc_smccc_version", sample_hvc_smccc);
    bench("hvc_psci_version", sample_hvc_psci);
    if (exc_hvc_undef_count())
        test_note("HVC was UNDEFINED: the hvc figures time an UNDEF exception instead");
    bench("mmio_uart_fr", sample_uart_fr);
    bench("mmio_uart_write", sample_uart_write);
    gicd_typer = guest_gic_dist_base() + GICD_TYPER;
    bench("mmio_gicd_typer", sample_gicd_typer);
    bench("mmio_virtio_id", sample_virtio_id);
    bench("sysreg_id_trap", sample_sysreg_trap);
    fp_enable();
    bench("fp_first_touch", sample_fp_first_touch);

    if (!only[0])
        bench_floor();

    irq_set_handler(INTID_EL1_VTIMER, timer_handler);
    guest_gic_enable_private(INTID_EL1_VTIMER);
    irq_enable();
    bench("vtimer_irq", sample_vtimer);
    bench("wfi_timer_wake", sample_wfi_timer);
    bench("eoi", sample_eoi);
    vtimer_set_ctl(0);

    if (smp_num_cpus() < 2) {
        test_fail("sgi_ipi", "needs 2 vCPUs, the DTB lists %u", smp_num_cpus());
        return;
    }
    irq_set_handler(SGI_BENCH, cpu1_sgi_handler);
    unsigned boots = smp_boot_count(1);
    int64_t r = smp_cpu_on(1, cpu1_main, 0, 0);
    if (r != PSCI_RET_SUCCESS || !smp_wait_booted(1, boots, WAIT_TIMEOUT_US)) {
        test_fail("sgi_ipi", "vCPU 1 did not start (CPU_ON = %ld)", (long)r);
        return;
    }
    bench("sgi_ipi", sample_sgi);
    /* The same SGI to a vCPU that is running its guest: the kick's
     * interrupt exit instead of a wake-up. */
    cpu1_busy = true;
    guest_gic_send_sgi(SGI_BENCH, 1);   /* out of its WFI */
    bench("sgi_ipi_busy", sample_sgi);
    cpu1_busy = false;
    cpu1_stop = true;
    guest_gic_send_sgi(SGI_BENCH, 1);
}
