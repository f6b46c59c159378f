/* The trapped system-register dispatch (trap/sysreg_emul.c), continued
 * from test_sysreg_emul.c: the GICv3 SGI registers, the EL1 physical
 * counter and timer routed to the vtimer, and random syndromes. The
 * doubles and the vCPU under test: sysreg_emul_test_setup.h. */
#include "sysreg_emul_test_setup.h"

/* ---- GICv3 SGI registers ---- */

static void test_sgi1r_write_sends_sgi(void **state)
{
    static const unsigned vcpus[] = { 0, 3 };
    /* INTID 5, Aff1 2, TargetList 0b1011; then IRM = 1 (all but self). */
    static const uint64_t values[] = { 0x0000000005020000ULL | 0xb, 0x0000010003000000ULL };

    (void)state;
    for (size_t c = 0; c < 2; c++)
        for (size_t k = 0; k < 2; k++) {
            use_vcpu(vcpus[c]);
            reset_records();
            vcpu->regs.x[12] = values[k];
            trap(esr_for(arm_reg_named("ICC_SGI1R_EL1")->enc, 12, false));
            expect_done();
            assert_int_equal(sgis, 1);
            assert_ptr_equal(sgi_vgic, &vm.vgic);
            assert_int_equal(sgi_src, vcpus[c]);
            assert_true(sgi_val == values[k]);
            expect_regs_unchanged_except(0);
        }
}

static void test_sgi_registers_reads_refused(void **state)
{
    static const char *const names[] = { "ICC_SGI1R_EL1", "ICC_ASGI1R_EL1", "ICC_SGI0R_EL1" };

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        reset_records();
        trap(esr_for(arm_reg_named(names[i])->enc, 4, true));
        expect_undef();
        expect_regs_unchanged_except(0);
        assert_int_equal(sgis, 0);
        assert_non_null(strstr(last_log, names[i]));
        assert_non_null(strstr(last_log, "read"));
    }
}

static void test_sgi0r_asgi1r_writes_ignored(void **state)
{
    static const char *const names[] = { "ICC_ASGI1R_EL1", "ICC_SGI0R_EL1" };

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        reset_records();
        vcpu->regs.x[6] = 0x0000000001000001ULL;
        trap(esr_for(arm_reg_named(names[i])->enc, 6, false));
        expect_done();
        assert_int_equal(sgis, 0);
        expect_regs_unchanged_except(0);
    }
}

/* ---- EL1 physical counter and timer ---- */

static void test_timer_registers_route_to_vtimer(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        const struct arm_reg *r = &arm_regs[i];
        if (r->b != B_TIMER)
            continue;
        const struct sysreg_desc *d = sysreg_find(SYSREG_KEY(r->enc.op0, r->enc.op1, r->enc.crn,
                                                             r->enc.crm, r->enc.op2));
        assert_non_null(d);

        /* Read: the named handler, its value in Rt. */
        reset_records();
        tm.read_value = 0x1234567800000000ULL + i;
        trap(esr_for(r->enc, 20, true));
        expect_done();
        assert_int_equal(tm.total, 1);
        assert_int_equal(tm.calls[r->rd], 1);
        assert_ptr_equal(tm.v, vcpu);
        assert_ptr_equal(tm.d, d);
        assert_true(vcpu->regs.x[20] == tm.read_value);
        expect_regs_unchanged_except(1u << 20);

        /* Write: the named handler gets Rt, or a read-only counter refuses. */
        reset_records();
        vcpu->regs.x[21] = 0xabcdef0000000000ULL + i;
        trap(esr_for(r->enc, 21, false));
        if (r->wr == T_NONE) {
            expect_undef();
            assert_int_equal(tm.total, 0);
            assert_non_null(strstr(last_log, r->name));
        } else {
            expect_done();
            assert_int_equal(tm.total, 1);
            assert_int_equal(tm.calls[r->wr], 1);
            assert_ptr_equal(tm.d, d);
            assert_true(tm.written == 0xabcdef0000000000ULL + i);
        }
        expect_regs_unchanged_except(0);
    }
}

/* A handler that refuses (CNTPCTSS_EL0 without FEAT_ECV) makes an UNDEF,
 * and what it left in its output never reaches the guest. */
static void test_timer_handler_refusal_undef(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        const struct arm_reg *r = &arm_regs[i];
        if (r->b != B_TIMER)
            continue;
        for (int read = 0; read < 2; read++) {
            enum timer_fn fn = read ? r->rd : r->wr;
            if (fn == T_NONE)
                continue;
            reset_records();
            tm.ok = false;
            tm.read_value = 0x5555;
            trap(esr_for(r->enc, 13, read));
            expect_undef();
            assert_int_equal(tm.calls[fn], 1);
            expect_regs_unchanged_except(0);
            assert_non_null(strstr(last_log, r->name));
        }
    }
}

/* ---- Random syndromes ---- */

/* Bits of a random syndrome outside op0/op1/CRn/CRm/op2. */
#define ARM_SR_ENC_MASK \
    (ARM_SR_OP0(3) | ARM_SR_OP1(7) | ARM_SR_CRN(0xf) | ARM_SR_CRM(0xf) | ARM_SR_OP2(7))

/* A syndrome: a quarter entirely random, a quarter with EC 0x18 and a
 * random ISS, a quarter at a table entry and a quarter in the ID space,
 * the last two with every other bit random. */
static uint64_t random_esr(unsigned n)
{
    uint64_t esr = rnd();

    switch (n % 4) {
    case 0:
        return esr;
    case 1:
        return (esr & ARM_ISS_MASK) | ARM_EC(ARM_EC_MSR_MRS) | ARM_IL;
    case 2:
        return (esr & ~ARM_SR_ENC_MASK) | esr_for(arm_regs[rnd() % NR_ARM_REGS].enc, 0, false);
    default:
        return (esr & ~ARM_SR_ENC_MASK) |
               esr_for((struct enc){ 3, 0, 0, 1 + (unsigned)(rnd() % 7), (unsigned)(rnd() & 7) },
                       0, false);
    }
}

/* What the dispatch must do with any syndrome, from the Arm encodings
 * above; handlers answer at random. Sanitizers watch for the rest. */
static void test_random_syndromes(void **state)
{
    unsigned done = 0, refused = 0, loads = 0;

    (void)state;
    for (unsigned n = 0; n < 300000; n++) {
        uint64_t esr = random_esr(n);
        struct enc e = enc_of_esr(esr);
        unsigned rt = (unsigned)(esr >> 5) & 31;
        bool read = esr & 1;

        reset_records();
        tm.ok = rnd() & 1;
        tm.read_value = rnd();
        vcpu->regs.pc = rnd() & ~3ULL;
        trap(esr);

        bool ok;
        uint64_t value = 0;
        const struct arm_reg *r = arm_reg_at(e);
        if (arm_id_space(e)) {
            ok = read;
            value = id_reg_sanitize(id_key(e.crm, e.op2), fake_hw[e.crm][e.op2], hyp_ipa_bits);
        } else if (!r) {
            ok = false;
        } else if (r->b == B_SGI1R) {
            ok = !read;
            assert_int_equal(sgis, ok);
        } else if (r->b == B_WRITE_IGNORED) {
            ok = !read;
        } else {
            enum timer_fn fn = read ? r->rd : r->wr;
            ok = fn != T_NONE && tm.ok;
            value = tm.read_value;
            assert_int_equal(tm.total, fn != T_NONE);
        }
        if (ok) {
            expect_done();
            done++;
            if (read && rt != ARM_XZR) {
                loads++;
                assert_true(vcpu->regs.x[rt] == value);
                expect_regs_unchanged_except(1u << rt);
            } else {
                expect_regs_unchanged_except(0);
            }
        } else {
            expect_undef();
            expect_regs_unchanged_except(0);
            refused++;
        }
        if (!ok || read)
            assert_int_equal(sgis, 0);
    }
    /* The loop reached every outcome many times. */
    assert_true(done > 30000 && refused > 30000 && loads > 20000);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sgi1r_write_sends_sgi, setup),
        cmocka_unit_test_setup(test_sgi_registers_reads_refused, setup),
        cmocka_unit_test_setup(test_sgi0r_asgi1r_writes_ignored, setup),
        cmocka_unit_test_setup(test_timer_registers_route_to_vtimer, setup),
        cmocka_unit_test_setup(test_timer_handler_refusal_undef, setup),
        cmocka_unit_test_setup(test_random_syndromes, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
