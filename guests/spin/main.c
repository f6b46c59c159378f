/* spin: a VM that keeps the physical CPU it shares with another VM in a
 * state that only elvisor can resolve. Run beside the timer guest on the
 * same physical CPU by tests/integration/run-multi-vm.sh; the mode and the
 * duration come from bootargs, `spin.mode=spin|hold spin.ms=N`.
 *
 * spin (tests/integration/configs/spin-share.dts): with PSTATE.I masked,
 * read the virtual counter in a tight loop (no trapped instruction, no MMIO,
 * no WFI: no exit of its own) until this vCPU has run for N ms of its own
 * time. Time it did not run shows as a jump between two consecutive counter
 * reads; only elvisor's time slice can take the CPU from it and give it to
 * the other VM, which must finish its checks meanwhile (the runner checks
 * the order of "# spin: started", the other's GUEST-DONE and "# spin:
 * done"). With `spin.time=own` the VM has virtual-time = "own"
 * (tests/integration/configs/own-time-share.dts): then the virtual counter
 * must run behind the physical counter, wall time, by at least half a slice
 * (`own_time_hidden`), and show no jump of half a slice (`own_time_no_jump`;
 * the suite runs under -icount, where the host descheduling QEMU shows in
 * no counter).
 *
 * hold (tests/integration/configs/hold-share.dts): let the virtual timer
 * (PPI 27) expire while its priority is below this vCPU's priority mask.
 * elvisor takes the physical interrupt, forwards it with the LR HW bit, and
 * the physical PPI stays active until this guest deactivates the virtual
 * one, which it cannot do while the interrupt is masked. Then wait in WFI
 * for N ms, until the physical timer (PPI 30, priority above the mask)
 * fires: the vCPU is not runnable meanwhile, so the other VM runs alone on
 * the CPU and its own virtual timer interrupts must still reach it (the
 * runner checks that its vtimer_cval_irq or _tval_irq ran between
 * "# hold: started" and "# hold: done"). Finally unmask: both held
 * interrupts come, once each. */
#include "guest.h"

#include "bootargs.h"
#include "dtb.h"
#include "lib/string.h"

const char guest_name[] = "spin";

#define SPIN_MS_DEFAULT     2000
#define MS_MAX              60000
#define GAP_US              1000        /* a counter jump this long: not running */
/* elvisor's time slice (SCHED_SLICE_US): a VM that does not block keeps the
 * CPU that long, so being preempted for the other VM shows as a jump of
 * about a slice. Jumps of a few ms also come from the host descheduling
 * QEMU, so only one of at least half a slice counts. */
#define SLICE_US            10000
#define PREEMPTED_US        (SLICE_US / 2)
#define CAP_US              120000000   /* give up spinning after this much counter time */
#define ARG_LEN             16
#define US_PER_MS           1000

/* hold: the virtual timer's priority is masked, the physical one's is not. */
#define PRIO_HELD           0xa0
#define PRIO_WAKE           0x40
#define PMR_HOLD            0x80
#define PMR_OPEN            0xff

static volatile unsigned fired_v, fired_p;

static void timer_handler(unsigned intid)
{
    /* Level-triggered and still expired: mask it at the timer. */
    if (intid == INTID_EL1_VTIMER) {
        vtimer_set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
        fired_v++;
    } else {
        ptimer_set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
        fired_p++;
    }
}

static unsigned arg_ms(unsigned dflt)
{
    char arg[ARG_LEN];
    unsigned ms = 0;

    if (!bootarg_get(dtb_bootargs(guest_dtb), "spin.ms", arg, sizeof(arg)))
        return dflt;
    for (const char *c = arg; *c >= '0' && *c <= '9' && ms <= MS_MAX; c++)
        ms = ms * 10 + (unsigned)(*c - '0');
    return ms == 0 || ms > MS_MAX ? dflt : ms;
}

/* own: the VM has virtual-time = "own" (spin.time=own): its virtual
 * counter must show no jump while the physical one, wall time, shows the
 * time it was kept from running. */
static void spin(unsigned ms, bool own_time)
{
    uint64_t target = ticks_from_us((uint64_t)ms * US_PER_MS);
    uint64_t gap = ticks_from_us(GAP_US), cap = ticks_from_us(CAP_US);
    uint64_t own = 0, away = 0, longest = 0, jumps = 0;
    uint64_t start, prev, now, pstart, pend;

    test_note("spin: started, %u ms of own time with interrupts masked and no exits", ms);
    irq_disable();
    pstart = cntpct();
    start = prev = cntvct();
    do {
        now = cntvct();
        uint64_t d = now - prev;
        if (d < gap) {
            own += d;
        } else {
            jumps++;
            away += d;
            if (d > longest)
                longest = d;
        }
        prev = now;
    } while (own < target && now - start < cap);
    pend = cntpct();
    irq_enable();

    test_note("spin: done after %lu ms: %lu jumps of >= %u us, %lu ms not running, longest %lu us",
              (now - start) / ticks_from_us(US_PER_MS), jumps, GAP_US,
              away / ticks_from_us(US_PER_MS), longest / ticks_from_us(1));
    test_check(own >= target, "spun_to_the_end", "gave up after %lu ms of counter time with %lu ms own",
               (now - start) / ticks_from_us(US_PER_MS), own / ticks_from_us(US_PER_MS));
    if (!own_time) {
        test_check(longest >= ticks_from_us(PREEMPTED_US), "preempted",
                   "the counter never jumped by %u us or more (longest %lu us): never preempted for "
                   "the other VM", PREEMPTED_US, longest / ticks_from_us(1));
        return;
    }
    uint64_t hidden = (pend - pstart) - (now - start);
    test_note("spin: own time: %lu ms of wall time, %lu ms of virtual time, %lu ms hidden",
              (pend - pstart) / ticks_from_us(US_PER_MS), (now - start) / ticks_from_us(US_PER_MS),
              hidden / ticks_from_us(US_PER_MS));
    test_check((int64_t)hidden >= (int64_t)ticks_from_us(PREEMPTED_US), "own_time_hidden",
               "wall time ran %ld us past virtual time: never preempted, or the time showed",
               (long)((int64_t)hidden / (int64_t)ticks_from_us(1)));
    test_check(longest < ticks_from_us(PREEMPTED_US), "own_time_no_jump",
               "the virtual counter jumped by %lu us while the VM was switched out",
               longest / ticks_from_us(1));
}

static void hold(unsigned ms)
{
    irq_disable();
    irq_set_handler(INTID_EL1_VTIMER, timer_handler);
    irq_set_handler(INTID_EL1_PTIMER, timer_handler);
    guest_gic_set_priority(INTID_EL1_VTIMER, PRIO_HELD);
    guest_gic_set_priority(INTID_EL1_PTIMER, PRIO_WAKE);
    guest_gic_set_pmr(PMR_HOLD);
    guest_gic_enable_private(INTID_EL1_VTIMER);
    guest_gic_enable_private(INTID_EL1_PTIMER);

    vtimer_set_cval(cntvct() - 1);
    vtimer_set_ctl(CNT_CTL_ENABLE);
    uint64_t deadline = cntpct() + ticks_from_us((uint64_t)ms * US_PER_MS);
    ptimer_set_cval(deadline);
    ptimer_set_ctl(CNT_CTL_ENABLE);
    test_check(vtimer_ctl() & CNT_CTL_ISTATUS, "hold_vtimer_expired", "CNTV_CTL 0x%lx",
               vtimer_ctl());
    test_note("hold: started, the virtual timer's interrupt masked by priority, WFI for %u ms", ms);

    /* Only the physical timer can end it: the held interrupt is below the
     * priority mask, and PSTATE.I only keeps the wake-up from being taken. */
    unsigned wfis = 0;
    while (!(ptimer_ctl() & CNT_CTL_ISTATUS) && cntpct() < deadline + ticks_from_us(CAP_US)) {
        wfi();
        wfis++;
    }
    uint64_t woke = cntpct();
    test_note("hold: done, %u WFIs, woke %lu us after the deadline", wfis,
              woke >= deadline ? (woke - deadline) / ticks_from_us(1) : 0);
    test_check(woke >= deadline && (ptimer_ctl() & CNT_CTL_ISTATUS), "hold_woken_by_own_timer",
               "WFI ended %s the physical timer's deadline (CTL 0x%lx)",
               woke >= deadline ? "after" : "before", ptimer_ctl());

    guest_gic_set_pmr(PMR_OPEN);
    irq_enable();
    WAIT_UNTIL(fired_v && fired_p, WAIT_TIMEOUT_US);
    /* Anything more would come from a timer that is masked by now. */
    WAIT_UNTIL(fired_v > 1 || fired_p > 1, WAIT_TIMEOUT_US / 100);
    test_check(fired_v == 1 && fired_p == 1, "held_irqs_delivered",
               "after unmasking the virtual timer interrupted %u times, the physical one %u "
               "(want once each)", fired_v, fired_p);
    vtimer_set_ctl(0);
    ptimer_set_ctl(0);
}

void guest_main(void)
{
    char mode[ARG_LEN];

    char time[ARG_LEN] = "wall";

    bootarg_get(dtb_bootargs(guest_dtb), "spin.time", time, sizeof(time));
    if (!bootarg_get(dtb_bootargs(guest_dtb), "spin.mode", mode, sizeof(mode)) ||
        !strcmp(mode, "spin"))
        spin(arg_ms(SPIN_MS_DEFAULT), !strcmp(time, "own"));
    else if (!strcmp(mode, "hold"))
        hold(arg_ms(SPIN_MS_DEFAULT));
    else
        test_fail("mode", "spin.mode=%s: want spin or hold", mode);
}
