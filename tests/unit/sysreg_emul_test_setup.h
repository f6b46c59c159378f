/* Shared by test_sysreg_emul.c and test_sysreg_emul_regs.c: the Arm ARM
 * layouts written out independently of esr.h and of the table, the test
 * doubles for what the dispatch calls (ID registers, UNDEF injection, the
 * vGIC and the vtimer handlers record what they were asked), and the vCPU
 * under test. Each including program is one cmocka binary; helpers a
 * program does not use are allowed (-Wno-unused-function). */
#ifndef SYSREG_EMUL_TEST_SETUP_H
#define SYSREG_EMUL_TEST_SETUP_H

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

/* The key of an ID-space register (op0 3, op1 0, CRn 0). */
static uint32_t id_key(unsigned crm, unsigned op2)
{
    return SYSREG_KEY(3, 0, 0, crm, op2);
}

#endif
