/* The pure decisions of virtual EL2 (nested/nested_calc.c) and the vector
 * offset exceptions are injected at (trap/inject.h): the hyp-context
 * HCR_EL2, the effective guest HCR_EL2, SPSR.M between the hardware's EL1
 * and the guest's EL2, and what an ERET from vEL2 does. PSTATE encodings
 * and the illegal-return rules are written out from the Arm ARM (SPSR_EL2,
 * "Illegal return events from AArch64 state"), independently of the code.
 * What the guest's guest's exits do (forward.c): test_nested_fwd.c. */
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
#include "nested_test_arm.h"

static void test_hyp_hcr(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 1000; n++) {
        /* elvisor's guest HCR never holds FEAT_NV bits; any other bit must pass. */
        uint64_t guest = n ? rnd() & ~A_HCR_NV_ALL : 0;
        uint64_t hcr = nested_hyp_hcr(guest, false);
        assert_true((hcr & guest) == guest);
        /* AT and TTLB: an EL1 AT/TLBI from vEL2 must exit, since its
         * regime depends on vTGE, which elvisor sees only at exits. NV1
         * only for a non-VHE guest hypervisor (EL1 names to the page, EL2
         * translation format); nothing else is added. */
        uint64_t want = A_HCR_NV | A_HCR_NV2 | A_HCR_AT | A_HCR_TTLB;
        assert_true((hcr & want) == want);
        assert_true((hcr & ~guest) == (want & ~guest));
        hcr = nested_hyp_hcr(guest, true);
        assert_true((hcr & ~guest) == ((want | A_HCR_NV1) & ~guest));
    }
}

static void test_vhcr_effective(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 1000; n++) {
        uint64_t raw = n == 0 ? 0 : n == 1 ? ~0ULL : rnd();
        uint64_t v = nested_vhcr_effective(raw, false, false, (n & 2) != 0);
        assert_true(v & A_HCR_E2H);                         /* RES1 */
        assert_true((v & A_HCR_NV_ALL) == 0);               /* no FEAT_NV offered */
        assert_true((v & ~(A_HCR_E2H | A_HCR_NV_ALL)) == (raw & ~(A_HCR_E2H | A_HCR_NV_ALL)));
        v = nested_vhcr_effective(raw, true, false, (n & 2) != 0);
        assert_true(!(v & A_HCR_E2H));                      /* RES0 without FEAT_VHE */
        assert_true((v & A_HCR_NV_ALL) == 0);
        assert_true((v & ~(A_HCR_E2H | A_HCR_NV_ALL)) == (raw & ~(A_HCR_E2H | A_HCR_NV_ALL)));
    }
    assert_true(nested_vhcr_effective(A_HCR_TGE, false, false, true) == (A_HCR_TGE | A_HCR_E2H));
    assert_true(nested_vhcr_effective(A_HCR_TGE | A_HCR_E2H, true, false, true) == A_HCR_TGE);
}

/* ---- SPSR.M and the vector offsets ---- */

static void test_spsr_translation(void **state)
{
    static const struct { uint64_t hw, guest; } map[] = {
        { A_EL1H, A_EL2H }, { A_EL1T, A_EL2T }, { A_EL0T, A_EL0T },
    };

    (void)state;
    for (unsigned n = 0; n < 300; n++) {
        uint64_t f = n ? flags() : A_NZCV | A_D | A_A | A_I | A_F | A_IL | A_SS | A_PAN;
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
            assert_true(nested_spsr_to_vel2(f | map[i].hw) == (f | map[i].guest));
            assert_true(nested_spsr_from_vel2(f | map[i].guest) == (f | map[i].hw));
        }
        /* AArch32 states are left alone (their M[3:0] are not ELs). */
        uint64_t a32 = f | A_NRW | 0x5;
        assert_true(nested_spsr_to_vel2(a32) == a32);
        assert_true(nested_spsr_from_vel2(a32 | 0x8) == (a32 | 0x8));
    }
}

/* An exception injected from vEL2h lands at the current-EL SPx entry,
 * from vEL2t at the SP0 entry, from the guest's own EL0 at the lower-EL
 * entry: the same offsets as the hardware EL1 modes underneath. */
static void test_vector_offsets(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 100; n++) {
        uint64_t f = flags();
        assert_int_equal(exc_vector_offset(f | A_EL1H), 0x200);
        assert_int_equal(exc_vector_offset(f | A_EL1T), 0x000);
        assert_int_equal(exc_vector_offset(f | A_EL0T), 0x400);
        /* AArch32 EL0 (User mode, M[4] = 1): the lower-EL AArch32 entry. */
        assert_int_equal(exc_vector_offset(f | A_NRW | 0x0), 0x600);
        /* The SPSR the guest then reads says where it came from. */
        assert_true((nested_spsr_to_vel2(f | A_EL1H) & A_M_MASK) == A_EL2H);
        assert_true((nested_spsr_to_vel2(f | A_EL1T) & A_M_MASK) == A_EL2T);
    }
}

/* ---- ERET from vEL2 ---- */

struct eret_case {
    uint64_t mode;          /* SPSR.M[4:0] */
    uint64_t vhcr;
    enum nested_eret_kind kind;
    uint64_t hw_mode;       /* hardware M after HYP or ILLEGAL */
};

static void check_eret(const struct eret_case *c, uint64_t f, uint64_t cur)
{
    uint64_t pstate = 0xdeadbeef;
    enum nested_eret_kind k = nested_eret(f | c->mode, c->vhcr, cur, &pstate);

    if (k != c->kind)
        print_error("M 0x%llx vHCR 0x%llx: kind %d, want %d\n", (unsigned long long)c->mode,
                    (unsigned long long)c->vhcr, k, c->kind);
    assert_int_equal(k, c->kind);
    if (k == NESTED_ERET_HYP) {
        assert_true(pstate == (f | c->hw_mode));
    } else if (k == NESTED_ERET_ILLEGAL) {
        /* EL and SP stay, IL set, NZCV/DAIF/... from the SPSR. */
        assert_true(pstate == ((f & ~A_IL) | A_IL | (cur & A_M_MASK)));
    }
}

/* nested.c gathers only HCR_EL2 for the exception classes of
 * NESTED_FWD_HCR_ONLY: no row of theirs may test another control. */
static void test_hcr_only_classes_test_only_hcr(void **state)
{
    (void)state;
    for (unsigned i = 0; i < NR_FWD; i++) {
        if (!NESTED_FWD_HCR_ONLY(fwd_table[i].ec))
            continue;
        assert_true(fwd_table[i].ctl == NCTL_HCR || fwd_table[i].ctl == NCTL_ALWAYS);
    }
}

static void test_eret_table(void **state)
{
    const uint64_t host = A_HCR_E2H | A_HCR_TGE, guest = A_HCR_E2H;
    const struct eret_case cases[] = {
        { A_EL2H, guest, NESTED_ERET_HYP, A_EL1H },
        { A_EL2T, guest, NESTED_ERET_HYP, A_EL1T },
        { A_EL2H, host, NESTED_ERET_HYP, A_EL1H },
        { A_EL2T, host, NESTED_ERET_HYP, A_EL1T },
        /* The guest hypervisor's own user space (EL2&0 regime). */
        { A_EL0T, host, NESTED_ERET_HYP, A_EL0T },
        /* Its guest's EL1 and EL0. */
        { A_EL1H, guest, NESTED_ERET_NESTED, 0 },
        { A_EL1T, guest, NESTED_ERET_NESTED, 0 },
        { A_EL0T, guest, NESTED_ERET_NESTED, 0 },
        /* EL1 is not in use with {E2H, TGE} = {1, 1}. */
        { A_EL1H, host, NESTED_ERET_ILLEGAL, 0 },
        { A_EL1T, host, NESTED_ERET_ILLEGAL, 0 },
        /* Not a mode, a higher EL, AArch32. */
        { 0x1, guest, NESTED_ERET_ILLEGAL, 0 },
        { A_EL3H, guest, NESTED_ERET_ILLEGAL, 0 },
        { A_EL3T, host, NESTED_ERET_ILLEGAL, 0 },
        { A_NRW | 0x0, host, NESTED_ERET_ILLEGAL, 0 },
        { A_NRW | 0x3, guest, NESTED_ERET_ILLEGAL, 0 },
        { 0x2, guest, NESTED_ERET_ILLEGAL, 0 }, { 0x3, host, NESTED_ERET_ILLEGAL, 0 },
        { 0x6, guest, NESTED_ERET_ILLEGAL, 0 }, { 0x7, guest, NESTED_ERET_ILLEGAL, 0 },
        { 0xa, guest, NESTED_ERET_ILLEGAL, 0 }, { 0xb, host, NESTED_ERET_ILLEGAL, 0 },
        { 0xe, guest, NESTED_ERET_ILLEGAL, 0 }, { 0xf, guest, NESTED_ERET_ILLEGAL, 0 },
    };

    (void)state;
    for (unsigned n = 0; n < 200; n++) {
        uint64_t f = n ? flags() : 0;
        uint64_t cur = rnd() & 1 ? A_EL1H : A_EL1T;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
            check_eret(&cases[i], f, cur);
    }
}

/* Whatever the guest puts in SPSR_EL2 and HCR_EL2, elvisor never resumes
 * it in a hardware mode above EL1, in AArch32, or in a mode that does not
 * exist: every one of the 32 M[4:0] values with random other bits. */
static void test_eret_never_above_el1(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 2000; n++) {
        uint64_t spsr = rnd(), vhcr = nested_vhcr_effective(rnd(), false, false, false);
        uint64_t cur = n & 1 ? A_EL1H : A_EL1T, pstate = 0;
        spsr = (spsr & ~0x1fULL) | (n % 32);
        enum nested_eret_kind k = nested_eret(spsr, vhcr, cur, &pstate);
        if (k == NESTED_ERET_NESTED)
            continue;
        uint64_t m = pstate & A_M_MASK;
        assert_true((pstate & A_NRW) == 0);
        assert_true(m == A_EL0T || m == A_EL1T || m == A_EL1H);
        if (k == NESTED_ERET_ILLEGAL)
            assert_true(pstate & A_IL);
    }
}


static void test_exc_to_vel2(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 1000; n++) {
        uint64_t vbar = rnd() & ~0x7ffULL, pc = rnd() & ~3ULL;
        uint64_t pstate = flags() | (n & 1 ? A_EL1H : A_EL0T);
        struct nested_exc e;
        /* SPAN set, no SSBS: PAN kept, SSBS clear */
        nested_exc_to_vel2(vbar, pc, pstate, A_SCTLR_SPAN, true, false, &e);
        assert_true(e.pc == vbar + 0x400);              /* lower EL, AArch64, synchronous */
        /* ctx.c's IRQ entry: lower EL, AArch64, IRQ */
        assert_true(e.pc + NESTED_VECTOR_IRQ_OFFSET == vbar + 0x480);
        assert_true(e.elr == pc);
        assert_true(e.spsr == pstate);                  /* its guest's mode as is: EL1h/EL0t */
        /* EL2h with DAIF masked, which the hardware runs as EL1h */
        uint64_t kept = pstate & (A_NZCV | A_DIT | A_PAN);
        assert_true(e.pstate == (kept | A_EL1H | A_D | A_A | A_I | A_F));
        assert_true(nested_spsr_to_vel2(e.pstate) == (kept | A_EL2H | A_D | A_A | A_I | A_F));
        /* SPAN clear: PAN set; DSSBS: SSBS set */
        nested_exc_to_vel2(vbar, pc, pstate, A_SCTLR_DSSBS, true, true, &e);
        assert_true(e.pstate & A_PAN);
        assert_true(e.pstate & A_SSBS);
    }
}

/* Arm ARM, AArch64.TakeException: PSTATE.{D,A,I,F} set, SS and IL clear,
 * PAN set when SCTLR_ELx.SPAN is 0 (FEAT_PAN) and otherwise unchanged, UAO
 * clear, BTYPE 0, SSBS = SCTLR_ELx.DSSBS (FEAT_SSBS); N, Z, C, V and DIT
 * are not written, so they keep their value. TCO is set only with MTE,
 * which guests never see. Without the feature, its bit stays 0. */
static void test_exc_entry_pstate(void **state)
{
    (void)state;
    for (unsigned n = 0; n < 4000; n++) {
        uint64_t old = flags() | (n & 1 ? A_EL1H : A_EL0T);
        uint64_t sctlr = rnd();
        bool pan = n & 2, ssbs = n & 4;
        uint64_t p = exc_entry_pstate(old, sctlr, pan, ssbs);

        assert_true((p & A_M_MASK) == A_EL1H);
        assert_true((p & (A_D | A_A | A_I | A_F)) == (A_D | A_A | A_I | A_F));
        assert_true((p & A_NZCV) == (old & A_NZCV));
        assert_true((p & A_DIT) == (old & A_DIT));
        assert_false(p & (A_SS | A_IL | A_UAO | A_BTYPE | A_TCO | A_NRW));
        if (!pan)
            assert_false(p & A_PAN);
        else if (sctlr & A_SCTLR_SPAN)
            assert_true((p & A_PAN) == (old & A_PAN));
        else
            assert_true(p & A_PAN);
        assert_true(!!(p & A_SSBS) == (ssbs && (sctlr & A_SCTLR_DSSBS)));
    }
    /* the defect a random guest found: PAN 0 and SSBS 0 whatever SCTLR said */
    assert_true(exc_entry_pstate(A_EL0T, 0, true, true) & A_PAN);
    assert_true(exc_entry_pstate(A_EL0T, A_SCTLR_DSSBS | A_SCTLR_SPAN, true, true) & A_SSBS);
}

/* ERET to the guest's own EL1/EL0 switches context (stays an EL1 mode). */
static void test_eret_to_l2(void **state)
{
    (void)state;
    uint64_t ps = 0;
    assert_int_equal(nested_eret(A_EL1H | A_D, A_HCR_E2H, A_EL1H, &ps), NESTED_ERET_NESTED);
    assert_int_equal(nested_eret(A_EL1T, A_HCR_E2H, A_EL1H, &ps), NESTED_ERET_NESTED);
    assert_int_equal(nested_eret(A_EL0T, A_HCR_E2H, A_EL1H, &ps), NESTED_ERET_NESTED);
    assert_int_equal(nested_eret(A_EL0T, A_HCR_E2H | A_HCR_TGE, A_EL1H, &ps), NESTED_ERET_HYP);
    assert_int_equal(nested_eret(A_EL1H, A_HCR_E2H | A_HCR_TGE, A_EL1H, &ps), NESTED_ERET_ILLEGAL);
    assert_int_equal(nested_eret(A_EL2H, A_HCR_E2H, A_EL1H, &ps), NESTED_ERET_HYP);
}
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hyp_hcr),
        cmocka_unit_test(test_exc_to_vel2),
        cmocka_unit_test(test_exc_entry_pstate),
        cmocka_unit_test(test_eret_to_l2),
        cmocka_unit_test(test_vhcr_effective),
        cmocka_unit_test(test_spsr_translation),
        cmocka_unit_test(test_vector_offsets),
        cmocka_unit_test(test_eret_table),
        cmocka_unit_test(test_hcr_only_classes_test_only_hcr),
        cmocka_unit_test(test_eret_never_above_el1),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
