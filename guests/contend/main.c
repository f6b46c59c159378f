/* contend: two vCPUs that take the same lock in elvisor at once must not
 * waste each other's time. Meant for `-icount shift=0` (guests.list), where
 * QEMU runs the CPUs one at a time, each for a turn that lasts until the
 * next timer deadline, and the counter advances once per instruction of
 * either CPU: the time both vCPUs take together is then the sum of their
 * instructions, unless one spins on a lock whose holder is not running.
 * Each iteration re-arms the (masked) virtual timer a few thousand ticks
 * ahead, so that turns are short and often end inside elvisor's exit,
 * and writes a distributor register (an exit that takes the VM's vGIC
 * lock). Check: vCPU 0 alone, then both together (from vCPU 1's start),
 * LOOPS iterations each; together must take at most 2 x alone, plus
 * SLACK_PCT and HANDSHAKE_TICKS (elvisor with a plain spin in its lock:
 * 127 %, VHE and nVHE; with YIELD in it: 100 %). On bare QEMU (no exit)
 * it is 103 %, the handshakes: the oracle. Needs 2 vCPUs. */
#include "guest.h"

const char guest_name[] = "contend";

#define LOOPS           20000
#define TURN_TICKS      4000
#define SLACK_PCT       3
/* The start and end handshakes between the vCPUs (bare QEMU: about 12,000). */
#define HANDSHAKE_TICKS 50000
#define DONE_TIMEOUT_US 60000000
/* An SPI enable bit nobody uses: the write changes nothing but takes the lock. */
#define SPARE_ISENABLER GICD_ISENABLER(1)

static volatile unsigned cpu1_ready, cpu1_go, cpu1_done;

static void work(void)
{
    for (unsigned i = 0; i < LOOPS; i++) {
        vtimer_set_cval(cntvct() + TURN_TICKS);
        mmio_write32(GICD_BASE + SPARE_ISENABLER, 0);
    }
}

static void cpu1_main(uint64_t arg)
{
    vtimer_set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    cpu1_ready = 1;
    while (!cpu1_go)
        cpu_relax();
    work();
    vtimer_set_ctl(0);
    dsb(sy);
    cpu1_done = 1;
}

void guest_main(void)
{
    if (smp_num_cpus() < 2) {
        test_fail("contend_both", "needs 2 vCPUs, the DTB lists %u", smp_num_cpus());
        return;
    }
    vtimer_set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    uint64_t t0 = cntvct();
    work();
    uint64_t alone = cntvct() - t0;

    /* Timed from vCPU 1's start: its boot is not the lock's business. */
    int64_t r = smp_cpu_on(1, cpu1_main, 0, 0);
    if (r != PSCI_RET_SUCCESS || !WAIT_UNTIL(cpu1_ready, WAIT_TIMEOUT_US)) {
        test_fail("contend_both", "vCPU 1 did not start (CPU_ON %ld)", (long)r);
        return;
    }
    t0 = cntvct();
    cpu1_go = 1;
    work();
    bool done = WAIT_UNTIL(cpu1_done, DONE_TIMEOUT_US);
    uint64_t both = cntvct() - t0;
    vtimer_set_ctl(0);

    if (!done) {
        test_fail("contend_both", "vCPU 1 did not finish");
        return;
    }
    test_note("alone %lu ticks, both %lu ticks (%lu%% of twice alone)", alone, both, both * 100 / (2 * alone));
    test_check(both * 100 <= 2 * alone * (100 + SLACK_PCT) + HANDSHAKE_TICKS * 100, "contend_both",
               "both vCPUs took %lu ticks, twice one alone %lu: %lu%% more", both, 2 * alone,
               (both - 2 * alone) * 100 / (2 * alone));
}
