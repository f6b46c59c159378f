/* sgi: software-generated interrupts between two vCPUs through
 * ICC_SGI1R_EL1, by target list and by IRM broadcast, in both directions.
 * Each handler counts per (receiving CPU, SGI), so delivery to the wrong
 * CPU or a lost/duplicated SGI shows. Needs 2 vCPUs. */
#include "guest.h"

const char guest_name[] = "sgi";

enum {
    SGI_TO1_LIST = 1,
    SGI_TO1_BCAST,
    SGI_TO0_LIST,
    SGI_TO0_BCAST,
    SGI_SELF,
    SGI_BOTH,
    SGI_MASKED,
    SGI_COUNT
};

#define REPEAT          16
#define QUIET_US        2000    /* how long a masked SGI must stay undelivered */

enum cpu1_op { OP_NONE, OP_SEND_LIST, OP_SEND_BCAST, OP_STOP };

struct mailbox {
    volatile enum cpu1_op op;
    volatile unsigned sgi;
    volatile unsigned seq;
    volatile unsigned done;
};

static volatile unsigned counts[MAX_CPUS][SGI_COUNT];
static struct mailbox box;

static void sgi_handler(unsigned intid)
{
    counts[cpu_index()][intid]++;
}

static void enable_sgis(void)
{
    for (unsigned sgi = 1; sgi < SGI_COUNT; sgi++) {
        irq_set_handler(sgi, sgi_handler);
        gic_enable_private(sgi);
    }
}

static void cpu1_main(uint64_t arg)
{
    enable_sgis();
    irq_enable();
    box.done = box.seq;
    for (;;) {
        while (box.done == box.seq)
            cpu_relax();
        enum cpu1_op op = box.op;
        if (op == OP_SEND_LIST)
            gic_send_sgi(box.sgi, smp_cpu_mpidr(0));
        else if (op == OP_SEND_BCAST)
            gic_send_sgi_others(box.sgi);
        box.done = box.seq;
        if (op == OP_STOP)
            return;
    }
}

static bool cpu1_do(enum cpu1_op op, unsigned sgi)
{
    box.op = op;
    box.sgi = sgi;
    dsb(sy);
    box.seq++;
    sev();
    return WAIT_UNTIL(box.done == box.seq, WAIT_TIMEOUT_US);
}

static bool wait_count(unsigned cpu, unsigned sgi, unsigned want)
{
    return WAIT_UNTIL(counts[cpu][sgi] >= want, WAIT_TIMEOUT_US);
}

/* Sends REPEAT SGIs one at a time (an SGI still pending would absorb the
 * next one) and checks that exactly the receiver counted them. */
static void burst(const char *check, unsigned sgi, unsigned receiver, void (*send)(unsigned))
{
    unsigned other = receiver ^ 1;

    for (unsigned i = 0; i < REPEAT; i++) {
        send(sgi);
        if (!wait_count(receiver, sgi, i + 1)) {
            test_fail(check, "SGI %u #%u never reached cpu%u (count %u)", sgi, i, receiver,
                      counts[receiver][sgi]);
            return;
        }
    }
    test_check(counts[receiver][sgi] == REPEAT && counts[other][sgi] == 0, check,
               "cpu%u counted %u, cpu%u counted %u, want %u and 0", receiver,
               counts[receiver][sgi], other, counts[other][sgi], REPEAT);
}

static void send_list_to1(unsigned sgi) { gic_send_sgi(sgi, smp_cpu_mpidr(1)); }
static void send_bcast_from0(unsigned sgi) { gic_send_sgi_others(sgi); }
static void send_list_from1(unsigned sgi) { cpu1_do(OP_SEND_LIST, sgi); }
static void send_bcast_from1(unsigned sgi) { cpu1_do(OP_SEND_BCAST, sgi); }

static void check_self_and_both(void)
{
    gic_send_sgi(SGI_SELF, smp_cpu_mpidr(0));
    test_check(wait_count(0, SGI_SELF, 1) && counts[1][SGI_SELF] == 0, "to_self",
               "cpu0 counted %u, cpu1 %u", counts[0][SGI_SELF], counts[1][SGI_SELF]);

    uint64_t v0 = gic_sgi1r_value(SGI_BOTH, smp_cpu_mpidr(0));
    uint64_t v1 = gic_sgi1r_value(SGI_BOTH, smp_cpu_mpidr(1));
    uint64_t list_mask = 0xFFFFUL;
    if ((v0 & ~list_mask) != (v1 & ~list_mask)) {
        test_note("to_both skipped: the vCPUs are in different affinity groups");
        return;
    }
    dsb(ish);
    write_sysreg(v0 | v1, icc_sgi1r_el1);
    isb();
    bool ok = wait_count(0, SGI_BOTH, 1) && wait_count(1, SGI_BOTH, 1);
    test_check(ok && counts[0][SGI_BOTH] == 1 && counts[1][SGI_BOTH] == 1, "to_both",
               "cpu0 counted %u, cpu1 %u, want 1 each", counts[0][SGI_BOTH],
               counts[1][SGI_BOTH]);
}

/* A disabled SGI stays pending at the target and is taken once enabled. */
static void check_masked(void)
{
    uintptr_t sgi1 = gic_sgi_base_of(1);

    mmio_write32(sgi1 + GICR_ICENABLER0, 1U << SGI_MASKED);
    gic_send_sgi(SGI_MASKED, smp_cpu_mpidr(1));
    bool leaked = WAIT_UNTIL(counts[1][SGI_MASKED] != 0, QUIET_US);
    test_check(!leaked, "disabled_not_delivered", "a disabled SGI reached cpu1");
    mmio_write32(sgi1 + GICR_ISENABLER0, 1U << SGI_MASKED);
    test_check(wait_count(1, SGI_MASKED, 1), "pending_delivered_on_enable",
               "the pending SGI was lost when it was enabled");
}

void guest_main(void)
{
    if (smp_num_cpus() < 2) {
        test_fail("setup", "needs 2 vCPUs, the DTB lists %u", smp_num_cpus());
        return;
    }
    enable_sgis();
    irq_enable();
    box.seq = 1;
    box.done = 0;
    int64_t r = smp_cpu_on(1, cpu1_main, 0, 0);
    if (r != PSCI_RET_SUCCESS || !WAIT_UNTIL(box.done == box.seq, WAIT_TIMEOUT_US)) {
        test_fail("setup", "vCPU 1 did not start (CPU_ON = %ld)", (long)r);
        return;
    }

    burst("cpu0_to_cpu1_list", SGI_TO1_LIST, 1, send_list_to1);
    burst("cpu0_to_cpu1_broadcast", SGI_TO1_BCAST, 1, send_bcast_from0);
    burst("cpu1_to_cpu0_list", SGI_TO0_LIST, 0, send_list_from1);
    burst("cpu1_to_cpu0_broadcast", SGI_TO0_BCAST, 0, send_bcast_from1);
    check_self_and_both();
    check_masked();
    test_check(irq_unhandled_count() == 0, "no_stray_irqs", "%u interrupts without a handler",
               irq_unhandled_count());
    cpu1_do(OP_STOP, 0);
}
