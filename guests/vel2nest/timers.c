/* vel2nest: the guest hypervisor's own EL2 timers (docs/nested.md §9.9).
 * At EL2 with E2H = 1 the EL0 timer names reach CNTHP (CNTP_*_EL0) and
 * CNTHV (CNTV_*_EL0); the _EL2 names reach the same timers. For each
 * timer by each name: a TVAL write sets CVAL from the count, a CVAL in the
 * past reads as a negative TVAL with ISTATUS set, and the interrupt comes
 * at INTID 26 (CNTHP) or 28 (CNTHV), not before the deadline. Both timers
 * compare with the physical count (offset 0 at EL2). Bare QEMU's EL2 is
 * the oracle. */
#include "guest.h"
#include "vel2nest.h"

#include "lib/printf.h"

#define DELAY_US        2000
#define TVAL_AHEAD_US   1000000
#define PAST_TICKS      1000
#define NAME_LEN        48
#define HCR_EL2_IMO     BIT(4)

struct el2_timer {
    const char *name;
    unsigned intid;
    uint64_t (*ctl)(void);
    void (*set_ctl)(uint64_t);
    uint64_t (*cval)(void);
    void (*set_cval)(uint64_t);
    uint64_t (*tval)(void);
    void (*set_tval)(uint64_t);
};

#define ACCESSORS(pfx, ctl_reg, cval_reg, tval_reg)                                             \
    static uint64_t pfx##_ctl(void) { return read_sysreg(ctl_reg); }                           \
    static void pfx##_set_ctl(uint64_t v) { write_sysreg(v, ctl_reg); isb(); }                 \
    static uint64_t pfx##_cval(void) { return read_sysreg(cval_reg); }                         \
    static void pfx##_set_cval(uint64_t v) { write_sysreg(v, cval_reg); isb(); }               \
    static uint64_t pfx##_tval(void) { return read_sysreg(tval_reg); }                         \
    static void pfx##_set_tval(uint64_t v) { write_sysreg(v, tval_reg); isb(); }

/* CNTHP_{CTL,CVAL,TVAL}_EL2 = S3_4_C14_C2_{1,2,0}, CNTHV_* = S3_4_C14_C3_*. */
ACCESSORS(hp_el0, cntp_ctl_el0, cntp_cval_el0, cntp_tval_el0)
ACCESSORS(hp_el2, S3_4_C14_C2_1, S3_4_C14_C2_2, S3_4_C14_C2_0)
ACCESSORS(hv_el0, cntv_ctl_el0, cntv_cval_el0, cntv_tval_el0)
ACCESSORS(hv_el2, S3_4_C14_C3_1, S3_4_C14_C3_2, S3_4_C14_C3_0)

#define TIMER(pfx, intid) { #pfx, intid, pfx##_ctl, pfx##_set_ctl, pfx##_cval, pfx##_set_cval, \
                            pfx##_tval, pfx##_set_tval }
static const struct el2_timer timers[] = {
    TIMER(hp_el0, INTID_EL2_PTIMER),
    TIMER(hp_el2, INTID_EL2_PTIMER),
    TIMER(hv_el0, INTID_EL2_VTIMER),
    TIMER(hv_el2, INTID_EL2_VTIMER),
};

static const struct el2_timer *active;
static volatile unsigned fired, fired_intid;
static volatile uint64_t fired_at, fired_ctl;

static void handler(unsigned intid)
{
    fired_at = cntpct();
    fired_ctl = active->ctl();
    fired_intid = intid;
    fired++;
    /* Level: masked at the timer, or it fires again after the EOI. */
    active->set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

/* A check's name: the timer's, the check's, and a suffix naming the
 * circumstance (empty: none). */
static const char *name2(const struct el2_timer *t, const char *check, const char *suffix)
{
    static char buf[NAME_LEN];

    elv_snprintf(buf, sizeof(buf), "%s_%s%s", t->name, check, suffix);
    return buf;
}

static const char *name(const struct el2_timer *t, const char *check)
{
    return name2(t, check, "");
}

/* The timer's interrupt DELAY_US ahead: it comes at its INTID, not early,
 * with ISTATUS set. */
static void check_irq(const struct el2_timer *t, const char *suffix)
{
    uint64_t delay = ticks_from_us(DELAY_US);

    /* EL2 takes physical IRQs only when they are routed to it. */
    uint64_t hcr = read_sysreg(hcr_el2);
    write_sysreg(hcr | HCR_EL2_IMO, hcr_el2);
    isb();
    active = t;
    fired = 0;
    irq_set_handler(t->intid, handler);
    guest_gic_enable_private(t->intid);
    irq_enable();
    uint64_t deadline = cntpct() + delay;
    t->set_cval(deadline);
    t->set_ctl(CNT_CTL_ENABLE);
    bool ok = WAIT_UNTIL(fired != 0, WAIT_TIMEOUT_US);
    irq_disable();
    write_sysreg(hcr, hcr_el2);
    isb();
    t->set_ctl(0);
    guest_gic_disable_private(t->intid);
    guest_gic_clear_pending_private(t->intid);
    if (!test_check(ok, name2(t, "irq", suffix), "no interrupt %u (CTL 0x%lx)", t->intid, t->ctl()))
        return;
    test_expect_eq(name2(t, "irq_intid", suffix), fired_intid, t->intid);
    test_check(fired_at >= deadline, name2(t, "irq_not_early", suffix), "%lu ticks early",
               deadline - fired_at);
    test_check(fired_ctl & CNT_CTL_ISTATUS, name2(t, "irq_istatus", suffix), "CTL 0x%lx", fired_ctl);
}

static void check_one(const struct el2_timer *t)
{
    uint64_t ahead = ticks_from_us(TVAL_AHEAD_US);

    t->set_ctl(0);
    uint64_t before = cntpct();
    t->set_tval(ahead);
    uint64_t after = cntpct();
    uint64_t cval = t->cval();
    test_check(cval >= before + ahead && cval <= after + ahead, name(t, "tval_sets_cval"),
               "CVAL %lu outside [%lu, %lu]", cval, before + ahead, after + ahead);

    t->set_cval(cntpct() - PAST_TICKS);
    t->set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
    int64_t tval = (int32_t)t->tval();
    test_check(tval <= -PAST_TICKS, name(t, "cval_past_tval_negative"), "TVAL %ld", (long)tval);
    test_check(t->ctl() & CNT_CTL_ISTATUS, name(t, "cval_past_istatus"), "CTL 0x%lx", t->ctl());
    t->set_ctl(0);

    check_irq(t, "");
}

/* With E2H = 0 the EL0 names mean the EL1 timers, and CNTHV (FEAT_VHE)
 * is not the hypervisor's to use: CNTHP by its _EL2 names only. */
void check_el2_timers(bool e2h)
{
    for (unsigned i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
        if (e2h || timers[i].set_ctl == hp_el2_set_ctl)
            check_one(&timers[i]);
}

/* KVM holds its guest's timer interrupts (INTIDs 27 and 30) active through
 * GICR_ISACTIVER0 while it loads and puts that guest's vCPU, and may leave
 * them active when none runs (Linux 7.3's VHE KVM does, after its guest
 * powers off). On hardware they are other PPIs than its own EL2 timers',
 * which must keep firing: CNTHV and CNTHP by their EL0 names, INTIDs 28
 * and 26, with 27 and 30 held active. Call after its guest's timer
 * interrupts came through the hardware timers (check_l2_hw_lr()): elvisor
 * runs L1's EL2 timers on the EL1 timers whose interrupts those were, and
 * a forwarding left from them blocked CNTHV's interrupt for good (the
 * physical PPI 27 made active for L1's INTID 27). Bare QEMU's EL2 is the
 * oracle. */
void check_el2_timers_beside_active_el1_ppis(void)
{
    static const unsigned held[] = { INTID_EL1_VTIMER, INTID_EL1_PTIMER };

    for (unsigned i = 0; i < sizeof(held) / sizeof(held[0]); i++)
        guest_gic_set_active_private(held[i]);
    for (unsigned i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
        if (timers[i].set_ctl == hv_el0_set_ctl || timers[i].set_ctl == hp_el0_set_ctl)
            check_irq(&timers[i], "_el1_ppis_active");
    for (unsigned i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
        test_check(guest_gic_private_active(held[i]), i ? "ptimer_ppi_held_active" : "vtimer_ppi_held_active",
                   "INTID %u no longer active", held[i]);
        guest_gic_clear_active_private(held[i]);
    }
}

/* Its guest's EL1 timers through the _EL02 names while no guest runs (the
 * VNCR page holds them under NV2): ISTATUS follows the count as on
 * hardware: clear with the deadline a second ahead, set once a deadline
 * armed 200 us ahead has passed with no exception in between, clear again
 * after a re-arm by CVAL alone (Arm ARM, CNTx_CTL: ISTATUS is the timer
 * condition, read-only). The clear checks have a second's margin: a vCPU
 * preempted between its accesses (several VMs, no -icount, three levels)
 * must not see the deadline pass. CNTVOFF_EL2 is 0, so both compare with
 * the physical count. */
#define EL02_DELAY_US   200
#define EL02_AHEAD_US   1000000

ACCESSORS(p_el02, S3_5_C14_C2_1, S3_5_C14_C2_2, S3_5_C14_C2_0)
ACCESSORS(v_el02, S3_5_C14_C3_1, S3_5_C14_C3_2, S3_5_C14_C3_0)

static const struct el2_timer el02_timers[] = {
    TIMER(p_el02, INTID_EL1_PTIMER),
    TIMER(v_el02, INTID_EL1_VTIMER),
};

void check_el02_istatus(void)
{
    write_sysreg(0, cntvoff_el2);
    isb();
    for (unsigned i = 0; i < sizeof(el02_timers) / sizeof(el02_timers[0]); i++) {
        const struct el2_timer *t = &el02_timers[i];

        t->set_cval(cntpct() + ticks_from_us(EL02_AHEAD_US));
        t->set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
        test_check(!(t->ctl() & CNT_CTL_ISTATUS), name(t, "istatus_before"), "CTL 0x%lx", t->ctl());
        uint64_t deadline = cntpct() + ticks_from_us(EL02_DELAY_US);
        t->set_cval(deadline);
        while (cntpct() <= deadline)
            ;
        test_check(t->ctl() & CNT_CTL_ISTATUS, name(t, "istatus_after_deadline"), "CTL 0x%lx", t->ctl());
        t->set_cval(cntpct() + ticks_from_us(EL02_AHEAD_US));
        test_check(!(t->ctl() & CNT_CTL_ISTATUS), name(t, "istatus_rearmed_by_cval"), "CTL 0x%lx",
                   t->ctl());
        t->set_ctl(0);
        test_check(!(t->ctl() & CNT_CTL_ISTATUS), name(t, "istatus_disabled"), "CTL 0x%lx", t->ctl());
    }
}
