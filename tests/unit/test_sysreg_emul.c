/* The trapped system-register table and its dispatch (trap/sysreg_emul.c):
 * lookup by key, the ID register space, the GICv3 SGI registers, the EL1
 * physical counter and timer, refused and unknown accesses, and random
 * syndromes. Syndromes are built from the Arm ARM layout (ESR_EL2, "ISS
 * encoding for an exception from MSR, MRS, or System instruction execution
 * in AArch64 state", EC 0x18), and the register encodings come from the
 * Arm ARM register descriptions, both written out here independently of
 * esr.h and of the table. The hardware behind the dispatch is faked: the ID
 * registers (arch_read_id_reg), UNDEF injection, the vGIC and the vtimer
 * handlers record what they were asked; vcpu_get_reg/vcpu_set_reg and
 * vcpu_skip_instr are the real inline helpers, so the tests look at the
 * vCPU's registers and PC themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/esr.c"
#include "trap/id_regs.c"
#include "trap/sysreg_emul.c"

/* ---- Arm ARM layout, written out independently ---- */

#define ARM_EC(ec)          ((uint64_t)(ec) << 26)
#define ARM_IL              (1ULL << 25)
#define ARM_EC_MSR_MRS      0x18u
#define ARM_ISS_MASK        0x1ffffffULL
#define ARM_SR_OP0(v)       ((uint64_t)(v) << 20)   /* [21:20] */
#define ARM_SR_OP2(v)       ((uint64_t)(v) << 17)   /* [19:17] */
#define ARM_SR_OP1(v)       ((uint64_t)(v) << 14)   /* [16:14] */
#define ARM_SR_CRN(v)       ((uint64_t)(v) << 10)   /* [13:10] */
#define ARM_SR_RT(v)        ((uint64_t)(v) << 5)    /* [9:5] */
#define ARM_SR_CRM(v)       ((uint64_t)(v) << 1)    /* [4:1] */
#define ARM_SR_READ         1ULL                    /* Direction: 1 = MRS */
#define ARM_XZR             31u

struct enc {
    unsigned op0, op1, crn, crm, op2;
};

static uint64_t esr_for(struct enc e, unsigned rt, bool read)
{
    return ARM_EC(ARM_EC_MSR_MRS) | ARM_IL | ARM_SR_OP0(e.op0) | ARM_SR_OP1(e.op1) |
           ARM_SR_CRN(e.crn) | ARM_SR_CRM(e.crm) | ARM_SR_OP2(e.op2) | ARM_SR_RT(rt) |
           (read ? ARM_SR_READ : 0);
}

static struct enc enc_of_esr(uint64_t esr)
{
    return (struct enc){ (unsigned)(esr >> 20) & 3, (unsigned)(esr >> 14) & 7,
                         (unsigned)(esr >> 10) & 0xf, (unsigned)(esr >> 1) & 0xf,
                         (unsigned)(esr >> 17) & 7 };
}

static bool enc_equal(struct enc a, struct enc b)
{
    return a.op0 == b.op0 && a.op1 == b.op1 && a.crn == b.crn && a.crm == b.crm && a.op2 == b.op2;
}

/* ID_AA64*, ID_* AArch32 feature registers: op0 3, op1 0, CRn 0, CRm 1..7. */
static bool arm_id_space(struct enc e)
{
    return e.op0 == 3 && e.op1 == 0 && e.crn == 0 && e.crm >= 1 && e.crm <= 7;
}

/* What each table entry must do. */
enum behaviour {
    B_SGI1R,        /* write: vgic_send_sgi; read: refused */
    B_WRITE_IGNORED,/* write: skipped without effect; read: refused */
    B_TIMER,        /* the vtimer handlers named below */
};

enum timer_fn {
    T_NONE, T_CNTPCT_R, T_CNTPCTSS_R, T_TVAL_R, T_TVAL_W, T_CTL_R, T_CTL_W, T_CVAL_R, T_CVAL_W,
    T_NR
};

struct arm_reg {
    const char *name;
    struct enc enc;
    enum behaviour b;
    enum timer_fn rd, wr;   /* T_NONE: refused without calling a handler */
};

/* Encodings from the Arm ARM: the generic timer registers (CNTPCT_EL0,
 * CNTPCTSS_EL0, CNTP_TVAL/CTL/CVAL_EL0) and the GICv3 CPU interface SGI
 * generation registers. */
static const struct arm_reg arm_regs[] = {
    { "ICC_SGI1R_EL1", { 3, 0, 12, 11, 5 }, B_SGI1R, T_NONE, T_NONE },
    { "ICC_ASGI1R_EL1", { 3, 0, 12, 11, 6 }, B_WRITE_IGNORED, T_NONE, T_NONE },
    { "ICC_SGI0R_EL1", { 3, 0, 12, 11, 7 }, B_WRITE_IGNORED, T_NONE, T_NONE },
    { "CNTPCT_EL0", { 3, 3, 14, 0, 1 }, B_TIMER, T_CNTPCT_R, T_NONE },
    { "CNTPCTSS_EL0", { 3, 3, 14, 0, 5 }, B_TIMER, T_CNTPCTSS_R, T_NONE },
    { "CNTP_TVAL_EL0", { 3, 3, 14, 2, 0 }, B_TIMER, T_TVAL_R, T_TVAL_W },
    { "CNTP_CTL_EL0", { 3, 3, 14, 2, 1 }, B_TIMER, T_CTL_R, T_CTL_W },
    { "CNTP_CVAL_EL0", { 3, 3, 14, 2, 2 }, B_TIMER, T_CVAL_R, T_CVAL_W },
};
#define NR_ARM_REGS (sizeof(arm_regs) / sizeof(arm_regs[0]))

static const struct arm_reg *arm_reg_named(const char *name)
{
    for (size_t i = 0; i < NR_ARM_REGS; i++)
        if (strcmp(arm_regs[i].name, name) == 0)
            return &arm_regs[i];
    return NULL;
}

static const struct arm_reg *arm_reg_at(struct enc e)
{
    for (size_t i = 0; i < NR_ARM_REGS; i++)
        if (enc_equal(arm_regs[i].enc, e))
            return &arm_regs[i];
    return NULL;
}

/* ---- Deterministic pseudo-random numbers ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- Test doubles for what the dispatch calls ---- */

unsigned hyp_ipa_bits;

/* The vCPUs here have no virtual EL2 (tests/unit/test_nested_el2_regs.c
 * covers the chained EL2 table). */
const struct sysreg_desc *nested_sysreg_find(uint32_t key)
{
    fail_msg("nested_sysreg_find(%#x) called for a vCPU without virtual EL2", key);
    return NULL;
}

static uint64_t fake_hw[8][8];     /* [CRm][op2] */
static unsigned id_reads;
static unsigned id_read_crm, id_read_op2;

uint64_t arch_read_id_reg(unsigned crm, unsigned op2)
{
    assert_true(crm >= 1 && crm <= 7);
    assert_true(op2 <= 7);
    id_reads++;
    id_read_crm = crm;
    id_read_op2 = op2;
    return fake_hw[crm][op2];
}

static unsigned undefs;
static uint64_t undef_pc;

void inject_undef(struct vcpu *v)
{
    undefs++;
    undef_pc = v->regs.pc;
}

static unsigned sgis;
static struct vgic *sgi_vgic;
static unsigned sgi_src;
static uint64_t sgi_val;

bool vgic_send_sgi_to_others(struct vgic *g, unsigned src_vcpu, uint64_t icc_sgi1r,
                             uint32_t *gen_before)
{
    sgis++;
    sgi_vgic = g;
    sgi_src = src_vcpu;
    sgi_val = icc_sgi1r;
    return false;
}

static struct {
    unsigned calls[T_NR];
    unsigned total;
    enum timer_fn last;
    struct vcpu *v;
    const struct sysreg_desc *d;
    uint64_t written;
    uint64_t read_value;    /* what a read handler returns */
    bool ok;                /* what every handler answers */
} tm;

static bool timer_called(enum timer_fn fn, struct vcpu *v, const struct sysreg_desc *d)
{
    tm.calls[fn]++;
    tm.total++;
    tm.last = fn;
    tm.v = v;
    tm.d = d;
    return tm.ok;
}

/* A refusing read handler still writes *val: the dispatch must drop it. */
#define TIMER_READ(fn, id) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val) \
    { *val = tm.read_value; return timer_called(id, v, d); }
#define TIMER_WRITE(fn, id) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t val) \
    { tm.written = val; return timer_called(id, v, d); }

TIMER_READ(vtimer_cntpct_read, T_CNTPCT_R)
TIMER_READ(vtimer_cntpctss_read, T_CNTPCTSS_R)
TIMER_READ(vtimer_ptimer_tval_read, T_TVAL_R)
TIMER_WRITE(vtimer_ptimer_tval_write, T_TVAL_W)
TIMER_READ(vtimer_ptimer_ctl_read, T_CTL_R)
TIMER_WRITE(vtimer_ptimer_ctl_write, T_CTL_W)
TIMER_READ(vtimer_ptimer_cval_read, T_CVAL_R)
TIMER_WRITE(vtimer_ptimer_cval_write, T_CVAL_W)

static unsigned log_lines;
static char last_log[512];
static bool log_quiet;

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_log, sizeof(last_log), fmt, ap);
    va_end(ap);
    log_lines++;
    if (!log_quiet)
        printf("[log %d] %s\n", (int)level, last_log);
}

/* Guest-triggered lines go through the VM's rate limit in the hypervisor
 * (core/guest_log.c); here every line is counted. */
void vm_log(struct vm *vm, enum log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    (void)vm;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    log_msg(level, "%s", line);
}

/* ---- The vCPU under test ---- */

#define GUEST_PC    0x40081000ULL

static struct vm_config cfg = { .name = "sysreg-test" };
static struct vm vm;
static struct vcpu *vcpu;
static struct vcpu_regs before;

static uint64_t reg_pattern(unsigned i)
{
    return 0xa5a5000000000000ULL | ((uint64_t)i << 32) | (0x1000u + i);
}

static void use_vcpu(unsigned idx)
{
    vcpu = &vm.vcpus[idx];
    vcpu->vm = &vm;
    vcpu->id = idx;
    for (unsigned i = 0; i < 31; i++)
        vcpu->regs.x[i] = reg_pattern(i);
    vcpu->regs.pc = GUEST_PC;
    vcpu->regs.pstate = 0x3c5;
}

static void reset_records(void)
{
    id_reads = 0;
    undefs = 0;
    undef_pc = 0;
    sgis = 0;
    sgi_vgic = NULL;
    sgi_src = ~0u;
    sgi_val = 0;
    memset(&tm, 0, sizeof(tm));
    tm.ok = true;
    log_lines = 0;
    last_log[0] = '\0';
}

static int setup(void **state)
{
    (void)state;
    memset(&vm, 0, sizeof(vm));
    vm.cfg = &cfg;
    vm.nr_vcpus = 4;
    hyp_ipa_bits = 40;
    for (unsigned crm = 0; crm < 8; crm++)
        for (unsigned op2 = 0; op2 < 8; op2++)
            fake_hw[crm][op2] = rnd() | 1;  /* distinct, never zero */
    log_quiet = true;   /* the tests read last_log; set false to watch */
    use_vcpu(2);
    reset_records();
    return 0;
}

static void trap(uint64_t esr)
{
    before = vcpu->regs;
    sysreg_trap(vcpu, esr);
}

/* Exactly the registers in `changed` (a bit per Xn) differ from before. */
static void expect_regs_unchanged_except(uint32_t changed)
{
    for (unsigned i = 0; i < 31; i++)
        if (!(changed & (1u << i)) && vcpu->regs.x[i] != before.x[i]) {
            print_error("x%u changed: %#llx -> %#llx\n", i, (unsigned long long)before.x[i],
                        (unsigned long long)vcpu->regs.x[i]);
            fail();
        }
    assert_true(vcpu->regs.pstate == before.pstate);
}

/* Emulated: the instruction is stepped over, nothing injected or logged. */
static void expect_done(void)
{
    assert_int_equal(undefs, 0);
    assert_true(vcpu->regs.pc == before.pc + 4);
    assert_int_equal(log_lines, 0);
}

/* Refused: UNDEF for the trapped instruction itself, one log line. */
static void expect_undef(void)
{
    assert_int_equal(undefs, 1);
    assert_true(undef_pc == before.pc);
    assert_true(vcpu->regs.pc == before.pc);
    assert_int_equal(log_lines, 1);
}

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

static uint32_t id_key(unsigned crm, unsigned op2)
{
    return SYSREG_KEY(3, 0, 0, crm, op2);
}

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
        cmocka_unit_test_setup(test_table_keys_and_names_unique, setup),
        cmocka_unit_test_setup(test_table_found_by_key_only, setup),
        cmocka_unit_test_setup(test_table_names_match_arm_encodings, setup),
        cmocka_unit_test_setup(test_id_space_reads, setup),
        cmocka_unit_test_setup(test_id_space_sanitized_fields, setup),
        cmocka_unit_test_setup(test_id_space_writes_refused, setup),
        cmocka_unit_test_setup(test_xzr_read_discards, setup),
        cmocka_unit_test_setup(test_xzr_write_writes_zero, setup),
        cmocka_unit_test_setup(test_unknown_registers_undef, setup),
        cmocka_unit_test_setup(test_sgi1r_write_sends_sgi, setup),
        cmocka_unit_test_setup(test_sgi_registers_reads_refused, setup),
        cmocka_unit_test_setup(test_sgi0r_asgi1r_writes_ignored, setup),
        cmocka_unit_test_setup(test_timer_registers_route_to_vtimer, setup),
        cmocka_unit_test_setup(test_timer_handler_refusal_undef, setup),
        cmocka_unit_test_setup(test_random_syndromes, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
