/* psci: PSCI 1.1 and SMCCC 1.1 through HVC as a VM sees them: discovery,
 * CPU_ON/CPU_OFF/AFFINITY_INFO of vCPU 1, CPU_SUSPEND standby woken by a
 * timer, SYSTEM_RESET (the guest boots twice) and SYSTEM_OFF at the end.
 * Needs 2 vCPUs. */
#include "guest.h"

const char guest_name[] = "psci";

/* Survives SYSTEM_RESET: RAM is kept, only the image is reloaded, and this
 * lies well past the image, its bss and stacks. */
#define RESET_RECORD_ADDR   (RAM_BASE + 0x1000000UL)
#define RESET_MAGIC         0x7073636952534554UL    /* "psciRSET" */

#define PSCI_VERSION_1_1    MAKE_VERSION(1, 1)
#define SMCCC_VERSION_1_1   MAKE_VERSION(1, 1)
#define UNKNOWN_PSCI_FN     0x840000FFU
#define UNKNOWN_ARCH_FN     0x8000FF00U
#define ABSENT_MPIDR        0xFFUL      /* Aff0 255: no such vCPU */
#define CTX_TAG_FIRST       0xC0FFEEUL
#define CTX_TAG_SECOND      0xBEEFUL
#define SUSPEND_DELAY_US    2000

struct reset_record {
    uint64_t magic;
    uint64_t passed;
    uint64_t failed;
};

static volatile bool cpu1_stop;
static volatile uint64_t vtimer_fired_at;

static void vtimer_handler(unsigned intid)
{
    vtimer_fired_at = cntvct();
    vtimer_set_ctl(CNT_CTL_IMASK);
}

static void cpu1_main(uint64_t arg)
{
    while (!cpu1_stop)
        cpu_relax();
}

static void check_versions(void)
{
    int64_t v = smccc_hvc(PSCI_VERSION, 0, 0, 0);
    test_check(v == PSCI_VERSION_1_1, "psci_version", "PSCI_VERSION = 0x%lx (%ld.%ld), want 1.1",
               (uint64_t)v, (long)VERSION_MAJOR(v), (long)VERSION_MINOR(v));

    v = smccc_hvc(SMCCC_VERSION, 0, 0, 0);
    test_check(v >= SMCCC_VERSION_1_1, "smccc_version", "SMCCC_VERSION = %ld, want >= 1.1%s",
               (long)v, exc_hvc_undef_count() ? " (HVC was UNDEFINED)" : "");

    v = smccc_hvc(SMCCC_ARCH_FEATURES, UNKNOWN_ARCH_FN, 0, 0);
    test_check(v == PSCI_RET_NOT_SUPPORTED, "smccc_arch_features_unknown",
               "SMCCC_ARCH_FEATURES(0x%x) = %ld, want NOT_SUPPORTED", UNKNOWN_ARCH_FN, (long)v);
    v = smccc_hvc(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0);
    test_check(v >= -1 && v <= 1, "smccc_arch_features_wa1",
               "SMCCC_ARCH_FEATURES(WORKAROUND_1) = %ld, want -1, 0 or 1", (long)v);
}

static void check_features(void)
{
    static const struct { const char *check; uint32_t fid; } fns[] = {
        { "features_psci_version", PSCI_VERSION },
        { "features_cpu_suspend", PSCI_CPU_SUSPEND_64 },
        { "features_cpu_off", PSCI_CPU_OFF },
        { "features_cpu_on", PSCI_CPU_ON_64 },
        { "features_affinity_info", PSCI_AFFINITY_INFO_64 },
        { "features_system_off", PSCI_SYSTEM_OFF },
        { "features_system_reset", PSCI_SYSTEM_RESET },
        { "features_psci_features", PSCI_FEATURES },
        { "features_smccc_version", SMCCC_VERSION },
    };

    for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        int64_t r = smccc_hvc(PSCI_FEATURES, fns[i].fid, 0, 0);
        test_check(r >= 0, fns[i].check, "PSCI_FEATURES(0x%x) = %ld", fns[i].fid, (long)r);
    }
    int64_t r = smccc_hvc(PSCI_FEATURES, UNKNOWN_PSCI_FN, 0, 0);
    test_check(r == PSCI_RET_NOT_SUPPORTED, "features_unknown",
               "PSCI_FEATURES(0x%x) = %ld, want NOT_SUPPORTED", UNKNOWN_PSCI_FN, (long)r);
}

static bool wait_affinity(uint64_t mpidr, int64_t state)
{
    return WAIT_UNTIL(psci_affinity_info(mpidr) == state, WAIT_TIMEOUT_US);
}

/* Starts vCPU 1 with the given context tag; returns whether it came up. */
static bool start_cpu1(const char *check, uint64_t tag)
{
    unsigned boots = smp_boot_count(1);

    cpu1_stop = false;
    int64_t r = smp_cpu_on(1, cpu1_main, 0, tag);
    if (r != PSCI_RET_SUCCESS) {
        test_fail(check, "CPU_ON = %ld", (long)r);
        return false;
    }
    if (!smp_wait_booted(1, boots, WAIT_TIMEOUT_US)) {
        test_fail(check, "CPU_ON succeeded but vCPU 1 never ran");
        return false;
    }
    test_pass(check);
    test_expect_eq(tag == CTX_TAG_FIRST ? "cpu_on_context_id" : "cpu_on_again_context_id",
                   smp_boot_x0(1), smp_context_id(1, tag));
    return true;
}

static void stop_cpu1(const char *check)
{
    uint64_t mpidr1 = smp_cpu_mpidr(1);

    cpu1_stop = true;
    test_check(wait_affinity(mpidr1, PSCI_AFFINITY_OFF), check,
               "AFFINITY_INFO still %ld after CPU_OFF", (long)psci_affinity_info(mpidr1));
}

static void check_cpu_power(void)
{
    uint64_t self = smp_cpu_mpidr(0);
    uint64_t mpidr1 = smp_cpu_mpidr(1);

    test_expect_eq("affinity_info_self", (uint64_t)psci_affinity_info(self), PSCI_AFFINITY_ON);
    test_expect_eq("affinity_info_off_before_on", (uint64_t)psci_affinity_info(mpidr1),
                   PSCI_AFFINITY_OFF);
    test_expect_eq("affinity_info_absent", (uint64_t)psci_affinity_info(ABSENT_MPIDR),
                   (uint64_t)PSCI_RET_INVALID_PARAMS);
    test_expect_eq("cpu_on_absent", (uint64_t)psci_cpu_on(ABSENT_MPIDR, 0, 0),
                   (uint64_t)PSCI_RET_INVALID_PARAMS);

    if (!start_cpu1("cpu_on", CTX_TAG_FIRST))
        return;
    test_check(wait_affinity(mpidr1, PSCI_AFFINITY_ON), "affinity_info_on",
               "AFFINITY_INFO = %ld after vCPU 1 ran", (long)psci_affinity_info(mpidr1));
    int64_t r = psci_cpu_on(mpidr1, (uint64_t)(uintptr_t)guest_secondary_entry, 0);
    test_check(r == PSCI_RET_ALREADY_ON, "cpu_on_already_on", "CPU_ON of a running vCPU = %ld",
               (long)r);
    stop_cpu1("cpu_off");

    if (start_cpu1("cpu_on_again", CTX_TAG_SECOND))
        stop_cpu1("cpu_off_again");
}

static void check_cpu_suspend(void)
{
    uint64_t delay = ticks_from_us(SUSPEND_DELAY_US);

    irq_set_handler(INTID_EL1_VTIMER, vtimer_handler);
    guest_gic_enable_private(INTID_EL1_VTIMER);
    vtimer_fired_at = 0;

    /* Masked at PSTATE: standby still wakes on the pending interrupt, and
     * the handler runs once we unmask. */
    irq_disable();
    uint64_t deadline = cntvct() + delay;
    vtimer_set_cval(deadline);
    vtimer_set_ctl(CNT_CTL_ENABLE);
    int64_t r = smccc_hvc(PSCI_CPU_SUSPEND_64, PSCI_POWER_STATE_STANDBY, 0, 0);
    uint64_t woke = cntvct();
    irq_enable();
    WAIT_UNTIL(vtimer_fired_at != 0, WAIT_TIMEOUT_US);

    test_check(r == PSCI_RET_SUCCESS, "cpu_suspend_standby", "CPU_SUSPEND = %ld", (long)r);
    test_check(woke >= deadline, "cpu_suspend_waits", "returned %lu ticks before the timer",
               deadline - woke);
    test_check(vtimer_fired_at >= deadline, "cpu_suspend_wakeup_irq",
               "timer handler at %lu, deadline %lu", vtimer_fired_at, deadline);
    vtimer_set_ctl(0);
    guest_gic_disable_private(INTID_EL1_VTIMER);
}

static void second_boot(volatile struct reset_record *rec)
{
    test_set_counts((unsigned)rec->passed, (unsigned)rec->failed);
    rec->magic = 0;
    dsb(sy);
    test_pass("system_reset");
    if (smp_num_cpus() > 1)
        test_expect_eq("reset_secondary_off", (uint64_t)psci_affinity_info(smp_cpu_mpidr(1)),
                       PSCI_AFFINITY_OFF);
}

void guest_main(void)
{
    volatile struct reset_record *rec = (volatile struct reset_record *)RESET_RECORD_ADDR;

    if (rec->magic == RESET_MAGIC) {
        second_boot(rec);
        return;
    }
    check_versions();
    check_features();
    if (smp_num_cpus() < 2)
        test_fail("cpu_on", "needs 2 vCPUs, the DTB lists %u", smp_num_cpus());
    else
        check_cpu_power();
    check_cpu_suspend();

    test_note("SYSTEM_RESET: the guest boots again and reports system_reset");
    rec->passed = test_passed();
    rec->failed = test_failed();
    rec->magic = RESET_MAGIC;
    dsb(sy);
    int64_t r = psci_system_reset();
    rec->magic = 0;
    test_fail("system_reset", "SYSTEM_RESET returned %ld", (long)r);
}
