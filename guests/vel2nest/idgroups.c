/* vel2nest: HCR_EL2's identification groups over its guest (Arm ARM):
 * TID1 traps REVIDR_EL1, AIDR_EL1 and, with FEAT_SME, SMIDR_EL1; TID5
 * GMID_EL1 with FEAT_MTE2; TID4 (FEAT_EVT) CLIDR_EL1 among the cache ID
 * registers. Each trap is EC 0x18 to EL2 with the read's ISS, and what L1
 * answers (ID_EMULATED) is what its guest reads. A register of a feature
 * the ID registers say is absent is UNDEFINED at its guest's EL1 (taken
 * there, EC 0x00, or 0x18 with FEAT_IDST), and a trap bit of an absent
 * feature is RES0. Bare
 * QEMU's EL2 is the oracle; under elvisor the features are those elvisor
 * offers (no SME, MTE or EVT). */
#include "guest.h"
#include "nest.h"

#include "lib/printf.h"
#include "lib/string.h"

#define HCR_TID1                BIT(16)
#define HCR_TID4                BIT(49)
#define HCR_TID5                BIT(58)
#define PFR1_MTE(v)             FIELD(v, 8, 4)
#define PFR1_SME(v)             FIELD(v, 24, 4)
#define MMFR2_EVT(v)            FIELD(v, 56, 4)
#define MMFR2_IDS(v)            FIELD(v, 36, 4)
#define MTE2                    2
#define UNDEF_MARK              0xdeadUL
#define AARCH64_INSN            4
#define PAYLOAD_SMIDR           BIT(1)
#define PAYLOAD_GMID            BIT(2)
#define PAYLOAD_CLIDR           BIT(3)
#define ESR_SYS(op0, op1, crn, crm, op2, rt) \
    (((uint64_t)ESR_EC_SYS64 << 26) | ESR_IL | ((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | \
     ((uint64_t)(op1) << 14) | ((uint64_t)(crn) << 10) | ((uint64_t)(rt) << 5) | ((uint64_t)(crm) << 1) | \
     ESR_SYS_READ)

void l2_idgroups_payload(void);
extern char l2_smidr_insn[], l2_gmid_insn[];

/* Its guest's ESR_EL1 and ELR_EL1 after the run (ESR_EL12, ELR_EL12). */
static uint64_t l2_esr, l2_elr;

static void run_idgroups_payload(uint64_t traps, uint64_t reads)
{
    memset(&seen, 0, sizeof(seen));
    write_sysreg(0, S3_5_C5_C2_0);                                  /* ESR_EL12 */
    write_sysreg(0, S3_5_C4_C0_1);                                  /* ELR_EL12 */
    nest_run_with(NEST_HCR_QUIET | HCR_TID1 | HCR_TID4 | HCR_TID5, traps, l2_idgroups_payload, reads);
    l2_esr = read_sysreg(S3_5_C5_C2_0);
    l2_elr = read_sysreg(S3_5_C4_C0_1);
}

static bool ran(const char *name)
{
    return test_check(seen.ended && !seen.unexpected, name, "%u exits, ESR 0x%lx at 0x%lx", seen.n, seen.bad_esr,
                      seen.bad_elr);
}

static void expect_traps(const char *run, const uint64_t *want, unsigned nr)
{
    char name[NAME_MAX_LEN];

    elv_snprintf(name, sizeof(name), "%s_forwarded", run);
    test_expect_eq(name, seen.sys_n, nr);
    for (unsigned i = 0; i < nr && i < seen.sys_n; i++) {
        elv_snprintf(name, sizeof(name), "%s_trap%u_esr", run, i);
        test_expect_eq(name, seen.sys_esr[i], want[i]);
    }
}

/* A read of an absent feature ID register: UNDEFINED at its guest's EL1,
 * taken there, with FEAT_IDST (ID_AA64MMFR2_EL1.IDS) reported as the
 * read's trap (EC 0x18, esr_as_trap), else as EC 0x00; its vectors left
 * ELR_EL1 past the read. */
static void expect_undef(const char *name, uint64_t value, const char *insn, uint64_t esr_as_trap)
{
    uint64_t want = MMFR2_IDS(read_sysreg(id_aa64mmfr2_el1)) ? esr_as_trap : (uint64_t)ESR_IL;

    test_check(value == UNDEF_MARK && l2_esr == want && l2_elr == (uint64_t)(uintptr_t)insn + AARCH64_INSN, name,
               "read 0x%lx, its ESR_EL1 0x%lx (want 0x%lx) ELR_EL1 0x%lx", value, l2_esr, want, l2_elr);
}

/* TID1 | TID5: REVIDR and AIDR forwarded, then (a run each, so that its
 * guest's ESR_EL1 is that read's) SMIDR or GMID forwarded when the
 * feature says the register exists, UNDEFINED when not. */
static void check_tid1_tid5(bool sme, bool mte2)
{
    const struct {
        const char *run;
        uint64_t reads, esr;
        bool present;
        const char *insn;
    } runs[] = {
        { "tid1_smidr", PAYLOAD_SMIDR, ESR_SYS(3, 1, 0, 0, 6, 4), sme, l2_smidr_insn },
        { "tid5_gmid", PAYLOAD_GMID, ESR_SYS(3, 1, 0, 0, 4, 5), mte2, l2_gmid_insn },
    };
    char name[NAME_MAX_LEN];

    for (unsigned r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        uint64_t want[] = { ESR_SYS(3, 0, 0, 0, 6, 2), ESR_SYS(3, 1, 0, 0, 7, 3), runs[r].esr };

        run_idgroups_payload(HCR_TID1 | HCR_TID5, runs[r].reads);
        /* x4 holds what SMIDR's read gave, x5 GMID's */
        uint64_t l2_read = runs[r].reads == PAYLOAD_SMIDR ? seen.l2_sctlr : seen.l2_el;
        elv_snprintf(name, sizeof(name), "%s_l2_ran", runs[r].run);
        if (!ran(name))
            continue;
        expect_traps(runs[r].run, want, runs[r].present ? 3 : 2);
        elv_snprintf(name, sizeof(name), "%s_l2_revidr_aidr", runs[r].run);
        test_check(seen.l2_id == ID_EMULATED && seen.l2_probe == ID_EMULATED, name, "REVIDR 0x%lx AIDR 0x%lx",
                   seen.l2_id, seen.l2_probe);
        elv_snprintf(name, sizeof(name), "%s_l2_%s", runs[r].run, runs[r].present ? "emulated" : "undef");
        if (runs[r].present)
            test_expect_eq(name, l2_read, ID_EMULATED);
        else
            expect_undef(name, l2_read, runs[r].insn, runs[r].esr);
    }
}

/* Neither bit: its guest reads what its hypervisor reads, nothing traps. */
static void check_tid1_open(void)
{
    uint64_t revidr = read_sysreg(S3_0_C0_C0_6), aidr = read_sysreg(S3_1_C0_C0_7);

    run_idgroups_payload(0, 0);
    if (!ran("tid1_open_l2_ran"))
        return;
    test_expect_eq("tid1_open_no_trap", seen.sys_n, 0);
    test_expect_eq("tid1_open_l2_revidr", seen.l2_id, revidr);
    test_expect_eq("tid1_open_l2_aidr", seen.l2_probe, aidr);
}

/* TID4 alone traps CLIDR_EL1 with FEAT_EVT; without it the bit is RES0 and
 * its guest reads CLIDR_EL1 itself. */
static void check_tid4(bool evt)
{
    const uint64_t want[] = { ESR_SYS(3, 1, 0, 0, 1, 4) };
    uint64_t clidr = read_sysreg(clidr_el1);

    run_idgroups_payload(HCR_TID4, PAYLOAD_CLIDR);
    if (!ran("tid4_l2_ran"))
        return;
    expect_traps("tid4", want, evt ? 1 : 0);
    test_expect_eq("tid4_l2_clidr", seen.l2_sctlr, evt ? ID_EMULATED : clidr);
}

void check_l2_id_groups(void)
{
    uint64_t pfr1 = read_sysreg(id_aa64pfr1_el1), mmfr2 = read_sysreg(id_aa64mmfr2_el1);

    check_tid1_tid5(PFR1_SME(pfr1) != 0, PFR1_MTE(pfr1) >= MTE2);
    check_tid1_open();
    check_tid4(MMFR2_EVT(mmfr2) != 0);
}
