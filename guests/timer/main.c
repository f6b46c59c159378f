/* timer: the EL1 virtual (PPI 27) and physical (PPI 30) timers programmed
 * through CVAL and TVAL, their interrupts (never early, once per expiry,
 * silent when masked or disabled), WFI wake-up on a timer, the monotonic
 * counters, and that the physical counter carries the virtual one's
 * offset: read back to back they agree, and both timers' CVAL, TVAL and
 * ISTATUS are consistent with their counter. */
#include "guest.h"

#include "bootargs.h"
#include "dtb.h"
#include "lib/string.h"
#include "lib/printf.h"

const char guest_name[] = "timer";

#define DELAY_US        2000
#define QUIET_US        2000        /* how long "no interrupt" is watched */
#define PENDING_WFI_US  50000       /* a WFI with a pending IRQ returns well within this */
#define MONOTONIC_READS 1000
#define AGREE_ROUNDS    100
#define ROUNDTRIP_US    1000000     /* a CVAL this far ahead or behind the counter */
#define FAR_AHEAD       (1ULL << 40) /* ticks: minutes at any CNTFRQ, however slow the host */
#define NAME_MAX_LEN    48

struct timer_ops {
    const char *name;
    unsigned intid;
    uint64_t (*count)(void);
    void (*set_cval)(uint64_t);
    void (*set_tval)(int32_t);
    uint64_t (*cval)(void);
    uint64_t (*tval)(void);
    void (*set_ctl)(uint64_t);
    uint64_t (*ctl)(void);
};

static uint64_t vtval(void) { return read_sysreg(cntv_tval_el0); }
static uint64_t ptval(void) { return read_sysreg(cntp_tval_el0); }

static const struct timer_ops vtimer = {
    "vtimer", INTID_EL1_VTIMER, cntvct, vtimer_set_cval, vtimer_set_tval, vtimer_cval, vtval,
    vtimer_set_ctl, vtimer_ctl,
};
static const struct timer_ops ptimer = {
    "ptimer", INTID_EL1_PTIMER, cntpct, ptimer_set_cval, ptimer_set_tval, ptimer_cval, ptval,
    ptimer_set_ctl, ptimer_ctl,
};

static const struct timer_ops *active;
static volatile unsigned fired;
static volatile uint64_t fired_at;
static volatile uint64_t fired_ctl;

static void timer_handler(unsigned intid)
{
    fired_at = active->count();
    fired_ctl = active->ctl();
    fired++;
    /* Level-triggered: mask at the timer or it fires again after EOI. */
    active->set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

static const char *name(const struct timer_ops *t, const char *check)
{
    static char buf[NAME_MAX_LEN];

    elv_snprintf(buf, sizeof(buf), "%s_%s", t->name, check);
    return buf;
}

static void arm_timer(const struct timer_ops *t)
{
    active = t;
    fired = 0;
    fired_at = 0;
    fired_ctl = 0;
    irq_set_handler(t->intid, timer_handler);
    guest_gic_enable_private(t->intid);
}

static void disarm(const struct timer_ops *t)
{
    t->set_ctl(0);
    guest_gic_disable_private(t->intid);
    guest_gic_clear_pending_private(t->intid);
}

static void check_fired(const struct timer_ops *t, const char *check, uint64_t deadline)
{
    bool ok = WAIT_UNTIL(fired != 0, WAIT_TIMEOUT_US);

    if (!ok)
        test_fail(name(t, check), "no interrupt (ctl 0x%lx, count %lu, cval %lu)", t->ctl(),
                  t->count(), t->cval());
    else if (fired_at < deadline)
        test_fail(name(t, check), "interrupt %lu ticks before the deadline", deadline - fired_at);
    else if (!(fired_ctl & CNT_CTL_ISTATUS))
        test_fail(name(t, check), "handler saw CTL 0x%lx without ISTATUS", fired_ctl);
    else
        test_pass(name(t, check));
}

static void check_timer(const struct timer_ops *t)
{
    uint64_t delay = ticks_from_us(DELAY_US);

    irq_enable();

    arm_timer(t);
    uint64_t deadline = t->count() + delay;
    t->set_cval(deadline);
    t->set_ctl(CNT_CTL_ENABLE);
    check_fired(t, "cval_irq", deadline);
    bool refired = WAIT_UNTIL(fired > 1, QUIET_US);
    test_check(!refired, name(t, "masked_in_handler_once"), "%u interrupts for one expiry", fired);
    disarm(t);

    arm_timer(t);
    uint64_t before = t->count();
    t->set_tval((int32_t)delay);
    t->set_ctl(CNT_CTL_ENABLE);
    uint64_t after = t->count();
    uint64_t cval = t->cval();
    test_check(cval >= before + delay && cval <= after + delay, name(t, "tval_sets_cval"),
               "CVAL %lu outside [%lu, %lu]", cval, before + delay, after + delay);
    /* TVAL reads CVAL minus the counter at the read: bracket the read with
     * counter reads so the check holds however slowly the host runs. */
    uint64_t t_a = t->count();
    int64_t tval1 = (int32_t)t->tval();
    uint64_t t_b = t->count();
    /* A counter slower than the CPU (62.5 MHz on QEMU's older models,
     * under -icount one tick per 16 instructions) may not move between two
     * reads: wait until it has before the second. */
    while (t->count() == t_b)
        ;
    int64_t tval2 = (int32_t)t->tval();
    int64_t hi = (int64_t)(cval - t_a), lo = (int64_t)(cval - t_b);
    /* TVAL is the low 32 bits of CVAL minus the count, signed: a vCPU
     * held off for seconds between the write and the read (three levels
     * of virtualization) reads a deadline more than 2^31 ticks past as
     * that truncation. So the bracket and the descent are compared
     * modulo 2^32, which is what the architecture promises. */
    bool in_bracket = (uint32_t)((uint64_t)tval1 - (uint64_t)lo) <= (uint64_t)(hi - lo);
    bool down = (int32_t)(uint32_t)((uint64_t)tval1 - (uint64_t)tval2) > 0;
    test_check(in_bracket && down, name(t, "tval_counts_down"),
               "TVAL read %ld then %ld, first read should be in [%ld, %ld] modulo 2^32", (long)tval1,
               (long)tval2, (long)lo, (long)hi);
    check_fired(t, "tval_irq", cval);
    disarm(t);

    /* Condition met but IMASK set: ISTATUS shows it, no interrupt. */
    arm_timer(t);
    t->set_cval(t->count() - 1);
    t->set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    bool leaked = WAIT_UNTIL(fired != 0, QUIET_US);
    test_check(!leaked && (t->ctl() & CNT_CTL_ISTATUS), name(t, "imask_silent"),
               "fired %u, CTL 0x%lx", fired, t->ctl());
    t->set_ctl(0);
    leaked = WAIT_UNTIL(fired != 0, QUIET_US);
    test_check(!leaked, name(t, "disabled_silent"), "a disabled timer interrupted");
    disarm(t);

    irq_disable();
}

/* With the timer enabled but masked (TVAL is UNKNOWN while disabled): a
 * written CVAL reads back unchanged, TVAL reads CVAL minus the counter as a
 * signed 32-bit value, ISTATUS says whether the counter has reached CVAL,
 * and a negative TVAL puts CVAL behind the counter. A CVAL or counter that
 * lost or gained an offset on its way to the hardware breaks one of them. */
static void check_roundtrip(const struct timer_ops *t)
{
    uint64_t ahead = ticks_from_us(ROUNDTRIP_US);
    uint64_t now = t->count();
    /* Behind the counter without wrapping below 0: a VM's counters start
     * near 0, so the guest may not have run for `ahead` yet. */
    uint64_t behind = now / 2 < ahead ? now / 2 : ahead;
    const uint64_t cvals[] = { now + ahead, now - behind, 0, ~0ULL, now + FAR_AHEAD };
    const int64_t offsets[] = { (int64_t)ahead, -(int64_t)behind };
    bool ok = true;

    t->set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    for (unsigned i = 0; i < sizeof(cvals) / sizeof(cvals[0]) && ok; i++) {
        t->set_cval(cvals[i]);
        uint64_t got = t->cval();
        ok = got == cvals[i];
        if (!ok)
            test_fail(name(t, "cval_roundtrip"), "wrote CVAL %lu, read %lu", cvals[i], got);
    }
    if (ok)
        test_pass(name(t, "cval_roundtrip"));

    for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]) && ok; i++) {
        uint64_t cval = t->count() + (uint64_t)offsets[i];
        t->set_cval(cval);
        uint64_t t_a = t->count();
        int64_t tval = (int32_t)t->tval();
        uint64_t t_b = t->count();
        int64_t hi = (int64_t)(cval - t_a), lo = (int64_t)(cval - t_b);
        ok = tval >= lo && tval <= hi;
        if (!ok)
            test_fail(name(t, "tval_from_cval"), "CVAL %lu: TVAL %ld outside [%ld, %ld]", cval,
                      (long)tval, (long)lo, (long)hi);
    }
    if (ok)
        test_pass(name(t, "tval_from_cval"));

    t->set_cval(t->count() + FAR_AHEAD);
    uint64_t ctl_ahead = t->ctl();
    t->set_cval(t->count() - behind);
    uint64_t ctl_behind = t->ctl();
    test_check(!(ctl_ahead & CNT_CTL_ISTATUS) && (ctl_behind & CNT_CTL_ISTATUS),
               name(t, "istatus_from_cval"), "CTL 0x%lx with CVAL ahead, 0x%lx with CVAL behind",
               ctl_ahead, ctl_behind);
    /* The largest CVAL ("never"): an offset added on the way to the
     * hardware must not wrap it into the past. */
    t->set_cval(~0ULL);
    uint64_t ctl_max = t->ctl();
    test_check(!(ctl_max & CNT_CTL_ISTATUS) && t->cval() == ~0ULL, name(t, "istatus_cval_max"),
               "CTL 0x%lx, CVAL 0x%lx after writing CVAL 0xffffffffffffffff", ctl_max, t->cval());

    uint64_t before = t->count();
    t->set_tval(-(int32_t)behind);
    uint64_t after = t->count();
    uint64_t cval = t->cval();
    test_check(cval >= before - behind && cval <= after - behind && (t->ctl() & CNT_CTL_ISTATUS),
               name(t, "negative_tval"), "CVAL %lu outside [%lu, %lu] or CTL 0x%lx without ISTATUS",
               cval, before - behind, after - behind, t->ctl());
    t->set_ctl(0);
}

/* Both counters carry the same offset: a physical read between two virtual
 * reads lies between them, however long the reads take. */
static void check_counters_agree(void)
{
    char time[16] = "wall";

    /* With virtual-time = "own" (timer.time=own) the virtual counter runs
     * behind the physical one by the time its VM was kept from running:
     * the physical read is then at or after the second virtual one. */
    bootarg_get(dtb_bootargs(guest_dtb), "timer.time", time, sizeof(time));
    if (!strcmp(time, "own")) {
        for (int i = 0; i < AGREE_ROUNDS; i++) {
            uint64_t v1 = cntvct();
            uint64_t p = cntpct();
            if (p < v1) {
                test_fail("cntvct_not_ahead", "CNTPCT %lu read after CNTVCT %lu", p, v1);
                return;
            }
        }
        test_pass("cntvct_not_ahead");
        return;
    }
    for (int i = 0; i < AGREE_ROUNDS; i++) {
        uint64_t v1 = cntvct();
        uint64_t p = cntpct();
        uint64_t v2 = cntvct();
        if (p < v1 || p > v2) {
            test_fail("cntpct_cntvct_agree", "CNTPCT %lu read between CNTVCT %lu and %lu", p, v1,
                      v2);
            return;
        }
    }
    test_pass("cntpct_cntvct_agree");
}

static void check_wfi(void)
{
    const struct timer_ops *t = &vtimer;
    uint64_t delay = ticks_from_us(DELAY_US);

    /* PSTATE.I masks the exception, not the wake-up. */
    irq_disable();
    arm_timer(t);
    uint64_t deadline = t->count() + delay;
    t->set_cval(deadline);
    t->set_ctl(CNT_CTL_ENABLE);
    wfi();
    uint64_t woke = t->count();
    irq_enable();
    test_check(woke >= deadline, "wfi_waits_for_timer", "WFI returned %lu ticks early",
               deadline - woke);
    check_fired(t, "wfi_then_irq", deadline);
    disarm(t);

    irq_disable();
    arm_timer(t);
    t->set_cval(t->count() - 1);
    t->set_ctl(CNT_CTL_ENABLE);
    uint64_t start = t->count();
    wfi();
    uint64_t spent = t->count() - start;
    irq_enable();
    test_check(spent < ticks_from_us(PENDING_WFI_US), "wfi_pending_returns",
               "WFI with a pending interrupt took %lu ticks", spent);
    check_fired(t, "wfi_pending_irq", start - 1);
    disarm(t);
    irq_disable();
}

/* The guest takes a timer interrupt's state away through the GIC's
 * registers (ICACTIVER0, ICPENDR0: its own redistributor on GICv3, the
 * banked distributor registers on GICv2) instead of deactivating it. A
 * hypervisor that forwards the timer PPIs with the list register's HW bit
 * holds the physical PPI active meanwhile: it must let it go, or the
 * timer never interrupts this CPU again. Each wait ends at a watchdog,
 * the other EL1 timer, so a lost interrupt is a FAIL, not a hang. */

static const struct timer_ops *watchdog;
static volatile unsigned watchdog_fired;
/* A timer whose interrupt a check found lost can be no watchdog. */
static bool vtimer_lost, ptimer_lost;
static volatile bool clear_active_in_handler;
static volatile bool active_before_clear, active_after_clear;

static void watchdog_handler(unsigned intid)
{
    watchdog_fired++;
    watchdog->set_ctl(0);
}

static void clearing_handler(unsigned intid)
{
    timer_handler(intid);
    if (clear_active_in_handler) {
        clear_active_in_handler = false;
        active_before_clear = guest_gic_private_active(intid);
        guest_gic_clear_active_private(intid);
        active_after_clear = guest_gic_private_active(intid);
    }
}

/* WFI (PSTATE.I masked, then unmasked to take what woke it) until the
 * timer under test has interrupted `count` times or the watchdog fires;
 * whether the former. */
static bool wfi_until_fired(unsigned count)
{
    bool *lost = watchdog == &vtimer ? &ptimer_lost : &vtimer_lost;

    if (vtimer_lost || ptimer_lost) {
        /* No WFI without a working watchdog: poll, bounded. */
        irq_enable();
        bool ok = WAIT_UNTIL(fired >= count, WAIT_TIMEOUT_US);
        irq_disable();
        *lost |= !ok;
        return ok;
    }
    watchdog_fired = 0;
    irq_set_handler(watchdog->intid, watchdog_handler);
    guest_gic_enable_private(watchdog->intid);
    watchdog->set_cval(watchdog->count() + ticks_from_us(WAIT_TIMEOUT_US));
    watchdog->set_ctl(CNT_CTL_ENABLE);
    irq_disable();
    while (fired < count && !watchdog_fired) {
        wfi();
        irq_enable();
        isb();
        irq_disable();
    }
    disarm(watchdog);
    *lost |= fired < count;
    return fired >= count;
}

static void arm_clearing(const struct timer_ops *t)
{
    arm_timer(t);
    watchdog = t == &vtimer ? &ptimer : &vtimer;
    irq_set_handler(t->intid, clearing_handler);
}

/* Taken, then its active state cleared in the handler (the timer already
 * masked, so its line is low): re-armed, it must interrupt again. */
static void check_icactiver(const struct timer_ops *t)
{
    uint64_t delay = ticks_from_us(DELAY_US);

    arm_clearing(t);
    clear_active_in_handler = true;
    t->set_cval(t->count() + delay);
    t->set_ctl(CNT_CTL_ENABLE);
    bool taken = wfi_until_fired(1);
    test_check(taken && active_before_clear && !active_after_clear,
               name(t, "icactiver_in_handler"), "taken %d, ISACTIVER0 bit %d before, %d after",
               taken, active_before_clear, active_after_clear);

    uint64_t deadline = t->count() + delay;
    t->set_cval(deadline);
    t->set_ctl(CNT_CTL_ENABLE);
    bool again = wfi_until_fired(2);
    if (!again)
        test_fail(name(t, "icactiver_rearm_irq"), "no interrupt after re-arming (CTL 0x%lx)",
                  t->ctl());
    else
        test_check(fired_at >= deadline, name(t, "icactiver_rearm_irq"),
                   "interrupt %lu ticks before the deadline", deadline - fired_at);
    disarm(t);
}

/* Pending while PSTATE.I masks it, before anything acknowledged it. */
static bool pend_masked(const struct timer_ops *t)
{
    irq_disable();
    arm_clearing(t);
    t->set_cval(t->count() - 1);
    t->set_ctl(CNT_CTL_ENABLE);
    return WAIT_UNTIL(guest_gic_private_pending(t->intid), WAIT_TIMEOUT_US);
}

/* ICPENDR0 of a level interrupt whose line is still high: pending again
 * at once, and taken when unmasked. Then the pending state follows the
 * line: a timer disabled, or re-armed into the future, is not pending and
 * does not interrupt before its new deadline. */
static void check_icpendr(const struct timer_ops *t)
{
    uint64_t delay = ticks_from_us(DELAY_US);

    test_check(pend_masked(t), name(t, "pending_while_masked"), "ISPENDR0 bit never set");
    guest_gic_clear_pending_private(t->intid);
    bool again = WAIT_UNTIL(guest_gic_private_pending(t->intid), WAIT_TIMEOUT_US);
    test_check(again, name(t, "icpendr_line_high_pends_again"),
               "not pending after ICPENDR0 with the timer condition met (CTL 0x%lx)", t->ctl());
    bool taken = wfi_until_fired(1);
    test_check(taken && fired == 1, name(t, "icpendr_then_irq"),
               "%u interrupts after ICPENDR0 with the line high (CTL 0x%lx)", fired, t->ctl());
    disarm(t);

    pend_masked(t);
    t->set_ctl(0);
    test_check(!guest_gic_private_pending(t->intid), name(t, "disabled_not_pending"),
               "ISPENDR0 bit still set after disabling the timer");
    irq_enable();
    bool leaked = WAIT_UNTIL(fired != 0, QUIET_US);
    irq_disable();
    test_check(!leaked, name(t, "disabled_pending_not_taken"),
               "interrupt taken after the timer was disabled (CTL 0x%lx)", fired_ctl);
    disarm(t);

    /* Far ahead first: the read below may come milliseconds later (an
     * exit, a time slice of another VM on this CPU), and a deadline it
     * passed would rightly pend again. */
    pend_masked(t);
    t->set_cval(t->count() + ticks_from_us(ROUNDTRIP_US));
    test_check(!guest_gic_private_pending(t->intid), name(t, "rearmed_not_pending"),
               "ISPENDR0 bit still set with CVAL ahead");
    uint64_t deadline = t->count() + delay;
    t->set_cval(deadline);
    bool rearmed = wfi_until_fired(1);
    if (!rearmed)
        test_fail(name(t, "rearmed_irq"), "no interrupt at the new deadline (CTL 0x%lx)",
                  t->ctl());
    else
        test_check(fired_at >= deadline, name(t, "rearmed_irq"),
                   "interrupt %lu ticks before the new deadline", deadline - fired_at);
    disarm(t);
}

static void check_monotonic(const char *check, uint64_t (*count)(void))
{
    uint64_t first = count(), prev = first;

    for (int i = 0; i < MONOTONIC_READS; i++) {
        uint64_t now = count();
        if (now < prev) {
            test_fail(check, "counter went back from %lu to %lu", prev, now);
            return;
        }
        prev = now;
    }
    test_check(prev > first, check, "counter did not advance over %d reads", MONOTONIC_READS);
}

void guest_main(void)
{
    uint64_t frq = cntfrq();

    test_check(frq != 0, "cntfrq", "CNTFRQ_EL0 is 0");
    test_note("CNTFRQ_EL0 = %lu Hz", frq);
    check_monotonic("cntvct_monotonic", cntvct);
    check_monotonic("cntpct_monotonic", cntpct);
    check_counters_agree();
    check_roundtrip(&vtimer);
    check_roundtrip(&ptimer);
    check_timer(&vtimer);
    check_timer(&ptimer);
    check_wfi();
    check_icactiver(&vtimer);
    check_icactiver(&ptimer);
    check_icpendr(&vtimer);
    check_icpendr(&ptimer);
    test_check(irq_unhandled_count() == 0, "no_stray_irqs", "%u interrupts without a handler",
               irq_unhandled_count());
}
