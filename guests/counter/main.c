/* counter: a VM's counters start at its boot and run on across a reset.
 * Meant for `-icount shift=0` (tests/integration/guest-args.list), where
 * the counter advances once per executed instruction, so that "small"
 * is deterministic: elvisor zeroes the VM's RAM (tens of millions of
 * instructions) before it boots, which an offset taken too early, or none,
 * leaves in the count. Checks: CNTVCT_EL0 and CNTPCT_EL0 at the guest's
 * first instruction are below ENTRY_MAX_US of counter time; vCPU 1 reads
 * both counters between two reads of vCPU 0 (one offset for every vCPU);
 * after PSCI SYSTEM_RESET both counters at the first instruction are past
 * where they were before the reset. Needs 2 vCPUs. */
#include "guest.h"

const char guest_name[] = "counter";

/* Under -icount shift=0 100 us is 100k instructions. elvisor runs about
 * 4.4k between taking the offset and the guest's first instruction; an
 * offset taken before the VM's RAM is zeroed leaves ~67M in the count, one
 * taken before the other CPUs start and the images load ~0.4M. */
#define ENTRY_MAX_US        100

/* Survives SYSTEM_RESET: RAM is kept (and on bare QEMU too), and this lies
 * well past the image, its bss and stacks. */
#define RESET_RECORD_ADDR   (RAM_BASE + 0x1000000UL)
#define RESET_MAGIC         0x636e74525345544dUL    /* "cntRSETM" */

struct reset_record {
    uint64_t magic;
    uint64_t passed, failed;
    uint64_t cntvct, cntpct;    /* just before SYSTEM_RESET */
};

enum { CPU1_WAIT, CPU1_GO, CPU1_DONE };
static volatile unsigned cpu1_state;
static volatile uint64_t cpu1_vct, cpu1_pct;

static void check_entry(void)
{
    uint64_t limit = ticks_from_us(ENTRY_MAX_US);

    test_note("counters at the first instruction: CNTVCT %lu, CNTPCT %lu (limit %lu)",
              guest_entry_cntvct, guest_entry_cntpct, limit);
    test_check(guest_entry_cntvct < limit, "entry_cntvct_small",
               "CNTVCT_EL0 was %lu at the first instruction, limit %lu", guest_entry_cntvct, limit);
    test_check(guest_entry_cntpct < limit, "entry_cntpct_small",
               "CNTPCT_EL0 was %lu at the first instruction, limit %lu", guest_entry_cntpct, limit);
}

static void cpu1_main(uint64_t arg)
{
    while (cpu1_state != CPU1_GO)
        cpu_relax();
    cpu1_vct = cntvct();
    cpu1_pct = cntpct();
    dsb(sy);
    cpu1_state = CPU1_DONE;
}

/* The counter reads are ISB-fenced, and each side waits on the other's
 * store: vCPU 1's reads happen after vCPU 0's first and before its second. */
static void check_cpus_agree(void)
{
    if (smp_num_cpus() < 2) {
        test_fail("cpus_agree_cntvct", "needs 2 vCPUs, the DTB lists %u", smp_num_cpus());
        test_fail("cpus_agree_cntpct", "needs 2 vCPUs");
        return;
    }
    int64_t r = smp_cpu_on(1, cpu1_main, 0, 0);
    if (r != PSCI_RET_SUCCESS || !smp_wait_booted(1, 0, WAIT_TIMEOUT_US)) {
        test_fail("cpus_agree_cntvct", "vCPU 1 did not start (CPU_ON %ld)", (long)r);
        test_fail("cpus_agree_cntpct", "vCPU 1 did not start");
        return;
    }
    uint64_t v0 = cntvct(), p0 = cntpct();
    dsb(sy);
    cpu1_state = CPU1_GO;
    bool done = WAIT_UNTIL(cpu1_state == CPU1_DONE, WAIT_TIMEOUT_US);
    uint64_t v2 = cntvct(), p2 = cntpct();

    if (!done) {
        test_fail("cpus_agree_cntvct", "vCPU 1 did not answer");
        test_fail("cpus_agree_cntpct", "vCPU 1 did not answer");
        return;
    }
    test_check(cpu1_vct >= v0 && cpu1_vct <= v2, "cpus_agree_cntvct",
               "vCPU 1 read CNTVCT %lu, vCPU 0 read %lu before and %lu after", cpu1_vct, v0, v2);
    test_check(cpu1_pct >= p0 && cpu1_pct <= p2, "cpus_agree_cntpct",
               "vCPU 1 read CNTPCT %lu, vCPU 0 read %lu before and %lu after", cpu1_pct, p0, p2);
}

static void second_boot(volatile struct reset_record *rec)
{
    test_set_counts((unsigned)rec->passed, (unsigned)rec->failed);
    rec->magic = 0;
    dsb(sy);
    test_check(guest_entry_cntvct > rec->cntvct && guest_entry_cntpct > rec->cntpct,
               "reset_keeps_counters",
               "first instruction after SYSTEM_RESET: CNTVCT %lu, CNTPCT %lu; before it: %lu, %lu",
               guest_entry_cntvct, guest_entry_cntpct, rec->cntvct, rec->cntpct);
}

void guest_main(void)
{
    volatile struct reset_record *rec = (volatile struct reset_record *)RESET_RECORD_ADDR;

    if (rec->magic == RESET_MAGIC) {
        second_boot(rec);
        return;
    }
    check_entry();
    check_cpus_agree();

    test_note("SYSTEM_RESET: the guest boots again and reports reset_keeps_counters");
    rec->passed = test_passed();
    rec->failed = test_failed();
    rec->cntvct = cntvct();
    rec->cntpct = cntpct();
    rec->magic = RESET_MAGIC;
    dsb(sy);
    int64_t r = psci_system_reset();
    rec->magic = 0;
    test_fail("reset_keeps_counters", "SYSTEM_RESET returned %ld", (long)r);
}
