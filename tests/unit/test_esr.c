/* ESR_EL2 decoding: data-abort ISS, the register value a trapped load
 * returns, trapped MSR/MRS ISS and the fault IPA. Syndromes are built here
 * from the Arm ARM field layout (D24.2.40 ESR_EL2, "ISS encoding for an
 * exception from a Data Abort" and "... from MSR, MRS, or System
 * instruction execution"), independently of the constants in esr.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host_support.h"
#include "arch/arm64/esr.c"

/* ---- Arm ARM layout, written out independently ---- */

#define ARM_EC(ec)          ((uint64_t)(ec) << 26)
#define ARM_IL              (1ULL << 25)
#define ARM_EC_DABT_LOWER   0x24u
#define ARM_EC_MSR_MRS      0x18u

/* Data abort ISS */
#define ARM_DA_ISV          (1ULL << 24)
#define ARM_DA_SAS(s)       ((uint64_t)(s) << 22)   /* [23:22] log2(size) */
#define ARM_DA_SSE          (1ULL << 21)
#define ARM_DA_SRT(r)       ((uint64_t)(r) << 16)   /* [20:16] */
#define ARM_DA_SF           (1ULL << 15)
#define ARM_DA_AR           (1ULL << 14)
#define ARM_DA_VNCR         (1ULL << 13)
#define ARM_DA_SET(s)       ((uint64_t)(s) << 11)   /* [12:11] */
#define ARM_DA_FNV          (1ULL << 10)
#define ARM_DA_EA           (1ULL << 9)
#define ARM_DA_CM           (1ULL << 8)
#define ARM_DA_S1PTW        (1ULL << 7)
#define ARM_DA_WNR          (1ULL << 6)
#define ARM_DFSC_TRANS_L(l) (0x04u + (l))
#define ARM_DFSC_ACCESS_L(l) (0x08u + (l))
#define ARM_DFSC_PERM_L(l)  (0x0cu + (l))
#define ARM_DFSC_SEA        0x10u
#define ARM_DFSC_ALIGNMENT  0x21u

/* MSR/MRS ISS */
#define ARM_SR_OP0(v)       ((uint64_t)(v) << 20)   /* [21:20] */
#define ARM_SR_OP2(v)       ((uint64_t)(v) << 17)   /* [19:17] */
#define ARM_SR_OP1(v)       ((uint64_t)(v) << 14)   /* [16:14] */
#define ARM_SR_CRN(v)       ((uint64_t)(v) << 10)   /* [13:10] */
#define ARM_SR_RT(v)        ((uint64_t)(v) << 5)    /* [9:5] */
#define ARM_SR_CRM(v)       ((uint64_t)(v) << 1)    /* [4:1] */
#define ARM_SR_READ         1ULL                    /* Direction: 1 = MRS */

/* HPFAR_EL2: FIPA [47:4] holds IPA[55:12]; NS is bit 63. */
#define ARM_HPFAR_FIPA(ipa) (((ipa) >> 12) << 4)
#define ARM_HPFAR_NS        (1ULL << 63)

static uint64_t dabt(uint64_t iss)
{
    return ARM_EC(ARM_EC_DABT_LOWER) | ARM_IL | iss;
}

static struct dabt_info decode(uint64_t esr)
{
    struct dabt_info d;

    memset(&d, 0xa5, sizeof(d));    /* every field must be written */
    esr_decode_dabt(esr, &d);
    return d;
}

/* ---- Data abort ISS ---- */

static void test_header_constants_match_arm(void **state)
{
    (void)state;
    assert_int_equal(ESR_EC(dabt(0)), ARM_EC_DABT_LOWER);
    assert_int_equal(EC_DABT_LOW, 0x24);
    assert_int_equal(EC_DABT_CUR, 0x25);
    assert_int_equal(EC_SYS64, ARM_EC_MSR_MRS);
    assert_int_equal(EC_HVC64, 0x16);
    assert_int_equal(EC_SMC64, 0x17);
    assert_int_equal(EC_IABT_LOW, 0x20);
    assert_int_equal(EC_WFX, 0x01);
    assert_int_equal(ESR_EC(ARM_EC(0x3f) | ARM_IL | 0x1ffffff), 0x3f);
    assert_true(ESR_IL == ARM_IL);
    assert_int_equal(ESR_FSC_TRANS, ARM_DFSC_TRANS_L(0));
    assert_int_equal(ESR_FSC_ACCESS, ARM_DFSC_ACCESS_L(0));
    assert_int_equal(ESR_FSC_PERM, ARM_DFSC_PERM_L(0));
    assert_int_equal(ESR_FSC_SEA, ARM_DFSC_SEA);
    /* The type mask groups the four levels of each fault kind. */
    for (unsigned l = 0; l < 4; l++) {
        assert_int_equal(ARM_DFSC_TRANS_L(l) & ESR_FSC_TYPE_MASK, ESR_FSC_TRANS);
        assert_int_equal(ARM_DFSC_ACCESS_L(l) & ESR_FSC_TYPE_MASK, ESR_FSC_ACCESS);
        assert_int_equal(ARM_DFSC_PERM_L(l) & ESR_FSC_TYPE_MASK, ESR_FSC_PERM);
    }
}

static void test_dabt_zero(void **state)
{
    struct dabt_info d = decode(dabt(0));

    (void)state;
    assert_false(d.isv);
    assert_int_equal(d.size, 1);
    assert_false(d.sign_extend);
    assert_int_equal(d.reg, 0);
    assert_false(d.sixty_four);
    assert_false(d.acquire_release);
    assert_false(d.is_write);
    assert_false(d.s1ptw);
    assert_false(d.cache_maint);
    assert_int_equal(d.fsc, 0);
}

static void test_dabt_sas(void **state)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };

    (void)state;
    for (unsigned sas = 0; sas < 4; sas++) {
        struct dabt_info d = decode(dabt(ARM_DA_ISV | ARM_DA_SAS(sas)));
        assert_true(d.isv);
        assert_int_equal(d.size, sizes[sas]);
        assert_false(d.sign_extend);
        assert_int_equal(d.reg, 0);
    }
}

static void test_dabt_srt_all_registers(void **state)
{
    (void)state;
    for (unsigned r = 0; r < 32; r++) {
        /* Neighbouring fields all ones: SRT must not pick them up. */
        uint64_t iss = ARM_DA_ISV | ARM_DA_SAS(3) | ARM_DA_SSE | ARM_DA_SRT(r) | ARM_DA_SF;
        struct dabt_info d = decode(dabt(iss));
        assert_int_equal(d.reg, r);
        assert_int_equal(d.size, 8);
        assert_true(d.sign_extend);
        assert_true(d.sixty_four);
    }
    /* 31 is XZR/WZR for a data abort, reported as 31. */
    assert_int_equal(decode(dabt(ARM_DA_ISV | ARM_DA_SRT(31))).reg, 31);
}

/* Each one-bit field alone: exactly that field decodes as set. */
static void test_dabt_single_bits(void **state)
{
    struct dabt_info d;

    (void)state;
    d = decode(dabt(ARM_DA_SSE));
    assert_true(d.sign_extend);
    assert_false(d.sixty_four || d.acquire_release || d.is_write || d.s1ptw || d.cache_maint);

    d = decode(dabt(ARM_DA_SF));
    assert_true(d.sixty_four);
    assert_false(d.sign_extend || d.acquire_release || d.is_write || d.s1ptw || d.cache_maint);

    d = decode(dabt(ARM_DA_AR));
    assert_true(d.acquire_release);
    assert_false(d.sign_extend || d.sixty_four || d.is_write || d.s1ptw || d.cache_maint);

    d = decode(dabt(ARM_DA_WNR));
    assert_true(d.is_write);
    assert_false(d.sign_extend || d.sixty_four || d.acquire_release || d.s1ptw || d.cache_maint);

    d = decode(dabt(ARM_DA_S1PTW));
    assert_true(d.s1ptw);
    assert_false(d.sign_extend || d.sixty_four || d.acquire_release || d.is_write || d.cache_maint);

    d = decode(dabt(ARM_DA_CM));
    assert_true(d.cache_maint);
    assert_false(d.sign_extend || d.sixty_four || d.acquire_release || d.is_write || d.s1ptw);

    /* Fields the decoder does not report must not leak into the others. */
    d = decode(dabt(ARM_DA_VNCR | ARM_DA_SET(3) | ARM_DA_FNV | ARM_DA_EA));
    assert_false(d.isv || d.sign_extend || d.sixty_four || d.acquire_release || d.is_write ||
                 d.s1ptw || d.cache_maint);
    assert_int_equal(d.reg, 0);
    assert_int_equal(d.fsc, 0);
}

static void test_dabt_fsc(void **state)
{
    (void)state;
    for (unsigned fsc = 0; fsc < 64; fsc++) {
        /* WnR sits right above DFSC. */
        struct dabt_info d = decode(dabt(ARM_DA_WNR | fsc));
        assert_int_equal(d.fsc, fsc);
        assert_true(d.is_write);
    }
    assert_int_equal(decode(dabt(ARM_DFSC_TRANS_L(3))).fsc & ESR_FSC_TYPE_MASK, ESR_FSC_TRANS);
    assert_int_equal(decode(dabt(ARM_DFSC_PERM_L(2))).fsc & ESR_FSC_TYPE_MASK, ESR_FSC_PERM);
    assert_int_equal(decode(dabt(ARM_DFSC_ALIGNMENT)).fsc, 0x21);
}

/* Bits outside the ISS (EC, IL, ISS2 and above) never change the decode. */
static void test_dabt_ignores_upper_bits(void **state)
{
    uint64_t iss = ARM_DA_ISV | ARM_DA_SAS(1) | ARM_DA_SRT(17) | ARM_DA_WNR | ARM_DFSC_TRANS_L(3);
    struct dabt_info a = decode(dabt(iss));
    struct dabt_info b = decode(iss | ~0x1ffffffULL);

    (void)state;
    assert_int_equal(a.isv, b.isv);
    assert_int_equal(a.size, b.size);
    assert_int_equal(a.sign_extend, b.sign_extend);
    assert_int_equal(a.reg, b.reg);
    assert_int_equal(a.sixty_four, b.sixty_four);
    assert_int_equal(a.acquire_release, b.acquire_release);
    assert_int_equal(a.is_write, b.is_write);
    assert_int_equal(a.s1ptw, b.s1ptw);
    assert_int_equal(a.cache_maint, b.cache_maint);
    assert_int_equal(a.fsc, b.fsc);
    assert_int_equal(b.size, 2);
    assert_int_equal(b.reg, 17);
}

/* Syndromes real instructions produce on an MMIO page (stage-2 level-3
 * translation fault). */
static void test_dabt_instructions(void **state)
{
    struct dabt_info d;

    (void)state;
    /* LDR W3, [X0] */
    d = decode(dabt(ARM_DA_ISV | ARM_DA_SAS(2) | ARM_DA_SRT(3) | ARM_DFSC_TRANS_L(3)));
    assert_true(d.isv);
    assert_int_equal(d.size, 4);
    assert_int_equal(d.reg, 3);
    assert_false(d.sixty_four || d.sign_extend || d.is_write);
    assert_int_equal(d.fsc, ARM_DFSC_TRANS_L(3));

    /* STRB WZR, [X1] */
    d = decode(dabt(ARM_DA_ISV | ARM_DA_SAS(0) | ARM_DA_SRT(31) | ARM_DA_WNR | ARM_DFSC_TRANS_L(3)));
    assert_int_equal(d.size, 1);
    assert_int_equal(d.reg, 31);
    assert_true(d.is_write);

    /* LDRSH X5, [X2] */
    d = decode(dabt(ARM_DA_ISV | ARM_DA_SAS(1) | ARM_DA_SSE | ARM_DA_SRT(5) | ARM_DA_SF |
                    ARM_DFSC_TRANS_L(3)));
    assert_int_equal(d.size, 2);
    assert_true(d.sign_extend);
    assert_true(d.sixty_four);
    assert_int_equal(d.reg, 5);

    /* STLR X30, [X4] */
    d = decode(dabt(ARM_DA_ISV | ARM_DA_SAS(3) | ARM_DA_SRT(30) | ARM_DA_SF | ARM_DA_AR |
                    ARM_DA_WNR | ARM_DFSC_TRANS_L(3)));
    assert_int_equal(d.size, 8);
    assert_int_equal(d.reg, 30);
    assert_true(d.acquire_release);
    assert_true(d.is_write);

    /* LDP X0, X1 (no syndrome: ISV = 0) */
    d = decode(dabt(ARM_DFSC_TRANS_L(3)));
    assert_false(d.isv);

    /* DC CIVAC on an unmapped IPA: CM and WnR both set. */
    d = decode(dabt(ARM_DA_CM | ARM_DA_WNR | ARM_DFSC_TRANS_L(3)));
    assert_true(d.cache_maint);
    assert_true(d.is_write);

    /* Guest stage-1 walk hitting a hole in stage 2. */
    d = decode(dabt(ARM_DA_S1PTW | ARM_DFSC_TRANS_L(1)));
    assert_true(d.s1ptw);
    assert_false(d.isv);
}

/* ---- dabt_load_value ---- */

struct load_case {
    unsigned sas;
    bool sse, sf;
    uint64_t raw, want;
};

static const struct load_case load_cases[] = {
    /* LDRB Wt / LDRB into a 64-bit view: zero extension, upper raw bits dropped. */
    { 0, false, false, 0xffffffffffffff80ULL, 0x80 },
    { 0, false, true, 0x1234567890abcd7fULL, 0x7f },
    /* LDRSB Wt: sign extends to 32 bits only. */
    { 0, true, false, 0x80, 0xffffff80ULL },
    { 0, true, false, 0x7f, 0x7f },
    { 0, true, false, 0xffffffffffffff7fULL, 0x7f },
    /* LDRSB Xt */
    { 0, true, true, 0x80, 0xffffffffffffff80ULL },
    { 0, true, true, 0xff, 0xffffffffffffffffULL },
    { 0, true, true, 0x0123456789abcd01ULL, 0x01 },
    /* LDRH Wt */
    { 1, false, false, 0xdeadbeefcafe8001ULL, 0x8001 },
    /* LDRSH Wt */
    { 1, true, false, 0x8001, 0xffff8001ULL },
    { 1, true, false, 0x7fff, 0x7fff },
    /* LDRSH Xt */
    { 1, true, true, 0x8000, 0xffffffffffff8000ULL },
    { 1, true, true, 0xffffffff00007ffeULL, 0x7ffe },
    /* LDR Wt */
    { 2, false, false, 0xffffffff80000000ULL, 0x80000000ULL },
    { 2, false, true, 0xffffffff80000000ULL, 0x80000000ULL },
    /* LDRSW Xt */
    { 2, true, true, 0x80000000ULL, 0xffffffff80000000ULL },
    { 2, true, true, 0x7fffffffULL, 0x7fffffffULL },
    { 2, true, true, 0xabcdef0012345678ULL, 0x12345678ULL },
    /* A sign-extending 32-bit load into W is just the value. */
    { 2, true, false, 0x80000000ULL, 0x80000000ULL },
    /* LDR Xt */
    { 3, false, true, 0x8000000000000000ULL, 0x8000000000000000ULL },
    { 3, false, true, 0xffffffffffffffffULL, 0xffffffffffffffffULL },
    { 3, true, true, 0x0123456789abcdefULL, 0x0123456789abcdefULL },
};

static void test_load_value_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++) {
        const struct load_case *c = &load_cases[i];
        uint64_t iss = ARM_DA_ISV | ARM_DA_SAS(c->sas) | (c->sse ? ARM_DA_SSE : 0) |
                       (c->sf ? ARM_DA_SF : 0);
        struct dabt_info d = decode(dabt(iss));
        uint64_t got = dabt_load_value(&d, c->raw);
        if (got != c->want)
            print_error("case %zu: sas %u sse %d sf %d raw %#llx: got %#llx want %#llx\n", i, c->sas,
                        c->sse, c->sf, (unsigned long long)c->raw, (unsigned long long)got,
                        (unsigned long long)c->want);
        assert_true(got == c->want);
    }
}

/* Every size x SSE x SF against the C language's own integer conversions. */
static void test_load_value_all_combinations(void **state)
{
    static const uint64_t raws[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
                                     0x80000000ULL, 0xffffffffULL, 0x8000000000000000ULL,
                                     0xfedcba9876543210ULL, 0x0123456789abcdefULL, ~0ULL };

    (void)state;
    for (unsigned sas = 0; sas < 4; sas++)
        for (int sse = 0; sse < 2; sse++)
            for (int sf = 0; sf < 2; sf++)
                for (size_t i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
                    uint64_t raw = raws[i], v;
                    switch (sas) {
                    case 0: v = sse ? (uint64_t)(int64_t)(int8_t)raw : (uint8_t)raw; break;
                    case 1: v = sse ? (uint64_t)(int64_t)(int16_t)raw : (uint16_t)raw; break;
                    case 2: v = sse ? (uint64_t)(int64_t)(int32_t)raw : (uint32_t)raw; break;
                    default: v = raw; break;
                    }
                    if (!sf)
                        v = (uint32_t)v;
                    uint64_t iss = ARM_DA_ISV | ARM_DA_SAS(sas) | (sse ? ARM_DA_SSE : 0) |
                                   (sf ? ARM_DA_SF : 0);
                    struct dabt_info d = decode(dabt(iss));
                    assert_true(dabt_load_value(&d, raw) == v);
                }
}

/* ---- MSR/MRS ---- */

static uint64_t sysreg_esr(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                           unsigned rt, bool read)
{
    return ARM_EC(ARM_EC_MSR_MRS) | ARM_IL | ARM_SR_OP0(op0) | ARM_SR_OP1(op1) | ARM_SR_CRN(crn) |
           ARM_SR_CRM(crm) | ARM_SR_OP2(op2) | ARM_SR_RT(rt) | (read ? ARM_SR_READ : 0);
}

static void check_sysreg(uint64_t esr, unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                         unsigned op2, unsigned rt, bool read)
{
    struct sysreg_access a;

    memset(&a, 0xa5, sizeof(a));
    esr_decode_sysreg(esr, &a);
    assert_int_equal(a.op0, op0);
    assert_int_equal(a.op1, op1);
    assert_int_equal(a.crn, crn);
    assert_int_equal(a.crm, crm);
    assert_int_equal(a.op2, op2);
    assert_int_equal(a.reg, rt);
    assert_int_equal(a.is_read, read);
    assert_int_equal(sysreg_access_key(&a), SYSREG_KEY(op0, op1, crn, crm, op2));
}

static void test_sysreg_examples(void **state)
{
    (void)state;
    /* MRS X2, ID_AA64PFR0_EL1 */
    check_sysreg(sysreg_esr(3, 0, 0, 4, 0, 2, true), 3, 0, 0, 4, 0, 2, true);
    /* MSR CNTV_CTL_EL0, XZR */
    check_sysreg(sysreg_esr(3, 3, 14, 3, 1, 31, false), 3, 3, 14, 3, 1, 31, false);
    /* MSR ICC_SGI1R_EL1, X9 */
    check_sysreg(sysreg_esr(3, 0, 12, 11, 5, 9, false), 3, 0, 12, 11, 5, 9, false);
    /* MRS X30, MDSCR_EL1 (op0 = 2) */
    check_sysreg(sysreg_esr(2, 0, 0, 2, 2, 30, true), 2, 0, 0, 2, 2, 30, true);
    /* DC ISW, X0 (op0 = 1, a system instruction) */
    check_sysreg(sysreg_esr(1, 0, 7, 6, 2, 0, false), 1, 0, 7, 6, 2, 0, false);
    /* Upper ESR bits do not leak into the decode. */
    check_sysreg(sysreg_esr(3, 4, 1, 1, 0, 7, true) | 0xffffffff00000000ULL | (0x3ULL << 22),
                 3, 4, 1, 1, 0, 7, true);
}

/* Every encoding round-trips and every key is distinct (the trap table is
 * keyed by it). */
static void test_sysreg_exhaustive(void **state)
{
    static uint8_t seen[1 << 16];

    (void)state;
    memset(seen, 0, sizeof(seen));
    for (unsigned op0 = 0; op0 < 4; op0++)
        for (unsigned op1 = 0; op1 < 8; op1++)
            for (unsigned crn = 0; crn < 16; crn++)
                for (unsigned crm = 0; crm < 16; crm++)
                    for (unsigned op2 = 0; op2 < 8; op2++) {
                        unsigned rt = (op0 * 7 + op1 * 5 + crn * 3 + crm + op2) & 31;
                        bool read = (crm ^ op2) & 1;
                        check_sysreg(sysreg_esr(op0, op1, crn, crm, op2, rt, read), op0, op1, crn,
                                     crm, op2, rt, read);
                        uint32_t key = SYSREG_KEY(op0, op1, crn, crm, op2);
                        assert_true(key < sizeof(seen));
                        assert_int_equal(seen[key], 0);
                        seen[key] = 1;
                    }
}

/* ---- Fault IPA ---- */

static void test_fault_ipa(void **state)
{
    (void)state;
    /* The PL011 data register from a guest VA with high bits. */
    assert_true(fault_ipa(ARM_HPFAR_FIPA(0x09000000ULL), 0xffff800012345000ULL) == 0x09000000ULL);
    assert_true(fault_ipa(ARM_HPFAR_FIPA(0x09000000ULL), 0xffff800012345018ULL) == 0x09000018ULL);
    /* Page offset comes from FAR only; FAR bits above 11 are ignored. */
    assert_true(fault_ipa(ARM_HPFAR_FIPA(0x080a0000ULL), 0xfffffffffffffabcULL) == 0x080a0abcULL);
    /* NS and the RES0 low bits of HPFAR are not part of the address. */
    assert_true(fault_ipa(ARM_HPFAR_FIPA(0x40001000ULL) | ARM_HPFAR_NS | 0xf, 0x7) == 0x40001007ULL);
    /* 48- and 52-bit IPAs. */
    assert_true(fault_ipa(ARM_HPFAR_FIPA(0xfffffffff000ULL), 0xfff) == 0xffffffffffffULL);
    assert_true(fault_ipa(ARM_HPFAR_FIPA(0xfffffffffff000ULL), 0) == 0xfffffffffff000ULL);
    assert_true(fault_ipa(ARM_HPFAR_FIPA(0x000f123456789000ULL), 0x123) == 0x000f123456789123ULL);
    assert_true(fault_ipa(0, 0) == 0);
    /* Every FIPA bit on its own lands on its IPA bit. */
    for (unsigned bit = 12; bit < 56; bit++)
        assert_true(fault_ipa(ARM_HPFAR_FIPA(1ULL << bit), 0) == 1ULL << bit);
    /* HPFAR bits 62:48 are outside FIPA. */
    assert_true(fault_ipa(0x7fff000000000000ULL, 0) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_constants_match_arm),
        cmocka_unit_test(test_dabt_zero),
        cmocka_unit_test(test_dabt_sas),
        cmocka_unit_test(test_dabt_srt_all_registers),
        cmocka_unit_test(test_dabt_single_bits),
        cmocka_unit_test(test_dabt_fsc),
        cmocka_unit_test(test_dabt_ignores_upper_bits),
        cmocka_unit_test(test_dabt_instructions),
        cmocka_unit_test(test_load_value_table),
        cmocka_unit_test(test_load_value_all_combinations),
        cmocka_unit_test(test_sysreg_examples),
        cmocka_unit_test(test_sysreg_exhaustive),
        cmocka_unit_test(test_fault_ipa),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
