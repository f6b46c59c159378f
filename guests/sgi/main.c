/* sgi: software-generated interrupts between two vCPUs, by target list and
 * to all but the sender, in both directions: on GICv3 through ICC_SGI1R_EL1
 * (target list / IRM broadcast), on GICv2 through GICD_SGIR (CPUTargetList /
 * TargetListFilter = 1). Each handler counts per (receiving CPU, SGI), so
 * delivery to the wrong CPU or a lost/duplicated SGI shows. GICv2 also has
 * the CPU interface masks (GICD_ITARGETSR0), GICD_TYPER.CPUNumber and the
 * source CPU in GICC_IAR checked. Needs 2 vCPUs. */
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
/* How long a started vCPU, a request to vCPU 1 or an SGI may take to show:
 * seconds where the hypervisor's own world switch traps (Linux's nVHE KVM
 * at a virtual EL2 under two elvisors: with 2 s, SGIs there came late and
 * broadcasts failed; with this all 9 checks pass). Each wait ends as soon
 * as the event is seen, and a lost SGI still fails its check, only later;
 * the negative checks keep QUIET_US. */
#define ARRIVAL_WAIT_US 30000000
#define PMR_MASK_ALL    0x00    /* no priority is higher than 0 */

enum cpu1_op {
    OP_NONE,
    OP_SEND_LIST,
    OP_SEND_BCAST,
    OP_DISABLE,     /* GICv2: cpu1 disables sgi in its banked GICD_ICENABLER0 */
    OP_ENABLE,
    OP_PMR_MASK,    /* cpu1 masks every priority at its CPU interface */
    OP_PMR_UNMASK,
    OP_STOP
};

struct mailbox {
    volatile enum cpu1_op op;
    volatile unsigned sgi;
    volatile unsigned seq;
    volatile unsigned done;
    volatile bool enabled;      /* OP_DISABLE/OP_ENABLE: the bit read back */
};

static volatile unsigned counts[MAX_CPUS][SGI_COUNT];
static struct mailbox box;
/* GICv2: SGIs whose GICC_IAR.CPUID was checked, and how many were wrong. */
static volatile unsigned src_checked, src_wrong, src_last_wrong;

/* The logical CPU that sends each SGI (GICv2 source check). */
static const unsigned sender_of[SGI_COUNT] = {
    [SGI_TO1_LIST] = 0, [SGI_TO1_BCAST] = 0, [SGI_TO0_LIST] = 1, [SGI_TO0_BCAST] = 1,
    [SGI_SELF] = 0, [SGI_BOTH] = 0, [SGI_MASKED] = 0,
};

/* GICv2 CPU interface number of a logical CPU (its mask's bit), or 8. */
static unsigned cpu_if_number(unsigned cpu)
{
    uint8_t mask = guest_gic_cpu_target_mask(cpu);
    unsigned n = 0;

    while (n < 8 && !(mask & (1U << n)))
        n++;
    return n;
}

static void sgi_handler(unsigned intid)
{
    counts[cpu_index()][intid]++;
    if (guest_gic_version() == 2) {
        unsigned src = (unsigned)GICC_IAR_CPUID(irq_current_iar());
        src_checked++;
        if (src != cpu_if_number(sender_of[intid])) {
            src_wrong++;
            src_last_wrong = intid;
        }
    }
}

static void enable_sgis(void)
{
    for (unsigned sgi = 1; sgi < SGI_COUNT; sgi++) {
        irq_set_handler(sgi, sgi_handler);
        guest_gic_enable_private(sgi);
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
        switch (op) {
        case OP_SEND_LIST:
            guest_gic_send_sgi(box.sgi, 0);
            break;
        case OP_SEND_BCAST:
            guest_gic_send_sgi_others(box.sgi);
            break;
        case OP_DISABLE:
            guest_gic_disable_private(box.sgi);
            box.enabled = guest_gic_private_enabled(box.sgi);
            break;
        case OP_ENABLE:
            guest_gic_enable_private(box.sgi);
            box.enabled = guest_gic_private_enabled(box.sgi);
            break;
        case OP_PMR_MASK:
            guest_gic_set_pmr(PMR_MASK_ALL);
            break;
        case OP_PMR_UNMASK:
            guest_gic_set_pmr(GIC_PMR_ALLOW_ALL);
            break;
        default:
            break;
        }
        dsb(sy);
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
    return WAIT_UNTIL(box.done == box.seq, ARRIVAL_WAIT_US);
}

static bool wait_count(unsigned cpu, unsigned sgi, unsigned want)
{
    return WAIT_UNTIL(counts[cpu][sgi] >= want, ARRIVAL_WAIT_US);
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

static void send_list_to1(unsigned sgi) { guest_gic_send_sgi(sgi, 1); }
static void send_bcast_from0(unsigned sgi) { guest_gic_send_sgi_others(sgi); }
static void send_list_from1(unsigned sgi) { cpu1_do(OP_SEND_LIST, sgi); }
static void send_bcast_from1(unsigned sgi) { cpu1_do(OP_SEND_BCAST, sgi); }

/* GICv2: the banked GICD_ITARGETSR0 shows each CPU its own interface mask
 * (one bit, in every byte), distinct per CPU; CPUNumber counts the CPUs. */
static void check_v2_cpu_interfaces(void)
{
    uint32_t t0 = guest_gic_cpu_itargetsr0(0), t1 = guest_gic_cpu_itargetsr0(1);
    uint8_t m0 = (uint8_t)t0, m1 = (uint8_t)t1;
    bool one_bit = m0 && !(m0 & (m0 - 1)) && m1 && !(m1 & (m1 - 1));

    test_check(one_bit && m0 != m1 && t0 == 0x01010101U * m0 && t1 == 0x01010101U * m1,
               "itargetsr0_cpu_mask", "GICD_ITARGETSR0 read 0x%x on cpu0, 0x%x on cpu1", t0, t1);
    uint32_t typer = mmio_read32(guest_gic_dist_base() + GICD_TYPER);
    test_expect_eq("gicd_typer_cpu_number", GICD_TYPER_CPUNUMBER(typer), smp_num_cpus() - 1);
}

/* One SGI naming both CPUs in its target list. */
static bool send_to_both(void)
{
    if (guest_gic_version() == 2) {
        uint32_t targets = guest_gic_cpu_target_mask(0) | guest_gic_cpu_target_mask(1);
        dsb(ish);
        mmio_write32(guest_gic_dist_base() + GICD_SGIR,
                     GICD_SGIR_FILTER_LIST | (targets << GICD_SGIR_TARGETS_SHIFT) | SGI_BOTH);
        dsb(sy);
        return true;
    }
    uint64_t v0 = guest_gic_sgi1r_value(SGI_BOTH, smp_cpu_mpidr(0));
    uint64_t v1 = guest_gic_sgi1r_value(SGI_BOTH, smp_cpu_mpidr(1));
    uint64_t list_mask = 0xFFFFUL;
    if ((v0 & ~list_mask) != (v1 & ~list_mask)) {
        test_note("to_both skipped: the vCPUs are in different affinity groups");
        return false;
    }
    dsb(ish);
    write_sysreg(v0 | v1, icc_sgi1r_el1);
    isb();
    return true;
}

static void check_self_and_both(void)
{
    guest_gic_send_sgi(SGI_SELF, 0);
    test_check(wait_count(0, SGI_SELF, 1) && counts[1][SGI_SELF] == 0, "to_self",
               "cpu0 counted %u, cpu1 %u", counts[0][SGI_SELF], counts[1][SGI_SELF]);

    if (!send_to_both())
        return;
    bool ok = wait_count(0, SGI_BOTH, 1) && wait_count(1, SGI_BOTH, 1);
    test_check(ok && counts[0][SGI_BOTH] == 1 && counts[1][SGI_BOTH] == 1, "to_both",
               "cpu0 counted %u, cpu1 %u, want 1 each", counts[0][SGI_BOTH],
               counts[1][SGI_BOTH]);
}

/* An SGI sent while cpu1 cannot take it must stay pending, not get lost. */
static void check_held_pending(const char *held_check, const char *taken_check,
                               enum cpu1_op release)
{
    guest_gic_send_sgi(SGI_MASKED, 1);
    bool leaked = WAIT_UNTIL(counts[1][SGI_MASKED] != 0, QUIET_US);
    test_check(!leaked, held_check, "the SGI reached cpu1");
    cpu1_do(release, SGI_MASKED);
    test_check(wait_count(1, SGI_MASKED, 1), taken_check,
               "the pending SGI was lost when cpu1 could take it");
}

/* A disabled SGI stays pending at the target and is taken once enabled.
 * GICv3: cpu0 writes cpu1's redistributor. GICv2: the enables are banked,
 * so cpu1 disables it itself; whether SGIs can be disabled at all is
 * IMPLEMENTATION DEFINED there, and where they cannot (QEMU) cpu1 masks
 * them with GICC_PMR instead. */
static void check_masked(void)
{
    if (guest_gic_version() == 3) {
        uintptr_t sgi1 = guest_gic_sgi_base_of(1);

        mmio_write32(sgi1 + GICR_ICENABLER0, 1U << SGI_MASKED);
        guest_gic_send_sgi(SGI_MASKED, 1);
        bool leaked = WAIT_UNTIL(counts[1][SGI_MASKED] != 0, QUIET_US);
        test_check(!leaked, "disabled_not_delivered", "a disabled SGI reached cpu1");
        mmio_write32(sgi1 + GICR_ISENABLER0, 1U << SGI_MASKED);
        test_check(wait_count(1, SGI_MASKED, 1), "pending_delivered_on_enable",
                   "the pending SGI was lost when it was enabled");
        return;
    }
    if (!cpu1_do(OP_DISABLE, SGI_MASKED)) {
        test_fail("disabled_not_delivered", "cpu1 did not answer");
        return;
    }
    if (!box.enabled) {
        check_held_pending("disabled_not_delivered", "pending_delivered_on_enable", OP_ENABLE);
        return;
    }
    test_note("GICv2: SGI enables are not writable here (IMPLEMENTATION DEFINED): "
              "GICC_PMR holds the SGI instead");
    if (!cpu1_do(OP_PMR_MASK, SGI_MASKED)) {
        test_fail("pmr_masked_not_delivered", "cpu1 did not answer");
        return;
    }
    check_held_pending("pmr_masked_not_delivered", "pending_delivered_on_unmask", OP_PMR_UNMASK);
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
    if (r != PSCI_RET_SUCCESS || !WAIT_UNTIL(box.done == box.seq, ARRIVAL_WAIT_US)) {
        test_fail("setup", "vCPU 1 did not start (CPU_ON = %ld)", (long)r);
        return;
    }
    if (guest_gic_version() == 2)
        check_v2_cpu_interfaces();

    burst("cpu0_to_cpu1_list", SGI_TO1_LIST, 1, send_list_to1);
    burst("cpu0_to_cpu1_broadcast", SGI_TO1_BCAST, 1, send_bcast_from0);
    burst("cpu1_to_cpu0_list", SGI_TO0_LIST, 0, send_list_from1);
    burst("cpu1_to_cpu0_broadcast", SGI_TO0_BCAST, 0, send_bcast_from1);
    check_self_and_both();
    check_masked();
    if (guest_gic_version() == 2)
        test_check(src_checked > 0 && src_wrong == 0, "iar_source_cpu",
                   "%u of %u SGIs had the wrong GICC_IAR.CPUID (last: SGI %u)", src_wrong,
                   src_checked, src_last_wrong);
    test_check(irq_unhandled_count() == 0, "no_stray_irqs", "%u interrupts without a handler",
               irq_unhandled_count());
    cpu1_do(OP_STOP, 0);
}
