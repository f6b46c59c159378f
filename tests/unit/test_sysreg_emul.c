/* The trapped system-register table and its dispatch (trap/sysreg_emul.c):
 * lookup by key, the ID register space, XZR as Rt, and unknown registers
 * (the SGI and timer registers and random syndromes: test_sysreg_emul_regs.c).
 * Syndromes are built from the Arm ARM layout (ESR_EL2, "ISS encoding for
 * an exception from MSR, MRS, or System instruction execution in AArch64
 * state", EC 0x18), and the register encodings come from the Arm ARM
 * register descriptions, both written out in sysreg_emul_test_setup.h
 * independently of esr.h and of the table. vcpu_get_reg/vcpu_set_reg and
 * vcpu_skip_instr are the real inline helpers, so the tests look at the
 * vCPU's registers and PC themselves. */
#include "sysreg_emul_test_setup.h"

/* ---- The table ---- */

static void test_table_keys_and_names_unique(void **state)
{
    unsigned n;
    const struct sysreg_desc *t = sysreg_table(&n);

    (void)state;
    assert_non_null(t);
    assert_true(n > 0);
    for (unsigned i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        /* The dispatch calls both without checking. */
        assert_non_null(t[i].read);
        assert_non_null(t[i].write);
        for (unsigned j = i + 1; j < n; j++) {
            if (t[i].key == t[j].key)
                print_error("%s and %s share key %#x\n", t[i].name, t[j].name, t[i].key);
            assert_true(t[i].key != t[j].key);
            assert_string_not_equal(t[i].name, t[j].name);
        }
    }
}

/* Each entry answers its own key, and no key outside the table finds
 * anything: every one of the 2^16 keys is tried. */
static void test_table_found_by_key_only(void **state)
{
    unsigned n, hits = 0;
    const struct sysreg_desc *t = sysreg_table(&n);

    (void)state;
    for (unsigned i = 0; i < n; i++)
        assert_ptr_equal(sysreg_find(t[i].key), &t[i]);
    for (uint32_t key = 0; key < (1u << 16); key++) {
        const struct sysreg_desc *d = sysreg_find(key);
        if (!d)
            continue;
        hits++;
        assert_true(d >= t && d < t + n);
        assert_int_equal(d->key, key);
    }
    assert_int_equal(hits, n);
}

/* Every name is at its Arm ARM encoding, found the way a trap finds it
 * (syndrome -> decode -> key), and the table holds nothing else. */
static void test_table_names_match_arm_encodings(void **state)
{
    unsigned n;
    const struct sysreg_desc *t = sysreg_table(&n);

    (void)state;
    assert_int_equal(n, NR_ARM_REGS);
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        struct sysreg_access a;
        esr_decode_sysreg(esr_for(arm_regs[i].enc, 0, true), &a);
        const struct sysreg_desc *d = sysreg_find(sysreg_access_key(&a));
        if (!d || strcmp(d->name, arm_regs[i].name) != 0)
            print_error("S%u_%u_C%u_C%u_%u: want %s, table has %s\n", arm_regs[i].enc.op0,
                        arm_regs[i].enc.op1, arm_regs[i].enc.crn, arm_regs[i].enc.crm,
                        arm_regs[i].enc.op2, arm_regs[i].name, d ? d->name : "nothing");
        assert_non_null(d);
        assert_string_equal(d->name, arm_regs[i].name);
    }
    for (unsigned i = 0; i < n; i++)
        assert_non_null(arm_reg_named(t[i].name));
}

/* ---- The ID register space ---- */

static void test_id_space_reads(void **state)
{
    static const unsigned ipa_bits[] = { 40, 36, 48 };

    (void)state;
    for (size_t b = 0; b < sizeof(ipa_bits) / sizeof(ipa_bits[0]); b++) {
        hyp_ipa_bits = ipa_bits[b];
        for (unsigned crm = 1; crm <= 7; crm++)
            for (unsigned op2 = 0; op2 <= 7; op2++) {
                unsigned rt = (crm * 8 + op2) % 31;
                reset_records();
                trap(esr_for((struct enc){ 3, 0, 0, crm, op2 }, rt, true));
                expect_done();
                assert_int_equal(id_reads, 1);
                assert_int_equal(id_read_crm, crm);
                assert_int_equal(id_read_op2, op2);
                uint64_t want = id_reg_sanitize(id_key(crm, op2), fake_hw[crm][op2], hyp_ipa_bits);
                if (vcpu->regs.x[rt] != want)
                    print_error("S3_0_C0_C%u_%u: x%u = %#llx, want %#llx\n", crm, op2, rt,
                                (unsigned long long)vcpu->regs.x[rt], (unsigned long long)want);
                assert_true(vcpu->regs.x[rt] == want);
                expect_regs_unchanged_except(1u << rt);
            }
    }
}

/* Sanitized values seen through the trap, checked against the Arm ARM
 * field positions rather than id_reg_sanitize(). */
static void test_id_space_sanitized_fields(void **state)
{
    (void)state;
    /* ID_AA64PFR0_EL1 = S3_0_C0_C4_0: EL2 [11:8] and EL3 [15:12] hidden,
     * EL0 [3:0] and EL1 [7:4] kept. */
    fake_hw[4][0] = ~0ULL;
    trap(esr_for((struct enc){ 3, 0, 0, 4, 0 }, 7, true));
    expect_done();
    assert_true((vcpu->regs.x[7] & 0xff00ULL) == 0);
    assert_true((vcpu->regs.x[7] & 0xffULL) == 0xff);

    /* ID_AA64ZFR0_EL1 = S3_0_C0_C4_4: no SVE, reads 0. */
    fake_hw[4][4] = ~0ULL;
    reset_records();
    trap(esr_for((struct enc){ 3, 0, 0, 4, 4 }, 8, true));
    expect_done();
    assert_true(vcpu->regs.x[8] == 0);

    /* ID_AA64MMFR0_EL1 = S3_0_C0_C7_0: PARange [3:0] is the VM's IPA size
     * (0b0010 = 40 bits, 0b0101 = 48 bits), whatever the hardware has. */
    fake_hw[7][0] = 0x6;
    hyp_ipa_bits = 40;
    reset_records();
    trap(esr_for((struct enc){ 3, 0, 0, 7, 0 }, 9, true));
    expect_done();
    assert_int_equal(vcpu->regs.x[9] & 0xf, 0x2);
    hyp_ipa_bits = 48;
    reset_records();
    trap(esr_for((struct enc){ 3, 0, 0, 7, 0 }, 9, true));
    expect_done();
    assert_int_equal(vcpu->regs.x[9] & 0xf, 0x5);

    /* ID_AA64ISAR0_EL1 = S3_0_C0_C6_0: passed through unchanged. */
    fake_hw[6][0] = 0x0123456789abcdefULL;
    reset_records();
    trap(esr_for((struct enc){ 3, 0, 0, 6, 0 }, 10, true));
    expect_done();
    assert_true(vcpu->regs.x[10] == 0x0123456789abcdefULL);
}

static void test_id_space_writes_refused(void **state)
{
    (void)state;
    for (unsigned crm = 1; crm <= 7; crm++)
        for (unsigned op2 = 0; op2 <= 7; op2++) {
            unsigned rt = (crm + op2 * 3) % 32;
            reset_records();
            trap(esr_for((struct enc){ 3, 0, 0, crm, op2 }, rt, false));
            expect_undef();
            expect_regs_unchanged_except(0);
            assert_non_null(strstr(last_log, "write"));
            assert_non_null(strstr(last_log, "refused"));
        }
}

/* ---- XZR as Rt ---- */

static void test_xzr_read_discards(void **state)
{
    (void)state;
    trap(esr_for((struct enc){ 3, 0, 0, 4, 0 }, ARM_XZR, true));
    expect_done();
    assert_int_equal(id_reads, 1);
    expect_regs_unchanged_except(0);

    reset_records();
    tm.read_value = 0xdeadbeef;
    trap(esr_for(arm_reg_named("CNTP_CTL_EL0")->enc, ARM_XZR, true));
    expect_done();
    assert_int_equal(tm.calls[T_CTL_R], 1);
    expect_regs_unchanged_except(0);
}

static void test_xzr_write_writes_zero(void **state)
{
    (void)state;
    trap(esr_for(arm_reg_named("ICC_SGI1R_EL1")->enc, ARM_XZR, false));
    expect_done();
    assert_int_equal(sgis, 1);
    assert_true(sgi_val == 0);

    reset_records();
    tm.written = 0xfeed;
    trap(esr_for(arm_reg_named("CNTP_CVAL_EL0")->enc, ARM_XZR, false));
    expect_done();
    assert_int_equal(tm.calls[T_CVAL_W], 1);
    assert_true(tm.written == 0);
    expect_regs_unchanged_except(0);
}

/* ---- Unknown registers ---- */

static void test_unknown_registers_undef(void **state)
{
    static const struct enc unknown[] = {
        { 3, 3, 9, 12, 0 },     /* PMCR_EL0 */
        { 3, 0, 1, 0, 0 },      /* SCTLR_EL1 */
        { 3, 0, 0, 0, 0 },      /* MIDR_EL1: CRm 0 is outside the trapped ID space */
        { 3, 0, 0, 8, 0 },      /* CRm 8: just past it */
        { 3, 1, 0, 1, 0 },      /* op1 1 */
        { 3, 0, 1, 4, 0 },      /* CRn 1 */
        { 2, 0, 0, 4, 0 },      /* op0 2 with the ID fields */
        { 3, 0, 12, 11, 4 },    /* beside ICC_SGI1R_EL1 */
        { 3, 3, 14, 2, 3 },     /* beside CNTP_CVAL_EL0 */
        { 3, 3, 14, 3, 1 },     /* CNTV_CTL_EL0: never trapped, so not emulated */
        { 1, 0, 7, 6, 2 },      /* DC ISW */
        { 0, 0, 0, 0, 0 },
        { 3, 7, 15, 15, 7 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        for (int read = 0; read < 2; read++) {
            struct enc e = unknown[i];
            char name[32];
            reset_records();
            trap(esr_for(e, 5, read));
            expect_undef();
            expect_regs_unchanged_except(0);
            assert_int_equal(id_reads + sgis + tm.total, 0);
            snprintf(name, sizeof(name), "S%u_%u_C%u_C%u_%u", e.op0, e.op1, e.crn, e.crm, e.op2);
            if (!strstr(last_log, name))
                print_error("log \"%s\" does not name %s\n", last_log, name);
            assert_non_null(strstr(last_log, name));
            assert_non_null(strstr(last_log, read ? "read" : "write"));
        }
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_table_keys_and_names_unique, setup),
        cmocka_unit_test_setup(test_table_found_by_key_only, setup),
        cmocka_unit_test_setup(test_table_names_match_arm_encodings, setup),
        cmocka_unit_test_setup(test_id_space_reads, setup),
        cmocka_unit_test_setup(test_id_space_sanitized_fields, setup),
        cmocka_unit_test_setup(test_id_space_writes_refused, setup),
        cmocka_unit_test_setup(test_xzr_read_discards, setup),
        cmocka_unit_test_setup(test_xzr_write_writes_zero, setup),
        cmocka_unit_test_setup(test_unknown_registers_undef, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
