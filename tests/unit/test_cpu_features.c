/* ID-register decode and the VHE/nVHE decision. Field positions are from
 * the Arm ARM register descriptions (ID_AA64MMFR0/1/2/4_EL1, ID_AA64PFR0/1,
 * ID_AA64ISAR1, ID_AA64DFR0), written out here independently of the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host_support.h"
#include "arch/arm64/cpu_features.c"

#define FLD(v, shift)       ((uint64_t)(v) << (shift))
#define ALL_BUT(shift)      (~FLD(0xf, shift))

/* ID_AA64MMFR0_EL1 */
#define MMFR0_PARANGE       0
#define MMFR0_FGT           56
#define MMFR0_ECV           60
/* ID_AA64MMFR1_EL1 */
#define MMFR1_VMIDBITS      4
#define MMFR1_VH            8
/* ID_AA64MMFR2_EL1 */
#define MMFR2_NV            24
#define MMFR2_IDS           36
/* ID_AA64MMFR4_EL1 */
#define MMFR4_E2H0          24
/* ID_AA64PFR0_EL1 */
#define PFR0_GIC            24
#define PFR0_SVE            32
#define PFR0_AMU            44
/* ID_AA64PFR1_EL1 */
#define PFR1_MTE            8
#define PFR1_SME            24
/* ID_AA64DFR0_EL1 */
#define DFR0_PMUVER         8
#define DFR0_BRPS           12
#define DFR0_WRPS           20
/* ID_AA64ISAR1_EL1 */
#define ISAR1_APA           4
#define ISAR1_API           8
#define ISAR1_GPA           24
#define ISAR1_GPI           28

static struct cpu_features decode(const struct cpu_id_regs *id)
{
    struct cpu_features f;

    memset(&f, 0xa5, sizeof(f));
    cpu_features_decode(id, &f);
    return f;
}

/* ---- The VH x E2H0 matrix ---- */

static void test_vhe_matrix(void **state)
{
    (void)state;
    for (unsigned vh = 0; vh < 2; vh++) {
        for (unsigned e2h0 = 0; e2h0 < 16; e2h0++) {
            struct cpu_id_regs id = { 0 };
            id.mmfr1 = FLD(vh, MMFR1_VH);
            id.mmfr4 = FLD(e2h0, MMFR4_E2H0);
            struct cpu_features f = decode(&id);
            int sval = e2h0 >= 8 ? (int)e2h0 - 16 : (int)e2h0;

            assert_int_equal(f.e2h0, sval);
            if (sval < 0) {
                /* E2H is RES1: VHE whatever was asked. FEAT_E2H0 absent
                 * implies FEAT_VHE, so a VH of 0 does not change that. */
                assert_int_equal(f.e2h, E2H_FORCED_VHE);
                assert_true(cpu_features_use_vhe(&f, false));
                assert_true(cpu_features_use_vhe(&f, true));
            } else if (vh) {
                assert_int_equal(f.e2h, E2H_SWITCHABLE);
                assert_true(cpu_features_use_vhe(&f, false));
                assert_false(cpu_features_use_vhe(&f, true));
            } else {
                assert_int_equal(f.e2h, E2H_NO_VHE);
                assert_false(cpu_features_use_vhe(&f, false));
                assert_false(cpu_features_use_vhe(&f, true));
            }
        }
    }
}

/* The named E2H0 encodings. */
static void test_e2h0_values(void **state)
{
    struct cpu_id_regs id = { 0 };
    struct cpu_features f;

    (void)state;
    id.mmfr1 = FLD(1, MMFR1_VH);
    id.mmfr4 = FLD(0xe, MMFR4_E2H0);        /* E2H RES1, NV1 implemented */
    f = decode(&id);
    assert_int_equal(f.e2h0, -2);
    assert_int_equal(f.e2h, E2H_FORCED_VHE);
    id.mmfr4 = FLD(0xf, MMFR4_E2H0);        /* E2H RES1, NV1 RES0 */
    f = decode(&id);
    assert_int_equal(f.e2h0, -1);
    assert_int_equal(f.e2h, E2H_FORCED_VHE);
    id.mmfr4 = FLD(0x8, MMFR4_E2H0);
    assert_int_equal(decode(&id).e2h0, -8);
    id.mmfr4 = FLD(0x7, MMFR4_E2H0);        /* positive, reserved: treated as programmable */
    f = decode(&id);
    assert_int_equal(f.e2h0, 7);
    assert_int_equal(f.e2h, E2H_SWITCHABLE);
    id.mmfr4 = 0;                           /* RAZ on CPUs older than the register */
    f = decode(&id);
    assert_int_equal(f.e2h0, 0);
    assert_int_equal(f.e2h, E2H_SWITCHABLE);
}

/* Fields next to VH and E2H0 do not leak into the decision. */
static void test_vhe_neighbour_fields(void **state)
{
    struct cpu_id_regs id;
    struct cpu_features f;

    (void)state;
    memset(&id, 0xff, sizeof(id));
    id.mmfr1 &= ALL_BUT(MMFR1_VH);
    id.mmfr4 &= ALL_BUT(MMFR4_E2H0);
    f = decode(&id);
    assert_int_equal(f.e2h, E2H_NO_VHE);
    assert_int_equal(f.e2h0, 0);
    id.mmfr1 |= FLD(1, MMFR1_VH);
    f = decode(&id);
    assert_int_equal(f.e2h, E2H_SWITCHABLE);
    assert_false(cpu_features_use_vhe(&f, true));

    memset(&id, 0, sizeof(id));
    id.mmfr1 = ALL_BUT(MMFR1_VH);
    id.mmfr4 = ALL_BUT(MMFR4_E2H0);
    assert_int_equal(decode(&id).e2h, E2H_NO_VHE);
}

static void test_e2h_names(void **state)
{
    (void)state;
    assert_string_equal(cpu_features_e2h_name(E2H_NO_VHE), "no VHE");
    assert_string_equal(cpu_features_e2h_name(E2H_SWITCHABLE), "VHE switchable");
    assert_string_equal(cpu_features_e2h_name(E2H_FORCED_VHE), "VHE forced (E2H RES1)");
}

/* ---- Other fields ---- */

static void test_nv(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 3; v++) {
        struct cpu_id_regs id = { 0 };
        id.mmfr2 = FLD(v, MMFR2_NV);
        assert_int_equal(decode(&id).nv, v);
        id.mmfr2 |= ALL_BUT(MMFR2_NV);
        assert_int_equal(decode(&id).nv, v);
    }
}

/* FEAT_IDST: ID_AA64MMFR2_EL1.IDS 0b0001 (Arm ARM), whatever its neighbours. */
static void test_idst(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 2; v++) {
        struct cpu_id_regs id = { 0 };
        id.mmfr2 = FLD(v, MMFR2_IDS);
        assert_int_equal(decode(&id).idst, v == 1);
        id.mmfr2 |= ALL_BUT(MMFR2_IDS);
        assert_int_equal(decode(&id).idst, v == 1);
    }
}

static void test_ecv_fgt(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 3; v++) {
        struct cpu_id_regs id = { 0 };
        id.mmfr0 = FLD(v, MMFR0_ECV);
        struct cpu_features f = decode(&id);
        assert_int_equal(f.ecv, v);
        /* Only ECV = 0b0010 brings CNTPOFF_EL2; 0b0001 is the self-synchronized views. */
        assert_int_equal(cpu_features_has_cntpoff(&f), v == 2);
        assert_false(f.fgt);

        id.mmfr0 = FLD(v, MMFR0_FGT);      /* 1 FEAT_FGT, 2 FEAT_FGT2 */
        f = decode(&id);
        assert_int_equal(f.fgt, v != 0);
        assert_int_equal(f.ecv, 0);
    }
}

static void test_vmid_bits(void **state)
{
    static const struct { unsigned field, bits; } cases[] = {
        { 0, 8 }, { 2, 16 }, { 1, 8 }, { 0xf, 8 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cpu_id_regs id = { 0 };
        id.mmfr1 = FLD(cases[i].field, MMFR1_VMIDBITS) | FLD(1, MMFR1_VH);
        assert_int_equal(decode(&id).vmid_bits, cases[i].bits);
    }
}

static void test_parange(void **state)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };

    (void)state;
    for (unsigned p = 0; p < 16; p++) {
        struct cpu_id_regs id = { 0 };
        id.mmfr0 = FLD(p, MMFR0_PARANGE) | ALL_BUT(MMFR0_PARANGE);
        struct cpu_features f = decode(&id);
        if (p <= 6) {
            assert_int_equal(f.parange, p);
            assert_int_equal(f.pa_bits, bits[p]);
        } else {
            /* 56-bit (FEAT_D128) and reserved encodings fall back to 48. */
            assert_int_equal(f.parange, 5);
            assert_int_equal(f.pa_bits, 48);
        }
    }
}

static void test_pfr_isar_flags(void **state)
{
    struct cpu_id_regs id = { 0 };
    struct cpu_features f = decode(&id);

    (void)state;
    assert_int_equal(f.gic_sysreg, 0);
    assert_false(f.sve || f.sme || f.mte || f.amu || f.pauth || f.fgt);
    assert_int_equal(f.nv, 0);
    assert_int_equal(f.ecv, 0);

    id.pfr0 = FLD(1, PFR0_GIC);
    assert_int_equal(decode(&id).gic_sysreg, 1);
    id.pfr0 = FLD(3, PFR0_GIC);
    assert_int_equal(decode(&id).gic_sysreg, 3);

    memset(&id, 0, sizeof(id));
    id.pfr0 = FLD(1, PFR0_SVE);
    f = decode(&id);
    assert_true(f.sve);
    assert_false(f.amu);
    id.pfr0 = FLD(1, PFR0_AMU);
    f = decode(&id);
    assert_true(f.amu);
    assert_false(f.sve);

    memset(&id, 0, sizeof(id));
    id.pfr1 = FLD(2, PFR1_SME);
    f = decode(&id);
    assert_true(f.sme);
    assert_false(f.mte);
    id.pfr1 = FLD(3, PFR1_MTE);
    f = decode(&id);
    assert_true(f.mte);
    assert_false(f.sme);

    static const unsigned pauth_fields[] = { ISAR1_APA, ISAR1_API, ISAR1_GPA, ISAR1_GPI };
    for (size_t i = 0; i < 4; i++) {
        memset(&id, 0, sizeof(id));
        id.isar1 = FLD(1, pauth_fields[i]);
        assert_true(decode(&id).pauth);
    }
    /* DPB, JSCVT, FCMA, LRCPC, ... are not pointer authentication. */
    id.isar1 = ~(FLD(0xf, ISAR1_APA) | FLD(0xf, ISAR1_API) | FLD(0xf, ISAR1_GPA) |
                 FLD(0xf, ISAR1_GPI));
    assert_false(decode(&id).pauth);
}

/* BRPs and WRPs count from one (field + 1), up to 16, each read from its
 * own field only. */
static void test_breakpoints_watchpoints(void **state)
{
    struct cpu_id_regs id = { 0 };
    struct cpu_features f;

    (void)state;
    f = decode(&id);
    assert_int_equal(f.brps, 1);
    assert_int_equal(f.wrps, 1);
    id.dfr0 = FLD(0xf, DFR0_BRPS) | FLD(0xf, DFR0_WRPS);
    f = decode(&id);
    assert_int_equal(f.brps, 16);
    assert_int_equal(f.wrps, 16);
    id.dfr0 = ALL_BUT(DFR0_BRPS) & ALL_BUT(DFR0_WRPS);
    f = decode(&id);
    assert_int_equal(f.brps, 1);
    assert_int_equal(f.wrps, 1);
    id.dfr0 = FLD(2, DFR0_BRPS) | FLD(9, DFR0_WRPS);
    f = decode(&id);
    assert_int_equal(f.brps, 3);
    assert_int_equal(f.wrps, 10);
}

/* PMUVer 0 (none, as a VM of elvisor sees) and 0xf (IMPLEMENTATION
 * DEFINED) mean no PMCR_EL0: reading it would be UNDEFINED. */
static void test_pmu(void **state)
{
    struct cpu_id_regs id = { 0 };

    (void)state;
    assert_false(decode(&id).pmu);
    id.dfr0 = FLD(0xf, DFR0_PMUVER);
    assert_false(decode(&id).pmu);
    id.dfr0 = ALL_BUT(DFR0_PMUVER);
    assert_false(decode(&id).pmu);
    id.dfr0 = FLD(1, DFR0_PMUVER);
    assert_true(decode(&id).pmu);
    id.dfr0 = FLD(8, DFR0_PMUVER);
    assert_true(decode(&id).pmu);
}

/* A Cortex-A57 (no VHE, ARMv8.0) and a Cortex-A76-like core (VHE, 16-bit
 * VMIDs, 40-bit PA) as their ID registers read. */
static void test_real_cores(void **state)
{
    struct cpu_id_regs a57 = {
        .pfr0 = 0x0000000000002222ULL,
        .mmfr0 = 0x0000000000001124ULL,
        .mmfr1 = 0,
        .isar1 = 0,
        .dfr0 = 0x0000000010305106ULL,
        .midr = 0x411fd070ULL,
    };
    struct cpu_id_regs a76 = {
        .pfr0 = 0x1100000010111112ULL,
        .mmfr0 = 0x0000000000101122ULL,
        .mmfr1 = 0x0000000010212122ULL,
        .mmfr2 = 0x0000000000001011ULL,
        .isar1 = 0x0000000000100001ULL,
        .dfr0 = 0x0000000010305408ULL,
        .midr = 0x414fd0b1ULL,
    };
    struct cpu_features f;

    (void)state;
    f = decode(&a57);
    assert_int_equal(f.e2h, E2H_NO_VHE);
    assert_false(cpu_features_use_vhe(&f, false));
    assert_int_equal(f.pa_bits, 44);
    assert_int_equal(f.vmid_bits, 8);
    assert_int_equal(f.nv, 0);
    assert_int_equal(f.gic_sysreg, 0);
    assert_int_equal(f.brps, 6);
    assert_int_equal(f.wrps, 4);
    assert_true(f.pmu);                     /* PMUVer 1 */

    f = decode(&a76);
    assert_int_equal(f.e2h, E2H_SWITCHABLE);
    assert_true(cpu_features_use_vhe(&f, false));
    assert_false(cpu_features_use_vhe(&f, true));
    assert_int_equal(f.pa_bits, 40);
    assert_int_equal(f.parange, 2);
    assert_int_equal(f.vmid_bits, 16);
    assert_int_equal(f.gic_sysreg, 0);      /* the reset value; a GICv3 system sets 1 */
    assert_false(f.sve || f.pauth || f.fgt);
    assert_int_equal(f.ecv, 0);
    assert_false(cpu_features_has_cntpoff(&f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vhe_matrix),
        cmocka_unit_test(test_e2h0_values),
        cmocka_unit_test(test_vhe_neighbour_fields),
        cmocka_unit_test(test_e2h_names),
        cmocka_unit_test(test_idst),
        cmocka_unit_test(test_nv),
        cmocka_unit_test(test_ecv_fgt),
        cmocka_unit_test(test_vmid_bits),
        cmocka_unit_test(test_parange),
        cmocka_unit_test(test_pfr_isar_flags),
        cmocka_unit_test(test_breakpoints_watchpoints),
        cmocka_unit_test(test_pmu),
        cmocka_unit_test(test_real_cores),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
