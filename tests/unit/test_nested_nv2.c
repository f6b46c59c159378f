/* FEAT_NV2 offered to a guest hypervisor (virt-el2-nv2, docs/nested.md
 * §9.21): the pure parts. How its HCR_EL2 as it wrote it in the VNCR page
 * becomes the hardware HCR_EL2 its own guest runs with (nested_calc.c), and
 * which of that guest's exits HCR_EL2.NV and AT make the guest
 * hypervisor's (forward.c). Encodings are written out from the Arm ARM
 * (HCR_EL2; the system register encodings; ESR_EL2 for EC 0x1A and 0x18),
 * independently of the code and of the register database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trap/inject.h"
#include "nested/nested_calc.c"
#include "nested/forward.c"
#include "nested/exit_stats.c"

#include "nested_test_arm.h"

/* What nested_test_arm.h does not have. */
#define A_HCR_NV_KEPT (A_HCR_NV | A_HCR_NV2 | A_HCR_AT)
#define A_EC_ERET       0x1a
/* This program's own random sequence (nested_test_arm.h's rnd()). */
#define NV2_TEST_SEED   0x13198a2e03707344ULL

/* ---- vHCR -> the hardware HCR_EL2 of the guest hypervisor's guest ---- */

static void test_nv_bits_reach_the_hardware_only_with_nv2(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 2000; n++) {
        uint64_t raw = n == 0 ? 0 : n == 1 ? ~0ULL : rnd();
        uint64_t guest = rnd() & ~A_HCR_NV_ALL;     /* elvisor's own guest HCR has none */
        bool nvhe = n & 1;
        uint64_t with = nested_l2_hcr(guest, nested_vhcr_effective(raw, nvhe, true, false));
        uint64_t without = nested_l2_hcr(guest, nested_vhcr_effective(raw, nvhe, false, false));

        /* Offered and VHE: NV, NV2 and AT exactly as it asked; NV1 never
         * (RES0: ID_AA64MMFR4_EL1.E2H0 is NI_NV1). */
        if (!nvhe)
            assert_true((with & A_HCR_NV_ALL) == (raw & A_HCR_NV_KEPT));
        else
            assert_true((with & A_HCR_NV_ALL) == 0);
        /* Not offered: none of them, whatever it wrote. */
        assert_true((without & A_HCR_NV_ALL) == 0);
        /* Nothing else changes with the offer. */
        assert_true((with & ~A_HCR_NV_ALL) == (without & ~A_HCR_NV_ALL));
        /* and they are never reported as ignored */
        assert_true((nested_vhcr_unhonoured(nested_vhcr_effective(raw, nvhe, true, false)) & A_HCR_NV_ALL) == 0);
    }
}

/* elvisor as the guest hypervisor asks, for its own vEL2 guest, what its
 * nested_hyp_hcr gives: NV, NV2, AT and TTLB (docs/nested.md §1.4). Its
 * guest then runs with all four in the hardware, beside elvisor's own
 * controls. */
static void test_elvisor_as_l1_composes(void **state)
{
    (void)state;
    const uint64_t l0_guest = A_HCR_VM | A_HCR_RW | A_HCR_IMO | A_HCR_TSC | A_HCR_TID3;
    const uint64_t l1_guest = A_HCR_VM | A_HCR_RW | A_HCR_IMO | A_HCR_TSC;
    uint64_t vhcr_page = nested_hyp_hcr(l1_guest, false) | A_HCR_E2H;
    uint64_t hw = nested_l2_hcr(l0_guest, nested_vhcr_effective(vhcr_page, false, true, false));

    assert_true((hw & (A_HCR_NV | A_HCR_NV2 | A_HCR_AT | A_HCR_TTLB)) == (A_HCR_NV | A_HCR_NV2 | A_HCR_AT | A_HCR_TTLB));
    assert_true((hw & l0_guest) == l0_guest);
    assert_true(!(hw & (A_HCR_NV1 | A_HCR_TGE)));
    /* Its plain EL1 guest (no NV asked) runs without. */
    hw = nested_l2_hcr(l0_guest, nested_vhcr_effective(l1_guest | A_HCR_E2H, false, true, false));
    assert_true(!(hw & A_HCR_NV_ALL));
}

/* With a CPU that has NV1 (nv1: the VM sees E2H0 = NI, §9.23) its NV1 is
 * kept too and reaches the hardware with NV, so that its guest can be a
 * non-VHE guest hypervisor; never without the offer, never for a non-VHE
 * VM, never without NV ({NV1,NV} = {1,0} is CONSTRAINED UNPREDICTABLE). */
static void test_nv1_reaches_the_hardware_with_nv(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 2000; n++) {
        uint64_t raw = n == 0 ? 0 : n == 1 ? ~0ULL : rnd();
        uint64_t guest = rnd() & ~A_HCR_NV_ALL;
        bool nvhe = n & 1;
        uint64_t hw = nested_l2_hcr(guest, nested_vhcr_effective(raw, nvhe, true, true));
        uint64_t want = nvhe ? 0 : raw & (A_HCR_NV_KEPT | ((raw & A_HCR_NV) ? A_HCR_NV1 : 0));

        assert_true((hw & A_HCR_NV_ALL) == want);
        assert_true((nested_l2_hcr(guest, nested_vhcr_effective(raw, nvhe, false, true)) & A_HCR_NV_ALL) == 0);
        assert_true((nested_l2_hcr(guest, nested_vhcr_effective(raw, nvhe, true, false)) & A_HCR_NV1) == 0);
        assert_true((nested_vhcr_unhonoured(nested_vhcr_effective(raw, nvhe, true, true)) & A_HCR_NV_ALL) == 0);
    }
    /* elvisor as L1 with a non-VHE vEL2 guest asks NV, NV1, NV2, AT and
     * TTLB (nested_hyp_hcr with nvhe): its guest runs with all five. */
    const uint64_t l0_guest = A_HCR_VM | A_HCR_RW | A_HCR_IMO | A_HCR_TSC;
    uint64_t vhcr_page = nested_hyp_hcr(l0_guest, true) | A_HCR_E2H;
    uint64_t hw = nested_l2_hcr(l0_guest, nested_vhcr_effective(vhcr_page, false, true, true));
    assert_true((hw & (A_HCR_NV_ALL | A_HCR_TTLB)) == (A_HCR_NV_ALL | A_HCR_TTLB));
}

/* ---- Forwarding: what HCR_EL2.NV and AT trap of its guest ---- */

static enum nested_l2_exit l2_kind(uint64_t esr, uint64_t hcr)
{
    struct nested_ctls c = { hcr, NESTED_CNTHCTL_OPEN, 0, 0, 0, 0 };

    return nested_l2_exit_kind(esr, &c);
}

struct enc {
    const char *name;
    unsigned op0, op1, crn, crm, op2;
};

/* Registers and instructions legal at EL2 only: NV traps them at EL1. */
static const struct enc el2_only[] = {
    { "SCTLR_EL2", 3, 4, 1, 0, 0 },
    { "TTBR0_EL2", 3, 4, 2, 0, 0 },
    { "VNCR_EL2", 3, 4, 2, 2, 0 },
    { "SP_EL1", 3, 4, 4, 1, 0 },
    { "SPSR_irq", 3, 4, 4, 3, 0 },
    { "VBAR_EL2", 3, 4, 12, 0, 0 },
    { "ICC_SRE_EL2", 3, 4, 12, 9, 5 },
    { "ICH_VTR_EL2", 3, 4, 12, 11, 1 },
    { "ICH_MISR_EL2", 3, 4, 12, 11, 2 },
    { "CNTHCTL_EL2", 3, 4, 14, 1, 0 },
    { "CNTHP_TVAL_EL2", 3, 4, 14, 2, 0 },
    { "CNTHV_TVAL_EL2", 3, 4, 14, 3, 0 },
    { "CNTKCTL_EL12", 3, 5, 14, 1, 0 },
    { "CNTP_TVAL_EL02", 3, 5, 14, 2, 0 },
    { "CNTV_TVAL_EL02", 3, 5, 14, 3, 0 },
    { "SCTLR_EL12", 3, 5, 1, 0, 0 },
    { "DBGVCR32_EL2", 2, 4, 0, 7, 0 },
    { "TLBI ALLE2", 1, 4, 8, 7, 0 },
    { "TLBI VMALLS12E1", 1, 4, 8, 7, 6 },
    { "TLBI IPAS2E1IS", 1, 4, 8, 0, 1 },
    { "AT S1E2R", 1, 4, 7, 8, 0 },
    { "AT S12E1R", 1, 4, 7, 8, 4 },
};

/* EL1 and EL3 ones: NV does not make them its (ID registers trap by TID3,
 * EL3's are UNDEFINED at EL2 too). */
static const struct enc not_nv[] = {
    { "SCTLR_EL1", 3, 0, 1, 0, 0 },
    { "CNTP_TVAL_EL0", 3, 3, 14, 2, 0 },
    { "ID_AA64MMFR2_EL1", 3, 0, 0, 7, 2 },
    { "SCTLR_EL3", 3, 6, 1, 0, 0 },
    { "TLBI VMALLE1", 1, 0, 8, 7, 0 },
    { "DC CIVAC", 1, 3, 7, 14, 1 },
};

static void test_nv_forwards_el2_accesses(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(el2_only) / sizeof(el2_only[0]); i++) {
        const struct enc *e = &el2_only[i];
        for (unsigned rd = 0; rd < 2; rd++) {
            uint64_t esr = A_SYS(e->op0, e->op1, e->crn, e->crm, e->op2, 3, rd);
            if (l2_kind(esr, A_HCR_NV) != NESTED_L2_TO_VEL2 || l2_kind(esr, A_HCR_E2H) != NESTED_L2_ELVISOR)
                fail_msg("%s (%s): not forwarded on NV alone", e->name, rd ? "read" : "write");
        }
    }
    for (unsigned i = 0; i < sizeof(not_nv) / sizeof(not_nv[0]); i++) {
        const struct enc *e = &not_nv[i];
        uint64_t esr = A_SYS(e->op0, e->op1, e->crn, e->crm, e->op2, 3, 1);
        if (l2_kind(esr, A_HCR_NV | A_HCR_NV2) != NESTED_L2_ELVISOR)
            fail_msg("%s: forwarded on NV", e->name);
    }
    /* Every op1 4 and 5 register, every op1 4 instruction; no op1 6. */
    for (unsigned n = 0; n < 4000; n++) {
        unsigned op0 = 1 + (unsigned)(rnd() % 3), op1 = (unsigned)(rnd() % 8), crn = (unsigned)(rnd() % 16);
        unsigned crm = (unsigned)(rnd() % 16), op2 = (unsigned)(rnd() % 8);
        bool nv_space = (op0 == 3 && (op1 == 4 || op1 == 5)) || ((op0 == 1 || op0 == 2) && op1 == 4);
        uint64_t esr = A_SYS(op0, op1, crn, crm, op2, 1, n & 1);
        if (nv_space)
            assert_int_equal(l2_kind(esr, A_HCR_NV), NESTED_L2_TO_VEL2);
        else if (op1 == 6)
            assert_int_equal(l2_kind(esr, A_HCR_NV), NESTED_L2_ELVISOR);
    }
}

static void test_nv_forwards_eret(void **state)
{
    (void)state;
    const uint64_t eret = A_EC(A_EC_ERET) | A_ESR_IL, eretaa = eret | 2, eretab = eret | 3;

    assert_int_equal(l2_kind(eret, A_HCR_NV), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(eretaa, A_HCR_NV), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(eretab, A_HCR_NV | A_HCR_NV2), NESTED_L2_TO_VEL2);
    /* Without NV no ERET traps; one that did is elvisor's. */
    assert_int_equal(l2_kind(eret, A_HCR_NV2 | A_HCR_AT | A_HCR_E2H), NESTED_L2_ELVISOR);
    /* HVC and SMC as for any guest of its. */
    assert_int_equal(l2_kind(A_EC(A_EC_HVC) | A_ESR_IL, A_HCR_NV), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(A_EC(A_EC_SMC) | A_ESR_IL, A_HCR_NV | A_HCR_TSC), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(A_EC(A_EC_SMC) | A_ESR_IL, A_HCR_NV), NESTED_L2_ELVISOR);
    /* The row tests its HCR_EL2 only (the fast path gathers no more). */
    assert_true(NESTED_FWD_HCR_ONLY(A_EC_ERET));
}

/* HCR_EL2.AT: AT S1E1R/W, S1E0R/W (CRm 8, op2 0..3), S1E1RP/WP and
 * S1E1A (CRm 9, op2 0..2); not the S12 or EL2 forms (op1 4: NV's). */
static void test_at_forwards_el1_translations(void **state)
{
    (void)state;
    for (unsigned crm = 8; crm <= 9; crm++)
        for (unsigned op2 = 0; op2 < 8; op2++) {
            uint64_t esr = A_SYS(1, 0, 7, crm, op2, 0, 0);
            bool at = crm == 8 ? op2 <= 3 : op2 <= 2;
            assert_int_equal(l2_kind(esr, A_HCR_AT), at ? NESTED_L2_TO_VEL2 : NESTED_L2_ELVISOR);
            assert_int_equal(l2_kind(esr, A_HCR_NV), NESTED_L2_ELVISOR);
            assert_int_equal(l2_kind(esr, 0), NESTED_L2_ELVISOR);
        }
}

/* HCR_EL2.NV1 (Arm ARM, HCR_EL2): with NV and without NV2, EL1 accesses
 * to SPSR_EL1, ELR_EL1, VBAR_EL1 and SCXTNUM_EL1 trap (EC 0x18), the
 * guest hypervisor's; no other EL1 register is made its by NV1. */
static const struct enc nv1_traps[] = {
    { "SPSR_EL1", 3, 0, 4, 0, 0 },
    { "ELR_EL1", 3, 0, 4, 0, 1 },
    { "VBAR_EL1", 3, 0, 12, 0, 0 },
    { "SCXTNUM_EL1", 3, 0, 13, 0, 7 },
};

static void test_nv1_forwards_its_el1_traps(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(nv1_traps) / sizeof(nv1_traps[0]); i++) {
        const struct enc *e = &nv1_traps[i];
        for (unsigned rd = 0; rd < 2; rd++) {
            uint64_t esr = A_SYS(e->op0, e->op1, e->crn, e->crm, e->op2, 5, rd);
            if (l2_kind(esr, A_HCR_NV | A_HCR_NV1) != NESTED_L2_TO_VEL2 ||
                l2_kind(esr, A_HCR_NV | A_HCR_NV2) != NESTED_L2_ELVISOR || l2_kind(esr, 0) != NESTED_L2_ELVISOR)
                fail_msg("%s (%s): not forwarded on NV1 alone", e->name, rd ? "read" : "write");
        }
    }
    static const struct enc others[] = {
        { "SCTLR_EL1", 3, 0, 1, 0, 0 }, { "ESR_EL1", 3, 0, 5, 2, 0 }, { "SP_EL0", 3, 0, 4, 1, 0 },
        { "TPIDR_EL1", 3, 0, 13, 0, 4 }, { "CNTKCTL_EL1", 3, 0, 14, 1, 0 },
    };
    for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        const struct enc *e = &others[i];
        if (l2_kind(A_SYS(e->op0, e->op1, e->crn, e->crm, e->op2, 5, 1), A_HCR_NV | A_HCR_NV1) != NESTED_L2_ELVISOR)
            fail_msg("%s: forwarded on NV1", e->name);
    }
}

/* Its guest's ERET is counted apart (exit_stats.c): at three levels the
 * exits per L3 exit are the forwarded exit's and that ERET's. */
static void test_eret_counted_apart(void **state)
{
    (void)state;
    assert_int_equal(nested_xkind_of(A_EC(A_EC_ERET) | A_ESR_IL), NESTED_X_ERET);
    assert_int_equal(nested_xkind_of(A_EC(A_EC_HVC) | A_ESR_IL | 5), NESTED_X_HVC);
    assert_int_equal(nested_xkind_of(A_SYS(3, 4, 1, 0, 0, 0, 1)), NESTED_X_OTHER);
    assert_int_equal(nested_xkind_of(A_EC(A_EC_SMC) | A_ESR_IL), NESTED_X_OTHER);
}

int main(void)
{
    rng = NV2_TEST_SEED;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nv_bits_reach_the_hardware_only_with_nv2),
        cmocka_unit_test(test_elvisor_as_l1_composes),
        cmocka_unit_test(test_nv1_reaches_the_hardware_with_nv),
        cmocka_unit_test(test_nv_forwards_el2_accesses),
        cmocka_unit_test(test_nv1_forwards_its_el1_traps),
        cmocka_unit_test(test_nv_forwards_eret),
        cmocka_unit_test(test_at_forwards_el1_translations),
        cmocka_unit_test(test_eret_counted_apart),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
