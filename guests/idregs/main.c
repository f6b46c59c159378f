/* idregs: the identification registers a non-nested VM sees. MPIDR of each
 * vCPU matches its DTB cpu node; MIDR is the same on every vCPU; the ID
 * registers hide what elvisor does not virtualize (EL2, EL3, SVE, SME,
 * AMU, MTE, PMU) and read the same every time and on every vCPU. */
#include "fdt.h"
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
static volatile bool cpu1_done;

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

static void cpu1_main(uint64_t arg)
{
    take_snapshot(&snap[1]);
    dsb(sy);
    cpu1_done = true;
}

static bool in_dtb(uint64_t aff, const uint64_t *regs, int n)
{
    for (int i = 0; i < n && i < MAX_CPUS; i++)
        if (regs[i] == aff)
            return true;
    return false;
}

static void check_mpidr(unsigned ncpus)
{
    uint64_t regs[MAX_CPUS];
    int n = fdt_cpu_regs(guest_dtb, regs, MAX_CPUS);

    test_check(n == (int)ncpus, "dtb_cpus", "DTB lists %d cpus", n);
    uint64_t m0 = snap[0].first[R_MPIDR];
    test_check(in_dtb(m0 & MPIDR_AFF_MASK, regs, n), "mpidr_cpu0_in_dtb",
               "MPIDR 0x%lx is no cpu node's reg", m0);
    test_check(m0 & MPIDR_RES1, "mpidr_cpu0_bit31", "MPIDR 0x%lx", m0);
    if (ncpus < 2)
        return;
    uint64_t m1 = snap[1].first[R_MPIDR];
    test_expect_eq("mpidr_cpu1_is_dtb_reg", m1 & MPIDR_AFF_MASK, smp_cpu_mpidr(1));
    test_check(m1 & MPIDR_RES1, "mpidr_cpu1_bit31", "MPIDR 0x%lx", m1);
    test_check((m0 & MPIDR_AFF_MASK) != (m1 & MPIDR_AFF_MASK), "mpidr_distinct",
               "both vCPUs have affinity 0x%lx", m0 & MPIDR_AFF_MASK);
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
    if (gic_version() == 3)
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

void guest_main(void)
{
    unsigned ncpus = smp_num_cpus() >= 2 ? 2 : 1;

    take_snapshot(&snap[0]);
    if (ncpus == 2) {
        int64_t r = smp_cpu_on(1, cpu1_main, 0, 0);
        if (r != PSCI_RET_SUCCESS || !WAIT_UNTIL(cpu1_done, WAIT_TIMEOUT_US)) {
            test_fail("cpu1_snapshot", "vCPU 1 did not run (CPU_ON = %ld)", (long)r);
            ncpus = 1;
        }
    } else {
        test_note("one vCPU: cross-vCPU checks skipped");
    }
    check_mpidr(ncpus);
    check_stable(ncpus);
    check_fields();
}
