/* What guests see of the ID registers: hidden fields read 0, the features
 * elvisor passes through keep their hardware value, whole registers for
 * unvirtualized extensions read 0, and PARange follows the IPA size. Keys
 * and field positions come from the Arm ARM register descriptions, written
 * out here independently of id_regs.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host_support.h"
#include "trap/id_regs.c"

#define F4(shift)   (0xfULL << (shift))
#define FV(v, shift) ((uint64_t)(v) << (shift))
#define ID(crm, op2) SYSREG_KEY(3, 0, 0, (crm), (op2))

/* op0 = 3, op1 = 0, CRn = 0 */
#define K_MIDR          ID(0, 0)
#define K_ID_DFR0       ID(1, 2)        /* AArch32 ID_DFR0_EL1 */
#define K_PFR0          ID(4, 0)
#define K_PFR1          ID(4, 1)
#define K_PFR2          ID(4, 2)
#define K_ZFR0          ID(4, 4)
#define K_SMFR0         ID(4, 5)
#define K_FPFR0         ID(4, 7)
#define K_DFR0          ID(5, 0)
#define K_DFR1          ID(5, 1)
#define K_AFR0          ID(5, 4)
#define K_AFR1          ID(5, 5)
#define K_ISAR0         ID(6, 0)
#define K_ISAR1         ID(6, 1)
#define K_ISAR2         ID(6, 2)
#define K_MMFR0         ID(7, 0)
#define K_MMFR1         ID(7, 1)
#define K_MMFR2         ID(7, 2)
#define K_MMFR3         ID(7, 3)
#define K_MMFR4         ID(7, 4)

struct reg_rule {
    const char *name;
    uint32_t key;
    uint64_t must_hide;     /* fields that must read 0 */
    uint64_t must_keep;     /* fields that must keep the hardware value */
};

static const struct reg_rule rules[] = {
    { "ID_AA64PFR0_EL1", K_PFR0,
      /* EL2, EL3, RAS, SVE, SEL2, MPAM, AMU, RME */
      F4(8) | F4(12) | F4(28) | F4(32) | F4(36) | F4(40) | F4(44) | F4(52),
      /* EL0, EL1, FP, AdvSIMD, GIC, DIT, CSV2, CSV3 */
      F4(0) | F4(4) | F4(16) | F4(20) | F4(24) | F4(48) | F4(56) | F4(60) },
    { "ID_AA64PFR1_EL1", K_PFR1,
      /* MTE, SME, MTE_frac, GCS */
      F4(8) | F4(24) | F4(40) | F4(44),
      /* BT, SSBS, CSV2_frac */
      F4(0) | F4(4) | F4(32) },
    { "ID_AA64DFR0_EL1", K_DFR0,
      /* TraceVer, PMUVer, PMSVer (SPE), TraceFilt, TraceBuffer, BRBE */
      F4(4) | F4(8) | F4(32) | F4(40) | F4(44) | F4(52),
      /* DebugVer, BRPs, WRPs, CTX_CMPs: guests use the debug registers */
      F4(0) | F4(12) | F4(20) | F4(28) },
    { "ID_DFR0_EL1", K_ID_DFR0, F4(24) /* PerfMon */, F4(0) | F4(16) /* CopDbg, MMapDbg */ },
    { "ID_AA64ISAR0_EL1", K_ISAR0, 0, ~0ULL },
    { "ID_AA64ISAR1_EL1", K_ISAR1,
      /* APA, API, GPA, GPI */
      F4(4) | F4(8) | F4(24) | F4(28),
      /* DPB, JSCVT, FCMA, LRCPC, FRINTTS, SB, SPECRES, BF16, DGH, I8MM */
      F4(0) | F4(12) | F4(16) | F4(20) | F4(32) | F4(36) | F4(40) | F4(44) | F4(48) | F4(52) },
    { "ID_AA64ISAR2_EL1", K_ISAR2,
      /* WFxT, GPA3, APA3, MOPS, PAC_frac */
      F4(0) | F4(8) | F4(12) | F4(16) | F4(24),
      /* RPRES, BC, CLRBHB */
      F4(4) | F4(20) | F4(28) },
    { "ID_AA64MMFR0_EL1", K_MMFR0,
      F4(56) /* FGT */,
      /* ASIDBits, BigEnd, SNSMem, BigEndEL0, TGran16/64/4, TGran*_2, ExS, ECV */
      F4(4) | F4(8) | F4(12) | F4(16) | F4(20) | F4(24) | F4(28) | F4(32) | F4(36) | F4(40) |
      F4(44) | F4(60) },
    { "ID_AA64MMFR1_EL1", K_MMFR1,
      /* VMIDBits, VH, LO, TWED, HCX */
      F4(4) | F4(8) | F4(16) | F4(32) | F4(40),
      /* HAFDBS, HPDS, PAN, SpecSEI, ETS */
      F4(0) | F4(12) | F4(20) | F4(24) | F4(36) },
    { "ID_AA64MMFR2_EL1", K_MMFR2,
      /* NV, FWB, EVT */
      F4(24) | F4(40) | F4(56),
      /* CnP, UAO, LSM, IESB, VARange, CCIDX, ST, AT, IDS, TTL, BBM, E0PD */
      F4(0) | F4(4) | F4(8) | F4(12) | F4(16) | F4(20) | F4(28) | F4(32) | F4(36) | F4(48) |
      F4(52) | F4(60) },
    { "ID_AA64MMFR3_EL1", K_MMFR3, ~0ULL, 0 },
    { "ID_AA64MMFR4_EL1", K_MMFR4, ~0ULL, 0 },
    { "ID_AA64ZFR0_EL1", K_ZFR0, ~0ULL, 0 },
    { "ID_AA64SMFR0_EL1", K_SMFR0, ~0ULL, 0 },
    { "ID_AA64PFR2_EL1", K_PFR2, ~0ULL, 0 },
    { "ID_AA64FPFR0_EL1", K_FPFR0, ~0ULL, 0 },
    { "ID_AA64DFR1_EL1", K_DFR1, ~0ULL, 0 },
    { "ID_AA64AFR0_EL1", K_AFR0, ~0ULL, 0 },
    { "ID_AA64AFR1_EL1", K_AFR1, ~0ULL, 0 },
};

#define PARANGE_MASK F4(0)

static uint64_t rng = 0x0123456789abcdefULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check_rule(const struct reg_rule *r, uint64_t hw)
{
    uint64_t got = id_reg_sanitize(r->key, hw, 40);
    uint64_t ignore = r->key == K_MMFR0 ? PARANGE_MASK : 0;

    if ((got & r->must_hide & ~ignore) != 0 || (got & r->must_keep) != (hw & r->must_keep))
        print_error("%s: hw %#llx -> %#llx\n", r->name, (unsigned long long)hw,
                    (unsigned long long)got);
    assert_true((got & r->must_hide & ~ignore) == 0);
    assert_true((got & r->must_keep) == (hw & r->must_keep));
    /* Sanitizing only takes fields away; it never invents one. */
    assert_true((got & ~hw & ~ignore) == 0);
}

static void test_rules_all_ones_and_random(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        check_rule(&rules[i], ~0ULL);
        check_rule(&rules[i], 0);
        for (unsigned n = 0; n < 200; n++)
            check_rule(&rules[i], rnd());
    }
}

/* Registers elvisor has no rule for read as the hardware has them. */
static void test_unlisted_registers_pass_through(void **state)
{
    static const uint32_t keys[] = {
        K_MIDR, ID(0, 5) /* MPIDR */, ID(0, 6) /* REVIDR */, ID(6, 3) /* ISAR3 */,
        ID(1, 0) /* ID_PFR0 */, ID(4, 3) /* reserved */, SYSREG_KEY(3, 3, 0, 0, 1) /* CTR_EL0 */,
        SYSREG_KEY(3, 1, 0, 0, 1) /* CLIDR_EL1 */,
    };

    (void)state;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        for (unsigned n = 0; n < 50; n++) {
            uint64_t hw = rnd();
            assert_true(id_reg_sanitize(keys[i], hw, 40) == hw);
            assert_true(id_reg_sanitize(keys[i], hw, 48) == hw);
        }
    }
}

static void test_parange(void **state)
{
    static const struct { unsigned ipa_bits, parange; } cases[] = {
        { 32, 0 }, { 33, 0 }, { 35, 0 }, { 36, 1 }, { 39, 1 }, { 40, 2 }, { 41, 2 }, { 42, 3 },
        { 43, 3 }, { 44, 4 }, { 47, 4 }, { 48, 5 }, { 52, 6 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* Hardware with 52-bit PAs and every other field set. */
        uint64_t hw = (~0ULL & ~PARANGE_MASK) | 6;
        uint64_t got = id_reg_sanitize(K_MMFR0, hw, cases[i].ipa_bits);
        if ((got & PARANGE_MASK) != cases[i].parange)
            print_error("ipa_bits %u: PARange %llu, want %u\n", cases[i].ipa_bits,
                        (unsigned long long)(got & PARANGE_MASK), cases[i].parange);
        assert_int_equal(got & PARANGE_MASK, cases[i].parange);
        assert_true((got & F4(56)) == 0);                  /* FGT hidden */
        assert_true((got & F4(60)) == F4(60));             /* ECV kept */
    }
    /* The IPA sizes elvisor actually uses: the hardware's PA size up to 48. */
    static const unsigned hw_bits[] = { 32, 36, 40, 42, 44, 48 };
    for (unsigned p = 0; p < 6; p++) {
        uint64_t hw = 0x0000000000101120ULL | p;
        uint64_t got = id_reg_sanitize(K_MMFR0, hw, hw_bits[p]);
        assert_true(got == hw);
    }
    /* 52-bit hardware, 48-bit IPA space: the guest sees 48. */
    assert_true(id_reg_sanitize(K_MMFR0, 0x0000000000101126ULL, 48) == 0x0000000000101125ULL);
}

/* The fields named in elvisor's guest contract, one by one. */
static void test_named_fields(void **state)
{
    uint64_t v;

    (void)state;
    /* A Neoverse-like PFR0: EL0-3 AArch64, FP/AdvSIMD with half precision,
     * GICv3 sysregs, RAS, SVE, SEL2, AMU, DIT, CSV2/CSV3. */
    const uint64_t pfr0 = FV(1, 0) | FV(1, 4) | FV(1, 8) | FV(1, 12) | FV(1, 16) | FV(1, 20) |
                          FV(1, 24) | FV(1, 28) | FV(1, 32) | FV(1, 36) | FV(1, 44) | FV(1, 48) |
                          FV(1, 56) | FV(1, 60);
    v = id_reg_sanitize(K_PFR0, pfr0, 40);
    assert_true((v & F4(8)) == 0);              /* EL2 */
    assert_true((v & F4(12)) == 0);             /* EL3 */
    assert_true((v & F4(28)) == 0);             /* RAS */
    assert_true((v & F4(32)) == 0);             /* SVE */
    assert_true((v & F4(44)) == 0);             /* AMU */
    assert_true(v == (FV(1, 0) | FV(1, 4) | FV(1, 16) | FV(1, 20) | FV(1, 24) | FV(1, 48) |
                      FV(1, 56) | FV(1, 60)));

    /* PFR1: BT, SSBS 2, MTE 2, SME 1, CSV2_frac 1. */
    v = id_reg_sanitize(K_PFR1, FV(1, 0) | FV(2, 4) | FV(2, 8) | FV(1, 24) | FV(1, 32), 40);
    assert_true(v == (FV(1, 0) | FV(2, 4) | FV(1, 32)));

    v = id_reg_sanitize(K_DFR0, 0x0000000010305408ULL | F4(32) | F4(44), 40);
    assert_true((v & F4(8)) == 0);              /* PMUVer */
    assert_true((v & F4(4)) == 0);              /* TraceVer */
    assert_true((v & F4(32)) == 0);             /* PMSVer (SPE) */
    assert_true((v & F4(44)) == 0);             /* TraceBuffer */
    assert_true((v & F4(0)) == 8);              /* DebugVer */

    v = id_reg_sanitize(K_ISAR1, 0x0000000000101111ULL | F4(24) | F4(28), 40);
    assert_true((v & (F4(4) | F4(8) | F4(24) | F4(28))) == 0);
    assert_true((v & F4(0)) == 1);              /* DPB */
    assert_true((v & F4(20)) == FV(1, 20));     /* LRCPC */

    v = id_reg_sanitize(K_ISAR2, 0x0000000001112121ULL, 40);
    assert_true((v & F4(0)) == 0);              /* WFxT */
    assert_true((v & F4(16)) == 0);             /* MOPS */
    assert_true((v & (F4(8) | F4(12))) == 0);   /* GPA3, APA3 */
    assert_true((v & F4(4)) == FV(2, 4));       /* RPRES: value kept, not its meaning */

    v = id_reg_sanitize(K_MMFR1, 0x0000000010212122ULL, 40);
    assert_true((v & F4(8)) == 0);              /* VH */
    assert_true((v & F4(16)) == 0);             /* LO */
    assert_true((v & F4(20)) == FV(2, 20));     /* PAN */

    v = id_reg_sanitize(K_MMFR2, 0x0000000002001011ULL, 40);
    assert_true((v & F4(24)) == 0);             /* NV */
    assert_true((v & F4(0)) == 1);              /* CnP */

    const uint64_t isar0 = 0x0221100110212120ULL;
    assert_true(id_reg_sanitize(K_ISAR0, isar0, 40) == isar0);
    assert_true((id_reg_sanitize(K_ISAR0, isar0, 40) & F4(4)) == 0x20);   /* AES */

    assert_true(id_reg_sanitize(K_MMFR3, 0x1000000000000011ULL, 40) == 0);
    assert_true(id_reg_sanitize(K_MMFR4, FV(0xe, 24), 40) == 0);
    assert_true(id_reg_sanitize(K_ZFR0, 0x0110110000000001ULL, 40) == 0);
    assert_true(id_reg_sanitize(K_SMFR0, 0x8000000000000000ULL, 40) == 0);
}

/* ---- A VM with virtual EL2 (docs/nested.md §7) ---- */

#define FIELD_OF(v, shift)  (((v) >> (shift)) & 0xf)

/* The vEL2 view differs from the EL1 one only in the fields §7 names. */
static uint64_t vel2_fields(uint32_t key)
{
    switch (key) {
    case K_PFR0: return F4(8);                                  /* EL2 */
    case K_MMFR0: return F4(32) | F4(36) | F4(40) | F4(60);     /* TGran16_2/64_2/4_2, ECV */
    case K_MMFR1: return F4(4) | F4(8);                         /* VMIDBits, VH */
    case K_MMFR4: return ~0ULL;
    default: return 0;
    }
}

/* MOPS is offered when elvisor enabled it at EL1 (HCRX_EL2.MSCEn) and takes
 * its exceptions (MCE2); otherwise the instructions would be UNDEFINED. */
static void test_mops_only_where_enabled(void **state)
{
    uint64_t hw = FV(1, 16) | FV(2, 4) | FV(1, 0);

    assert_true((id_reg_sanitize(K_ISAR2, hw, 40) & F4(16)) == 0);     /* hidden until offered */
    id_regs_offer_mops(false);
    assert_true((id_reg_sanitize(K_ISAR2, hw, 40) & F4(16)) == 0);
    assert_true((id_reg_sanitize_vel2(K_ISAR2, hw, 40, false, false) & F4(16)) == 0);
    id_regs_offer_mops(true);
    assert_true((id_reg_sanitize(K_ISAR2, hw, 40) & F4(16)) == FV(1, 16));
    assert_true((id_reg_sanitize_vel2(K_ISAR2, hw, 40, true, false) & F4(16)) == FV(1, 16));
    assert_true((id_reg_sanitize(K_ISAR2, hw, 40) & F4(0)) == 0);     /* WFxT still hidden */
    assert_true((id_reg_sanitize(K_ISAR2, 0, 40) & F4(16)) == 0);     /* not on a CPU without */
    id_regs_offer_mops(false);
    assert_true((id_reg_sanitize(K_ISAR2, hw, 40) & F4(16)) == 0);
}

static void test_vel2_same_as_el1_elsewhere(void **state)
{
    static const uint32_t keys[] = {
        K_MIDR, K_ID_DFR0, K_PFR0, K_PFR1, K_PFR2, K_ZFR0, K_SMFR0, K_FPFR0, K_DFR0, K_DFR1,
        K_AFR0, K_AFR1, K_ISAR0, K_ISAR1, K_ISAR2, K_MMFR0, K_MMFR1, K_MMFR2, K_MMFR3, K_MMFR4,
    };

    (void)state;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        uint64_t mask = ~vel2_fields(keys[i]);
        for (unsigned n = 0; n < 200; n++) {
            uint64_t hw = n == 0 ? ~0ULL : n == 1 ? 0 : rnd();
            uint64_t el1 = id_reg_sanitize(keys[i], hw, 40);
            uint64_t vel2 = id_reg_sanitize_vel2(keys[i], hw, 40, false, false);
            if ((el1 & mask) != (vel2 & mask))
                print_error("key %#x hw %#llx: EL1 %#llx, vEL2 %#llx\n", keys[i],
                            (unsigned long long)hw, (unsigned long long)el1, (unsigned long long)vel2);
            assert_true((el1 & mask) == (vel2 & mask));
        }
    }
}

static void test_vel2_fields(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 300; n++) {
        uint64_t hw = n == 0 ? ~0ULL : n == 1 ? 0 : rnd();
        uint64_t v;

        /* EL2 implemented, AArch64 only, whatever the hardware says; no EL3. */
        v = id_reg_sanitize_vel2(K_PFR0, hw, 40, false, false);
        assert_int_equal(FIELD_OF(v, 8), 1);
        assert_int_equal(FIELD_OF(v, 12), 0);
        assert_int_equal(FIELD_OF(v, 32), 0);                  /* SVE still hidden */

        /* Stage 2 with 4 KiB pages only; ECV without CNTPOFF at most. */
        v = id_reg_sanitize_vel2(K_MMFR0, hw, 40, false, false);
        assert_int_equal(FIELD_OF(v, 40), 2);
        assert_int_equal(FIELD_OF(v, 32), 1);
        assert_int_equal(FIELD_OF(v, 36), 1);
        assert_true(FIELD_OF(v, 60) == (FIELD_OF(hw, 60) > 1 ? 1 : FIELD_OF(hw, 60)));
        assert_int_equal(FIELD_OF(v, 56), 0);                  /* FGT */
        assert_int_equal(FIELD_OF(v, 0), 2);                   /* PARange for 40 bits */

        /* VHE, the hardware's VMID width; LO, TWED, HCX still hidden. */
        v = id_reg_sanitize_vel2(K_MMFR1, hw, 40, false, false);
        assert_int_equal(FIELD_OF(v, 8), 1);
        assert_true(FIELD_OF(v, 4) == FIELD_OF(hw, 4));
        assert_int_equal(FIELD_OF(v, 16) | FIELD_OF(v, 32) | FIELD_OF(v, 40), 0);

        /* No FEAT_NV for the guest's guests. */
        assert_int_equal(FIELD_OF(id_reg_sanitize_vel2(K_MMFR2, hw, 40, false, false), 24), 0);

        /* E2H0 = NI_NV1 (0b1110: E2H RES1), nothing else. */
        assert_true(id_reg_sanitize_vel2(K_MMFR4, hw, 40, false, false) == FV(0xe, 24));
    }
    /* Non-VHE: no FEAT_VHE, E2H0 implemented (E2H RES0), the rest alike. */
    for (unsigned n = 0; n < 300; n++) {
        uint64_t hw = n == 0 ? ~0ULL : n == 1 ? 0 : rnd();
        uint64_t v = id_reg_sanitize_vel2(K_MMFR1, hw, 40, true, false);
        assert_int_equal(FIELD_OF(v, 8), 0);
        assert_true(FIELD_OF(v, 4) == FIELD_OF(hw, 4));
        assert_true(id_reg_sanitize_vel2(K_MMFR4, hw, 40, true, false) == 0);
        assert_int_equal(FIELD_OF(id_reg_sanitize_vel2(K_PFR0, hw, 40, true, false), 8), 1);
        assert_int_equal(FIELD_OF(id_reg_sanitize_vel2(K_MMFR2, hw, 40, true, false), 24), 0);
        assert_true(id_reg_sanitize_vel2(K_MMFR0, hw, 40, true, false) == id_reg_sanitize_vel2(K_MMFR0, hw, 40, false, false));
    }
    /* virt-el2-nv2: MMFR2.NV = 2 (FEAT_NV2), the rest of MMFR2 and every
     * other register but MMFR4 as without it; never with a non-VHE vEL2
     * (the config refuses it, and NV2 here would promise NV1 with E2H0
     * implemented). */
    for (unsigned n = 0; n < 300; n++) {
        uint64_t hw = n == 0 ? ~0ULL : n == 1 ? 0 : rnd();
        static const uint32_t others[] = { K_PFR0, K_MMFR0, K_MMFR1, K_ISAR2 };
        uint64_t m2 = id_reg_sanitize_vel2(K_MMFR2, hw, 40, false, true);

        assert_int_equal(FIELD_OF(m2, 24), 2);
        assert_true((m2 & ~F4(24)) == (id_reg_sanitize_vel2(K_MMFR2, hw, 40, false, false) & ~F4(24)));
        for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
            assert_true(id_reg_sanitize_vel2(others[i], hw, 40, false, true) ==
                        id_reg_sanitize_vel2(others[i], hw, 40, false, false));
        /* E2H0 (ID_AA64MMFR4_EL1 [27:24], signed): NI (0b1111: E2H RES1,
         * HCR_EL2.NV1 implemented) when the hardware's MMFR4 has NV1, i.e.
         * its E2H0 is anything but NI_NV1 (0b1110); NI_NV1 otherwise;
         * never another field of the hardware's. */
        uint64_t m4 = id_reg_sanitize_vel2(K_MMFR4, hw, 40, false, true);
        assert_true(m4 == (FIELD_OF(hw, 24) == 0xe ? FV(0xe, 24) : FV(0xf, 24)));
        assert_int_equal(FIELD_OF(id_reg_sanitize_vel2(K_MMFR2, hw, 40, true, true), 24), 0);
        /* A plain guest never sees it. */
        assert_int_equal(FIELD_OF(id_reg_sanitize(K_MMFR2, hw, 40), 24), 0);
    }
    /* The hardware's E2H0 written out: IMP (0) and NI (0xf) have NV1,
     * NI_NV1 (0xe) has not; only the offer changes what the VM sees. */
    static const struct { unsigned hw_e2h0, offered; } e2h0[] = { { 0, 0xf }, { 0xf, 0xf }, { 0xe, 0xe } };
    for (unsigned i = 0; i < sizeof(e2h0) / sizeof(e2h0[0]); i++) {
        uint64_t hw = FV(e2h0[i].hw_e2h0, 24) | FV(1, 20);
        assert_true(id_reg_sanitize_vel2(K_MMFR4, hw, 40, false, true) == FV(e2h0[i].offered, 24));
        assert_true(id_reg_sanitize_vel2(K_MMFR4, hw, 40, false, false) == FV(0xe, 24));
        assert_true(id_reg_sanitize_vel2(K_MMFR4, hw, 40, true, false) == 0);
    }
    /* The EL1 view keeps hiding all of it. */
    assert_int_equal(FIELD_OF(id_reg_sanitize(K_PFR0, FV(1, 8), 40), 8), 0);
    assert_int_equal(FIELD_OF(id_reg_sanitize(K_MMFR1, FV(1, 8), 40), 8), 0);
    assert_true(id_reg_sanitize(K_MMFR4, FV(0xe, 24), 40) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_all_ones_and_random),
        cmocka_unit_test(test_unlisted_registers_pass_through),
        cmocka_unit_test(test_parange),
        cmocka_unit_test(test_named_fields),
        cmocka_unit_test(test_mops_only_where_enabled),
        cmocka_unit_test(test_vel2_same_as_el1_elsewhere),
        cmocka_unit_test(test_vel2_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
