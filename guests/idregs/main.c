/* idregs: the identification registers a non-nested VM sees. MPIDR of each
 * vCPU matches its DTB cpu node; MIDR is the same on every vCPU; the ID
 * registers hide what elvisor does not virtualize (EL2, EL3, SVE, SME,
 * AMU, MTE, PMU) and read the same every time and on every vCPU. A trapped
 * register elvisor does not emulate (the PMU's cycle counter) is UNDEFINED.
 *
 * run-guests.sh places the vCPUs crosswise on the physical CPUs under
 * elvisor, so that the hardware's own MPIDR differs from the one the guest
 * must see. MIDR has no such lever: every physical CPU of the machine has
 * the same MIDR and QEMU resets VPIDR_EL2 to it, so nothing here can tell
 * whether elvisor wrote VPIDR_EL2 (see docs/testing.md). */
#include "dtb.h"
#include "guest.h"
#include "lib/printf.h"

const char guest_name[] = "idregs";

#define PFR0_EL0(v)         FIELD(v, 0, 4)
#define PFR0_EL1(v)         FIELD(v, 4, 4)
#define PFR0_EL2(v)         FIELD(v, 8, 4)
#define PFR0_EL3(v)         FIELD(v, 12, 4)
#define PFR0_GIC(v)         FIELD(v, 24, 4)
#define PFR0_SVE(v)         FIELD(v, 32, 4)
#define PFR0_AMU(v)         FIELD(v, 44, 4)
#define PFR1_MTE(v)         FIELD(v, 8, 4)
#define PFR1_SME(v)         FIELD(v, 24, 4)
#define DFR0_PMUVER(v)      FIELD(v, 8, 4)
#define MMFR0_PARANGE(v)    FIELD(v, 0, 4)
#define MIDR_ARCHITECTURE(v) FIELD(v, 16, 4)
#define MIDR_ARCH_BY_ID_REGS 0xF   /* features are described by the ID registers */

#define PFR0_EL_AARCH64     1       /* the EL is implemented, AArch64 only */
#define PARANGE_MAX         7       /* 56 bits, the largest defined encoding */

enum { R_MIDR, R_MPIDR, R_PFR0, R_PFR1, R_DFR0, R_MMFR0, R_COUNT };

static const char *const reg_names[R_COUNT] = {
    "midr", "mpidr", "id_aa64pfr0", "id_aa64pfr1", "id_aa64dfr0", "id_aa64mmfr0",
};

struct snapshot {
    uint64_t first[R_COUNT];
    uint64_t second[R_COUNT];
};

static struct snapshot snap[MAX_CPUS];
static volatile bool cpu_done[MAX_CPUS];

static void take_snapshot(struct snapshot *s)
{
    s->first[R_MIDR] = read_sysreg(midr_el1);
    s->first[R_MPIDR] = read_sysreg(mpidr_el1);
    s->first[R_PFR0] = read_sysreg(id_aa64pfr0_el1);
    s->first[R_PFR1] = read_sysreg(id_aa64pfr1_el1);
    s->first[R_DFR0] = read_sysreg(id_aa64dfr0_el1);
    s->first[R_MMFR0] = read_sysreg(id_aa64mmfr0_el1);
    s->second[R_MIDR] = read_sysreg(midr_el1);
    s->second[R_MPIDR] = read_sysreg(mpidr_el1);
    s->second[R_PFR0] = read_sysreg(id_aa64pfr0_el1);
    s->second[R_PFR1] = read_sysreg(id_aa64pfr1_el1);
    s->second[R_DFR0] = read_sysreg(id_aa64dfr0_el1);
    s->second[R_MMFR0] = read_sysreg(id_aa64mmfr0_el1);
}

static void secondary_main(uint64_t arg)
{
    unsigned cpu = cpu_index();

    take_snapshot(&snap[cpu]);
    dsb(sy);
    cpu_done[cpu] = true;
}

/* Starts every other CPU of the DTB in turn; returns how many CPUs (the
 * boot one included) took their snapshot. */
static unsigned snapshot_all(void)
{
    unsigned n = smp_num_cpus();

    take_snapshot(&snap[0]);
    for (unsigned cpu = 1; cpu < n; cpu++) {
        int64_t r = smp_cpu_on(cpu, secondary_main, 0, 0);
        if (r != PSCI_RET_SUCCESS || !WAIT_UNTIL(cpu_done[cpu], WAIT_TIMEOUT_US)) {
            test_fail("cpu_snapshot", "CPU %u (DTB reg 0x%lx) did not run (CPU_ON = %ld)", cpu,
                      smp_cpu_mpidr(cpu), (long)r);
            return cpu;
        }
    }
    if (n < 2)
        test_note("one vCPU: cross-vCPU checks skipped");
    return n;
}

/* Each vCPU reads its own cpu node's reg: the boot vCPU the first node (the
 * contract's vCPU 0, and QEMU's boot CPU), every other one the reg that
 * CPU_ON named; so every node is read by exactly one vCPU. */
static void check_mpidr(unsigned ncpus)
{
    uint64_t regs[MAX_CPUS];
    int n = dtb_cpu_regs(guest_dtb, regs, MAX_CPUS);
    char check[48];

    test_check(n == (int)smp_num_cpus() && n >= 1, "dtb_cpus", "DTB lists %d cpus", n);
    if (n < 1)
        return;
    for (unsigned c = 0; c < ncpus; c++) {
        uint64_t m = snap[c].first[R_MPIDR];
        uint64_t want = c == 0 ? regs[0] : smp_cpu_mpidr(c);

        test_note("vCPU %u: MPIDR 0x%lx", c, m);
        elv_snprintf(check, sizeof(check), "mpidr_cpu%u_is_dtb_reg", c);
        test_check((m & MPIDR_AFF_MASK) == want, check, "MPIDR 0x%lx, its cpu node's reg is 0x%lx",
                   m, want);
        elv_snprintf(check, sizeof(check), "mpidr_cpu%u_bit31", c);
        test_check(m & MPIDR_RES1, check, "MPIDR 0x%lx", m);
    }
    if (ncpus < 2)
        return;
    bool distinct = true;
    uint64_t dup = 0;
    for (unsigned a = 0; a < ncpus; a++)
        for (unsigned b = a + 1; b < ncpus; b++)
            if ((snap[a].first[R_MPIDR] & MPIDR_AFF_MASK) ==
                (snap[b].first[R_MPIDR] & MPIDR_AFF_MASK)) {
                distinct = false;
                dup = snap[a].first[R_MPIDR] & MPIDR_AFF_MASK;
            }
    test_check(distinct, "mpidr_distinct", "two vCPUs have affinity 0x%lx", dup);
}

static void check_stable(unsigned ncpus)
{
    char check[48];

    for (unsigned r = 0; r < R_COUNT; r++) {
        bool same = true;
        uint64_t bad = 0;
        for (unsigned c = 0; c < ncpus; c++) {
            if (snap[c].first[r] != snap[c].second[r]) {
                same = false;
                bad = snap[c].second[r];
            }
            /* MPIDR is the one register that differs between vCPUs. */
            if (r != R_MPIDR && snap[c].first[r] != snap[0].first[r]) {
                same = false;
                bad = snap[c].first[r];
            }
        }
        elv_snprintf(check, sizeof(check), "%s_stable", reg_names[r]);
        test_check(same, check, "read 0x%lx and 0x%lx", snap[0].first[r], bad);
    }
}

static void check_fields(void)
{
    const uint64_t *v = snap[0].first;

    for (unsigned r = 0; r < R_COUNT; r++)
        test_note("cpu0 %s = 0x%016lx", reg_names[r], v[r]);
    /* Implementer 0 is legal (QEMU's max CPU uses it): check Architecture. */
    test_check(MIDR_ARCHITECTURE(v[R_MIDR]) == MIDR_ARCH_BY_ID_REGS, "midr_valid", "MIDR 0x%lx",
               v[R_MIDR]);
    test_check(PFR0_EL0(v[R_PFR0]) >= PFR0_EL_AARCH64 && PFR0_EL1(v[R_PFR0]) >= PFR0_EL_AARCH64,
               "pfr0_el0_el1", "EL0 %lu EL1 %lu", PFR0_EL0(v[R_PFR0]), PFR0_EL1(v[R_PFR0]));
    test_expect_eq("pfr0_el2_hidden", PFR0_EL2(v[R_PFR0]), 0);
    test_expect_eq("pfr0_el3_hidden", PFR0_EL3(v[R_PFR0]), 0);
    /* PFR0.GIC: the GICv3 system-register CPU interface; a GICv2 VM has none
     * (QEMU's virt with gic-version=2 shows 0 too). */
    if (guest_gic_version() == 3)
        test_check(PFR0_GIC(v[R_PFR0]) != 0, "pfr0_gic_sysregs", "GIC field 0 with a GICv3");
    else
        test_check(PFR0_GIC(v[R_PFR0]) == 0, "pfr0_gic_no_sysregs",
                   "GIC field %lu with a GICv2 (no ICC_* interface)", PFR0_GIC(v[R_PFR0]));
    test_expect_eq("pfr0_sve_hidden", PFR0_SVE(v[R_PFR0]), 0);
    test_expect_eq("pfr0_amu_hidden", PFR0_AMU(v[R_PFR0]), 0);
    test_expect_eq("pfr1_sme_hidden", PFR1_SME(v[R_PFR1]), 0);
    test_expect_eq("pfr1_mte_hidden", PFR1_MTE(v[R_PFR1]), 0);
    test_expect_eq("dfr0_pmuver_hidden", DFR0_PMUVER(v[R_DFR0]), 0);
    uint64_t pa = MMFR0_PARANGE(v[R_MMFR0]);
    test_check(pa <= PARANGE_MAX, "mmfr0_parange", "PARange encoding %lu is reserved", pa);
    test_note("PARange encoding %lu", pa);
}

/* PMCR_EL0 traps to elvisor (MDCR_EL2.TPM), which emulates no PMU
 * register and says so (ID_AA64DFR0.PMUVer = 0): without a PMU the access is
 * UNDEFINED. Bare runs use pmu=off and see the same. */
#define UNDEF_CANARY        0x0DDBA11CAFE5EED5UL
#define ESR_IL              BIT(25)

struct undef_probe {
    uint64_t pc;        /* the address of the access */
    uint64_t val;       /* the MRS destination, preset to UNDEF_CANARY */
    uint64_t after;     /* how often the instruction after it ran */
    bool taken;
    struct sync_record rec;
};

static void probe_pmcr(struct undef_probe *p, bool write)
{
    uint64_t pc, val = UNDEF_CANARY, after = 0;

    exc_expect_sync();
    if (write)
        __asm__ volatile("adr %[pc], 1f\n"
                         "1: msr pmcr_el0, %[val]\n"
                         "add %[after], %[after], #1\n"
                         : [pc] "=&r"(pc), [after] "+r"(after)
                         : [val] "r"(val)
                         : "memory");
    else
        __asm__ volatile("adr %[pc], 1f\n"
                         "1: mrs %[val], pmcr_el0\n"
                         "add %[after], %[after], #1\n"
                         : [pc] "=&r"(pc), [val] "+r"(val), [after] "+r"(after)
                         :
                         : "memory");
    p->taken = exc_take_sync(&p->rec);
    p->pc = pc;
    p->val = val;
    p->after = after;
}

static void check_undef_probe(const struct undef_probe *p, const char *what)
{
    char check[48];
    uint64_t esr = p->rec.esr;

    elv_snprintf(check, sizeof(check), "undef_%s_pmcr", what);
    if (!p->taken)
        test_fail(check, "no exception: the access completed");
    else
        test_check(ESR_EC(esr) == ESR_EC_UNKNOWN && (esr & ESR_IL) && ESR_ISS(esr) == 0 &&
                       p->rec.elr == p->pc,
                   check, "ESR 0x%lx (EC 0x%lx) ELR 0x%lx, want EC 0 IL 1 ISS 0 at 0x%lx", esr,
                   ESR_EC(esr), p->rec.elr, p->pc);
    elv_snprintf(check, sizeof(check), "undef_%s_resumed", what);
    test_check(p->after == 1, check, "the next instruction ran %lu times", p->after);
}

static void check_undef(void)
{
    struct undef_probe rd, wr;

    probe_pmcr(&rd, false);
    probe_pmcr(&wr, true);
    check_undef_probe(&rd, "read");
    test_check(rd.val == UNDEF_CANARY, "undef_read_dest_kept",
               "the MRS destination became 0x%lx", rd.val);
    check_undef_probe(&wr, "write");
    /* The trap path still emulates after the UNDEFs. */
    test_expect_eq("undef_then_id_read", read_sysreg(id_aa64pfr0_el1), snap[0].first[R_PFR0]);
}

void guest_main(void)
{
    unsigned ncpus = snapshot_all();

    check_mpidr(ncpus);
    check_stable(ncpus);
    check_fields();
    check_undef();
}
