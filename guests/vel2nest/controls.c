/* vel2nest: its controls over its guest (docs/nested.md §9.12, §9.13):
 * CNTHCTL_EL2's and MDCR_EL2's traps, and the identification registers
 * VPIDR/VMPIDR_EL2 give it. Bare QEMU's EL2 is the oracle. */
#include "guest.h"
#include "nest.h"
#include "vel2nest.h"

#include "lib/printf.h"
#include "lib/string.h"

void l2_cnthctl_payload(void);
void l2_debug_payload(void);
void l2_ids_payload(void);
void l2_hcrtraps_payload(void);

/* CNTHCTL_EL2's controls over its guest (E2H = 1, TGE = 0: Arm ARM): with
 * EL1PCTEN [10] and EL1PTEN [11] clear its guest's CNTPCT_EL0 and
 * CNTP_CVAL_EL0 trap to EL2 (EC 0x18), with FEAT_ECV's EL1TVCT [14] and
 * EL1TVT [13] set its CNTVCT_EL0 and CNTV_CTL_EL0 do; with the enables set
 * and the traps clear none does and the guest reads the counters. L1
 * answers each trap with ID_EMULATED. Bare QEMU's EL2 is the oracle. */
#define CNTHCTL_EL1PCTEN        BIT(10)
#define CNTHCTL_EL1PTEN         BIT(11)
#define CNTHCTL_EL1TVT          BIT(13)
#define CNTHCTL_EL1TVCT         BIT(14)
#define MMFR0_ECV(v)            FIELD(v, 60, 4)
#define ISS_SYS_KEY_MASK        (ESR_ISS(~0UL) & ~(ISS_SYS_RT_MASK | ESR_SYS_READ))
#define ISS_SYS(op0, op1, crn, crm, op2) \
    (((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) | \
     ((uint64_t)(crn) << 10) | ((uint64_t)(crm) << 1))

static void run_cnthctl_payload(uint64_t cnthctl)
{
    uint64_t o = read_sysreg(cnthctl_el2);

    memset(&seen, 0, sizeof(seen));
    write_sysreg(cnthctl, cnthctl_el2);
    write_sysreg(0, cntvoff_el2);
    nest_run_with(NEST_HCR_QUIET, 0, l2_cnthctl_payload, 0);
    write_sysreg(o, cnthctl_el2);
    isb();
}

void check_l2_cnthctl(void)
{
    bool ecv = MMFR0_ECV(read_sysreg(id_aa64mmfr0_el1)) != 0;
    uint64_t o = read_sysreg(cnthctl_el2) & ~(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PTEN | CNTHCTL_EL1TVT |
                                                CNTHCTL_EL1TVCT);
    const uint64_t want[] = { ISS_SYS(3, 3, 14, 0, 1), ISS_SYS(3, 3, 14, 2, 2), ISS_SYS(3, 3, 14, 0, 2),
                              ISS_SYS(3, 3, 14, 3, 1) };
    unsigned nr = ecv ? 4 : 2;

    run_cnthctl_payload(o | (ecv ? CNTHCTL_EL1TVT | CNTHCTL_EL1TVCT : 0));
    if (!test_check(seen.ended && !seen.unexpected, "cnthctl_traps_l2_ran", "%u exits", seen.n))
        return;
    test_expect_eq("cnthctl_traps_forwarded", seen.sys_n, nr);
    for (unsigned i = 0; i < nr && i < seen.sys_n; i++) {
        char name[NAME_MAX_LEN];
        elv_snprintf(name, sizeof(name), "cnthctl_trap%u_iss", i);
        test_expect_eq(name, ESR_ISS(seen.sys_esr[i]) & ISS_SYS_KEY_MASK, want[i]);
    }
    test_check(seen.l2_id == ID_EMULATED && seen.l2_probe == ID_EMULATED, "cnthctl_l1_answered_phys",
               "CNTPCT 0x%lx CNTP_CVAL 0x%lx", seen.l2_id, seen.l2_probe);
    if (ecv)
        test_check(seen.l2_sctlr == ID_EMULATED && seen.l2_el == ID_EMULATED, "cnthctl_l1_answered_virt",
                   "CNTVCT 0x%lx CNTV_CTL 0x%lx", seen.l2_sctlr, seen.l2_el);

    uint64_t before = cntpct();
    run_cnthctl_payload(o | CNTHCTL_EL1PCTEN | CNTHCTL_EL1PTEN);
    uint64_t after = cntpct();
    if (!test_check(seen.ended && !seen.unexpected, "cnthctl_open_l2_ran", "%u exits", seen.n))
        return;
    test_expect_eq("cnthctl_open_no_trap", seen.sys_n, 0);
    test_check(seen.l2_id >= before && seen.l2_id <= after, "cnthctl_open_l2_cntpct",
               "CNTPCT %lu outside [%lu, %lu]", seen.l2_id, before, after);
    test_check(seen.l2_sctlr >= before && seen.l2_sctlr <= after, "cnthctl_open_l2_cntvct",
               "CNTVCT %lu outside [%lu, %lu]", seen.l2_sctlr, before, after);
}

/* MDCR_EL2's debug traps over its guest (Arm ARM): TDA traps MDSCR_EL1 and
 * DBGBVR0_EL1, TDOSA OSLSR_EL1, TDRA MDRAR_EL1 (EC 0x18 to EL2, in that
 * order); without them none traps. Bare QEMU's EL2 is the oracle. */
#define MDCR_TDA                BIT(9)
#define MDCR_TDOSA              BIT(10)
#define MDCR_TDRA               BIT(11)

static void run_debug_payload(uint64_t mdcr)
{
    uint64_t o = read_sysreg(mdcr_el2);

    memset(&seen, 0, sizeof(seen));
    write_sysreg(mdcr, mdcr_el2);
    nest_run_with(NEST_HCR_QUIET, 0, l2_debug_payload, 0);
    write_sysreg(o, mdcr_el2);
    isb();
}

void check_l2_mdcr(void)
{
    uint64_t o = read_sysreg(mdcr_el2) & ~(MDCR_TDA | MDCR_TDOSA | MDCR_TDRA);
    const uint64_t want[] = { ISS_SYS(2, 0, 0, 2, 2), ISS_SYS(2, 0, 0, 0, 4), ISS_SYS(2, 0, 1, 1, 4),
                              ISS_SYS(2, 0, 1, 0, 0) };

    run_debug_payload(o | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA);
    if (!test_check(seen.ended && !seen.unexpected, "mdcr_traps_l2_ran", "%u exits, ESR 0x%lx", seen.n,
                    seen.bad_esr))
        return;
    test_expect_eq("mdcr_traps_forwarded", seen.sys_n, 4);
    for (unsigned i = 0; i < 4 && i < seen.sys_n; i++) {
        char name[NAME_MAX_LEN];
        elv_snprintf(name, sizeof(name), "mdcr_trap%u_iss", i);
        test_expect_eq(name, ESR_ISS(seen.sys_esr[i]) & ISS_SYS_KEY_MASK, want[i]);
    }
    run_debug_payload(o);
    if (test_check(seen.ended && !seen.unexpected, "mdcr_open_l2_ran", "%u exits, ESR 0x%lx", seen.n,
                   seen.bad_esr))
        test_expect_eq("mdcr_open_no_trap", seen.sys_n, 0);
}

/* VPIDR_EL2 and VMPIDR_EL2 are what its guest reads as MIDR_EL1 and
 * MPIDR_EL1 (KVM gives each of its vCPUs its own MPIDR this way); its own
 * reads at EL2 stay the PE's. */
#define L2_MPIDR                0x80000205UL    /* RES1 bit 31, Aff1 2, Aff0 5 */
#define L2_MIDR_FLIP            0xff0UL         /* another part number and revision */

void check_l2_ids(void)
{
    uint64_t vpidr = read_sysreg(vpidr_el2), vmpidr = read_sysreg(vmpidr_el2);
    uint64_t own_mpidr = read_sysreg(mpidr_el1), own_midr = read_sysreg(midr_el1);

    memset(&seen, 0, sizeof(seen));
    write_sysreg(own_midr ^ L2_MIDR_FLIP, vpidr_el2);
    write_sysreg(L2_MPIDR, vmpidr_el2);
    nest_run_with(NEST_HCR_QUIET, 0, l2_ids_payload, 0);
    uint64_t after_mpidr = read_sysreg(mpidr_el1), after_midr = read_sysreg(midr_el1);
    uint64_t readback = read_sysreg(vmpidr_el2);
    write_sysreg(vpidr, vpidr_el2);
    write_sysreg(vmpidr, vmpidr_el2);
    isb();

    if (!test_check(seen.ended && !seen.unexpected, "ids_l2_ran", "%u exits", seen.n))
        return;
    test_expect_eq("ids_l2_mpidr_is_vmpidr", seen.l2_id, L2_MPIDR);
    test_expect_eq("ids_l2_midr_is_vpidr", seen.l2_probe, own_midr ^ L2_MIDR_FLIP);
    test_expect_eq("ids_vmpidr_readback", readback, L2_MPIDR);
    test_expect_eq("ids_l1_mpidr_own", after_mpidr, own_mpidr);
    test_expect_eq("ids_l1_midr_own", after_midr, own_midr);
}

/* HCR_EL2's register traps over its guest (Arm ARM): TRVM traps the reads
 * and TVM the writes of the EL1 VM controls, TID2 CTR_EL0, CLIDR, CSSELR
 * and CCSIDR, TACR ACTLR_EL1, TSW DC ISW, TLOR LORID_EL1, TIDCP an
 * IMPLEMENTATION DEFINED register (S3_0_C15_C0_0): EC 0x18 to EL2 in
 * program order; with the bits clear none traps (and the IMPLEMENTATION
 * DEFINED access is left out, UNDEFINED then). Bare QEMU's EL2 is the
 * oracle. */
#define HCR_TID2                BIT(17)
#define HCR_TIDCP               BIT(20)
#define HCR_TACR                BIT(21)
#define HCR_TSW                 BIT(22)
#define HCR_TRVM                BIT(30)
#define HCR_TLOR                BIT(35)
#define HCR_REG_TRAPS           (HCR_TVM | HCR_TRVM | HCR_TID2 | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_TLOR)
#define NR_VM_REGS              11
#define NR_HCR_TRAPS            (2 * NR_VM_REGS + 8)

static void run_hcrtraps_payload(uint64_t traps)
{
    memset(&seen, 0, sizeof(seen));
    nest_run_with(NEST_HCR_QUIET | HCR_REG_TRAPS, traps, l2_hcrtraps_payload, traps != 0);
}

void check_l2_hcr_traps(void)
{
    static const uint64_t vm_regs[NR_VM_REGS] = {
        ISS_SYS(3, 0, 1, 0, 0), ISS_SYS(3, 0, 2, 0, 0), ISS_SYS(3, 0, 2, 0, 1), ISS_SYS(3, 0, 2, 0, 2),
        ISS_SYS(3, 0, 5, 2, 0), ISS_SYS(3, 0, 6, 0, 0), ISS_SYS(3, 0, 5, 1, 0), ISS_SYS(3, 0, 5, 1, 1),
        ISS_SYS(3, 0, 10, 2, 0), ISS_SYS(3, 0, 10, 3, 0), ISS_SYS(3, 0, 13, 0, 1),
    };
    static const uint64_t others[] = {
        ISS_SYS(3, 3, 0, 0, 1) | ESR_SYS_READ, ISS_SYS(3, 1, 0, 0, 1) | ESR_SYS_READ, ISS_SYS(3, 2, 0, 0, 0),
        ISS_SYS(3, 1, 0, 0, 0) | ESR_SYS_READ, ISS_SYS(3, 0, 1, 0, 1) | ESR_SYS_READ, ISS_SYS(1, 0, 7, 6, 2),
        ISS_SYS(3, 0, 10, 4, 7) | ESR_SYS_READ, ISS_SYS(3, 0, 15, 0, 0) | ESR_SYS_READ,
    };
    uint64_t want[NR_HCR_TRAPS];

    for (unsigned i = 0; i < NR_VM_REGS; i++) {
        want[2 * i] = vm_regs[i] | ESR_SYS_READ;
        want[2 * i + 1] = vm_regs[i];
    }
    for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        want[2 * NR_VM_REGS + i] = others[i];

    run_hcrtraps_payload(HCR_REG_TRAPS);
    if (!test_check(seen.ended && !seen.unexpected, "hcr_traps_l2_ran", "%u exits, ESR 0x%lx", seen.n,
                    seen.bad_esr))
        return;
    test_expect_eq("hcr_traps_forwarded", seen.sys_n, NR_HCR_TRAPS);
    for (unsigned i = 0; i < NR_HCR_TRAPS && i < seen.sys_n; i++) {
        char name[NAME_MAX_LEN];
        elv_snprintf(name, sizeof(name), "hcr_trap%u_iss", i);
        test_expect_eq(name, ESR_ISS(seen.sys_esr[i]) & (ISS_SYS_KEY_MASK | ESR_SYS_READ), want[i]);
    }
    run_hcrtraps_payload(0);
    if (test_check(seen.ended && !seen.unexpected, "hcr_open_l2_ran", "%u exits, ESR 0x%lx", seen.n,
                   seen.bad_esr))
        test_expect_eq("hcr_open_no_trap", seen.sys_n, 0);
}

/* CPTR_EL2's FP/SIMD trap over its guest (E2H = 1: FPEN), what KVM's lazy
 * switch of its guest's FP/SIMD registers relies on: with FPEN 0b00 its
 * guest's first FP instruction comes to it as EC 0x07 (+ 0x400, ELR = the
 * instruction), it opens FPEN and the instruction runs again; with 0b11,
 * and with 0b01 (EL0 only, and only under TGE), none does. The guest's own
 * CPACR_EL1 (CPACR_EL12) lets it use them. Bare QEMU's EL2 is the oracle. */
#define FPEN_SHIFT              20
#define FPEN_MASK               (3UL << FPEN_SHIFT)
#define FP_PROBE                0x123456789abcdef0UL
#define ESR_EC_FP_ASIMD         0x07
#define ESR_IL_BIT              BIT(25)

void l2_fp_payload(void);
extern char l2_fp_insn[];

static void run_fp_payload(uint64_t fpen)
{
    uint64_t cptr = read_sysreg(cpacr_el1), l2_cpacr = read_sysreg(S3_5_C1_C0_2);

    memset(&seen, 0, sizeof(seen));
    write_sysreg(l2_cpacr | FPEN_MASK, S3_5_C1_C0_2);                    /* CPACR_EL12 */
    write_sysreg((cptr & ~FPEN_MASK) | (fpen << FPEN_SHIFT), cpacr_el1);   /* CPTR_EL2 under E2H */
    nest_run_with(NEST_HCR_QUIET, 0, l2_fp_payload, FP_PROBE);
    write_sysreg(cptr, cpacr_el1);
    write_sysreg(l2_cpacr, S3_5_C1_C0_2);                   /* CPACR_EL12 */
    isb();
}

void check_l2_cptr(void)
{
    static const struct { uint64_t fpen; const char *name; } open[] = { { 3, "fpen3" }, { 1, "fpen1" } };
    char name[NAME_MAX_LEN];

    run_fp_payload(0);
    if (test_check(seen.ended && !seen.unexpected, "cptr_fp_l2_ran", "%u exits, ESR 0x%lx", seen.n,
                   seen.bad_esr)) {
        if (test_expect_eq("cptr_fp_trapped", seen.fp_n, 1)) {
            test_expect_eq("cptr_fp_ec", ESR_EC(seen.fp_esr), ESR_EC_FP_ASIMD);
            test_check(seen.fp_esr & ESR_IL_BIT, "cptr_fp_il", "ESR 0x%lx", seen.fp_esr);
            test_expect_eq("cptr_fp_elr", seen.fp_elr, (uint64_t)(uintptr_t)l2_fp_insn);
        }
        test_expect_eq("cptr_fp_value_after_trap", seen.l2_id, FP_PROBE);
    }
    for (unsigned i = 0; i < sizeof(open) / sizeof(open[0]); i++) {
        run_fp_payload(open[i].fpen);
        elv_snprintf(name, sizeof(name), "cptr_%s_l2_ran", open[i].name);
        if (!test_check(seen.ended && !seen.unexpected, name, "%u exits, ESR 0x%lx", seen.n, seen.bad_esr))
            continue;
        elv_snprintf(name, sizeof(name), "cptr_%s_no_trap", open[i].name);
        test_expect_eq(name, seen.fp_n, 0);
        elv_snprintf(name, sizeof(name), "cptr_%s_value", open[i].name);
        test_expect_eq(name, seen.l2_id, FP_PROBE);
    }
}

/* Its HCRX_EL2.MSCEn over its guest (FEAT_MOPS with FEAT_HCX, Arm ARM
 * HCRX_EL2): clear, its guest's SETP is UNDEFINED, taken at the guest's
 * own EL1 vector (EC 0), nothing stored; set, the set runs. Not run
 * where the VM shows no MOPS or no HCRX_EL2. Bare QEMU's EL2 is the
 * oracle. */
#define HCRX_MSCEN              BIT(11)
#define ID_MOPS(isar2)          FIELD(isar2, 16, 4)
#define ID_HCX(mmfr1)           FIELD(mmfr1, 40, 4)
#define MOPS_FILL               0xa5a5a5a5a5a5a5a5UL

void l2_mops_payload(void);
static volatile uint64_t mops_buf[8] __attribute__((aligned(64)));

static void run_mops_payload(bool enabled)
{
    uint64_t hcr = read_sysreg(hcr_el2), vbar = read_sysreg(vbar_el2), hcrx = read_sysreg(S3_4_C1_C2_2);

    memset(&seen, 0, sizeof(seen));
    for (unsigned i = 0; i < 8; i++)
        mops_buf[i] = MOPS_FILL;
    write_sysreg(enabled ? hcrx | HCRX_MSCEN : hcrx & ~HCRX_MSCEN, S3_4_C1_C2_2);   /* HCRX_EL2 */
    write_sysreg(((hcr | HCR_RW) & ~(HCR_TGE | HCR_VM | HCR_TID3 | HCR_TWI | HCR_IMO | HCR_TVM)), hcr_el2);
    write_sysreg((uint64_t)(uintptr_t)nest_vectors, vbar_el2);
    isb();
    nest_run(l2_mops_payload, (uint64_t)(uintptr_t)mops_buf);
    write_sysreg(vbar, vbar_el2);
    write_sysreg(hcr, hcr_el2);
    write_sysreg(hcrx, S3_4_C1_C2_2);
    isb();
}

void check_l2_mops(void)
{
    if (!ID_MOPS(read_sysreg(id_aa64isar2_el1)) || !ID_HCX(read_sysreg(id_aa64mmfr1_el1)))
        return;
    run_mops_payload(false);
    if (test_check(seen.unexpected, "mops_mscen_clear_undefined", "%u exits, hvc #5 %s", seen.n,
                   seen.ended ? "reached" : "not reached"))
        test_expect_eq("mops_mscen_clear_ec", ESR_EC(seen.bad_esr), 0);
    test_expect_eq("mops_mscen_clear_no_store", mops_buf[0], MOPS_FILL);
    run_mops_payload(true);
    test_check(seen.ended && !seen.unexpected, "mops_mscen_set_runs", "%u exits, ESR 0x%lx", seen.n,
               seen.bad_esr);
    test_expect_eq("mops_mscen_set_stored", mops_buf[0] | mops_buf[7], 0);
}

/* Its HCR_EL2.TPCP, TPU, TTLB and CPTR_EL2.TCPAC over its guest (Arm ARM,
 * E2H = 1, TGE = 0): each bit alone traps its own instructions of the
 * payload (DC CVAC and CIVAC; DC CVAU, IC IVAU and IC IALLU; TLBI
 * VMALLE1; MRS and MSR CPACR_EL1) to EL2 as EC 0x18 in program order, all
 * together all eight, none with the bits clear. TCPAC is set through the
 * CPTR_EL2 name, and once through the CPACR_EL1 name (which is CPTR_EL2
 * under E2H, as Linux writes it; the hardware CPACR_EL1 has no TCPAC).
 * Bare QEMU's EL2 is the oracle. */
#define HCR_TPCP                BIT(23)
#define HCR_TPU                 BIT(24)
#define HCR_TTLB                BIT(25)
#define CPTR_TCPAC              BIT(31)
#define NR_MAINT                8

void l2_maint_payload(void);
static volatile uint64_t maint_target[8] __attribute__((aligned(64)));

enum tcpac_by { TCPAC_CLEAR, TCPAC_BY_CPTR, TCPAC_BY_CPACR };

static void run_maint_payload(uint64_t hcr_traps, enum tcpac_by tcpac)
{
    uint64_t cptr = read_sysreg(S3_4_C1_C1_2);

    memset(&seen, 0, sizeof(seen));
    if (tcpac == TCPAC_BY_CPACR)
        write_sysreg(cptr | CPTR_TCPAC, cpacr_el1);                 /* CPTR_EL2 under E2H */
    else
        write_sysreg(tcpac ? cptr | CPTR_TCPAC : cptr & ~CPTR_TCPAC, S3_4_C1_C1_2);    /* CPTR_EL2 */
    nest_run_with(NEST_HCR_QUIET | HCR_TPCP | HCR_TPU | HCR_TTLB, hcr_traps, l2_maint_payload,
                  (uint64_t)(uintptr_t)maint_target);
    write_sysreg(cptr, S3_4_C1_C1_2);
    isb();
}

void check_l2_maint(void)
{
    static const uint64_t all[NR_MAINT] = {
        ISS_SYS(1, 3, 7, 10, 1), ISS_SYS(1, 3, 7, 14, 1), ISS_SYS(1, 3, 7, 11, 1), ISS_SYS(1, 3, 7, 5, 1),
        ISS_SYS(1, 0, 7, 5, 0), ISS_SYS(1, 0, 8, 7, 0), ISS_SYS(3, 0, 1, 0, 2) | ESR_SYS_READ,
        ISS_SYS(3, 0, 1, 0, 2),
    };
    static const struct {
        const char *name;
        uint64_t hcr;
        enum tcpac_by tcpac;
        unsigned first, nr;     /* its traps: all[first .. first + nr - 1] */
    } runs[] = {
        { "tpcp", HCR_TPCP, TCPAC_CLEAR, 0, 2 },
        { "tpu", HCR_TPU, TCPAC_CLEAR, 2, 3 },
        { "ttlb", HCR_TTLB, TCPAC_CLEAR, 5, 1 },
        { "tcpac", 0, TCPAC_BY_CPTR, 6, 2 },
        { "tcpac_by_cpacr", 0, TCPAC_BY_CPACR, 6, 2 },
        { "maint_all", HCR_TPCP | HCR_TPU | HCR_TTLB, TCPAC_BY_CPTR, 0, NR_MAINT },
        { "maint_none", 0, TCPAC_CLEAR, 0, 0 },
    };
    char name[NAME_MAX_LEN];
    uint64_t cptr = read_sysreg(S3_4_C1_C1_2);

    /* TCPAC written through the CPACR_EL1 name reads back through both. */
    write_sysreg(cptr | CPTR_TCPAC, cpacr_el1);
    isb();
    test_check(read_sysreg(S3_4_C1_C1_2) & CPTR_TCPAC, "tcpac_by_cpacr_in_cptr", "CPTR_EL2 0x%lx",
               read_sysreg(S3_4_C1_C1_2));
    test_check(read_sysreg(cpacr_el1) & CPTR_TCPAC, "tcpac_by_cpacr_in_cpacr", "CPACR_EL1 0x%lx",
               read_sysreg(cpacr_el1));
    write_sysreg(cptr, S3_4_C1_C1_2);
    isb();
    for (unsigned r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        run_maint_payload(runs[r].hcr, runs[r].tcpac);
        elv_snprintf(name, sizeof(name), "%s_l2_ran", runs[r].name);
        if (!test_check(seen.ended && !seen.unexpected, name, "%u exits, ESR 0x%lx at 0x%lx", seen.n,
                        seen.bad_esr, seen.bad_elr))
            continue;
        elv_snprintf(name, sizeof(name), "%s_forwarded", runs[r].name);
        test_expect_eq(name, seen.sys_n, runs[r].nr);
        for (unsigned i = 0; i < runs[r].nr && i < seen.sys_n; i++) {
            elv_snprintf(name, sizeof(name), "%s_trap%u_iss", runs[r].name, i);
            test_expect_eq(name, ESR_ISS(seen.sys_esr[i]) & (ISS_SYS_KEY_MASK | ESR_SYS_READ),
                           all[runs[r].first + i]);
        }
    }
}
