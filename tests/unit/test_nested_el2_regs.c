/* The guest hypervisor's trapped EL2 registers (nested/el2_regs.c) and
 * their place in the trap dispatch (trap/sysreg_emul.c): the table against
 * the Arm ARM encodings (written out here independently), the hardware EL1
 * register that holds each one in hyp context, the bits kept aside, the
 * fixed registers, the ID registers a vEL2 vCPU reads, and that a vCPU
 * without virtual EL2 never reaches the table. The hardware EL1 registers
 * are a fake array; UNDEF injection, the ID registers and the handlers of
 * the normal table are test doubles. */
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
#include "nested/el2_regs.c"
#include "nested/vgic_calc.c"

/* ---- Arm ARM layout, written out independently ---- */

#define ARM_EC_MSR_MRS      0x18u
#define ARM_XZR             31u

struct enc {
    unsigned op0, op1, crn, crm, op2;
};

static uint64_t esr_for(struct enc e, unsigned rt, bool read)
{
    return ((uint64_t)ARM_EC_MSR_MRS << 26) | (1ULL << 25) | ((uint64_t)e.op0 << 20) |
           ((uint64_t)e.op2 << 17) | ((uint64_t)e.op1 << 14) | ((uint64_t)e.crn << 10) |
           ((uint64_t)rt << 5) | ((uint64_t)e.crm << 1) | (read ? 1 : 0);
}

/* How each register must behave. HW: held by the hardware EL1 register
 * `hw` for the bits in hw_bits, the rest of `writable` kept aside; KEPT:
 * stored, `writable` bits only; RAZWI; SRE: ICC_SRE_EL2; CPTR_BY_CPACR:
 * the CPACR_EL1 name of a VHE guest hypervisor in hyp context, which is
 * its CPTR_EL2 (trapped by TCPAC: bits 30 and 31 are RES0 in the
 * hardware CPACR_EL1), HW there (test_cpacr_name_is_cptr for the other
 * contexts); VNCR: VNCR_EL2, kept in its page slot. */
enum kind { HW, KEPT, RAZWI, SRE, CNTKCTL12, ICH_RO, CPTR_BY_CPACR, VNCR };

struct arm_reg {
    const char *name;
    struct enc enc;
    enum kind kind;
    int hw;
    uint64_t hw_bits, writable;
};

#define ALL (~0ULL)

/* Encodings from the Arm ARM register descriptions; the CNTHCTL_EL2 and
 * CPTR_EL2 layouts are the E2H = 1 ones, CNTKCTL_EL1's fields EL0PCTEN,
 * EL0VCTEN, EVNTEN, EVNTDIR, EVNTI, EL0VTEN, EL0PTEN (bits 0-9) and EVNTIS
 * (17), CPACR_EL1's ZEN, FPEN, SMEN, TTA, E0POE (16-29); MDCR_EL2 without
 * PMU, SPE or trace has TDE, TDA, TDOSA, TDRA (8-11). */
static const struct arm_reg arm_regs[] = {
    { "SCTLR_EL2", { 3, 4, 1, 0, 0 }, HW, EL1_SCTLR, ALL, ALL },
    { "ACTLR_EL2", { 3, 4, 1, 0, 1 }, RAZWI, -1, 0, 0 },
    { "MDCR_EL2", { 3, 4, 1, 1, 1 }, KEPT, -1, 0, 0xf00 },
    { "CPTR_EL2", { 3, 4, 1, 1, 2 }, HW, EL1_CPACR, 0x3fff0000ULL, 0xffff0000ULL },
    { "HACR_EL2", { 3, 4, 1, 1, 7 }, RAZWI, -1, 0, 0 },
    { "TTBR0_EL2", { 3, 4, 2, 0, 0 }, HW, EL1_TTBR0, ALL, ALL },
    { "TTBR1_EL2", { 3, 4, 2, 0, 1 }, HW, EL1_TTBR1, ALL, ALL },
    { "TCR_EL2", { 3, 4, 2, 0, 2 }, HW, EL1_TCR, ALL, ALL },
    { "AFSR0_EL2", { 3, 4, 5, 1, 0 }, HW, EL1_AFSR0, ALL, ALL },
    { "AFSR1_EL2", { 3, 4, 5, 1, 1 }, HW, EL1_AFSR1, ALL, ALL },
    { "HPFAR_EL2", { 3, 4, 6, 0, 4 }, KEPT, -1, 0, 0x8000fffffffffff0ULL },
    { "MAIR_EL2", { 3, 4, 10, 2, 0 }, HW, EL1_MAIR, ALL, ALL },
    { "AMAIR_EL2", { 3, 4, 10, 3, 0 }, HW, EL1_AMAIR, ALL, ALL },
    { "VBAR_EL2", { 3, 4, 12, 0, 0 }, HW, EL1_VBAR, ALL, ALL },
    { "ICC_SRE_EL2", { 3, 4, 12, 9, 5 }, SRE, -1, 0, 0 },
    { "ICH_VTR_EL2", { 3, 4, 12, 11, 1 }, ICH_RO, -1, 0, 0 },
    { "ICH_MISR_EL2", { 3, 4, 12, 11, 2 }, ICH_RO, -1, 0, 0 },
    { "ICH_EISR_EL2", { 3, 4, 12, 11, 3 }, ICH_RO, -1, 0, 0 },
    { "ICH_ELRSR_EL2", { 3, 4, 12, 11, 5 }, ICH_RO, -1, 0, 0 },
    { "CONTEXTIDR_EL2", { 3, 4, 13, 0, 1 }, HW, EL1_CONTEXTIDR, ALL, ALL },
    { "CNTHCTL_EL2", { 3, 4, 14, 1, 0 }, HW, EL1_CNTKCTL, 0x203ffULL, 0x3ffffULL },
    { "CNTKCTL_EL12", { 3, 5, 14, 1, 0 }, CNTKCTL12, -1, 0, 0x203ffULL },
    { "CPACR_EL1", { 3, 0, 1, 0, 2 }, CPTR_BY_CPACR, EL1_CPACR, 0x3fff0000ULL, 0xffff0000ULL },
    { "VNCR_EL2", { 3, 4, 2, 2, 0 }, VNCR, -1, 0, ~0xfffULL },
};
#define NR_ARM_REGS (sizeof(arm_regs) / sizeof(arm_regs[0]))

static uint64_t rng = 0x13198a2e03707344ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* ---- Test doubles ---- */

unsigned hyp_ipa_bits = 40;

static uint64_t hw_el1[EL1_NR_REGS];
static unsigned hw_writes;

uint64_t el1_read(enum el1_reg r)
{
    assert_true(r < EL1_NR_REGS);
    return hw_el1[r];
}

void el1_write(enum el1_reg r, uint64_t v)
{
    assert_true(r < EL1_NR_REGS);
    hw_writes++;
    hw_el1[r] = v;
}

static uint64_t fake_id[8][8];

uint64_t arch_read_id_reg(unsigned crm, unsigned op2)
{
    return fake_id[crm & 7][op2 & 7];
}

static unsigned undefs;

void inject_undef(struct vcpu *v)
{
    undefs++;
}

bool vgic_send_sgi_to_others(struct vgic *g, unsigned src_vcpu, uint64_t icc_sgi1r,
                             uint32_t *gen_before)
{
    fail_msg("unexpected SGI");
    return false;
}

#define NOT_CALLED_READ(fn) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val) { fail(); return false; }
#define NOT_CALLED_WRITE(fn) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t val) { fail(); return false; }
NOT_CALLED_READ(vtimer_cntpct_read)
NOT_CALLED_READ(vtimer_cntpctss_read)
NOT_CALLED_READ(vtimer_ptimer_tval_read)
NOT_CALLED_WRITE(vtimer_ptimer_tval_write)
NOT_CALLED_READ(vtimer_ptimer_ctl_read)
NOT_CALLED_WRITE(vtimer_ptimer_ctl_write)
NOT_CALLED_READ(vtimer_ptimer_cval_read)
NOT_CALLED_WRITE(vtimer_ptimer_cval_write)

static unsigned log_lines;

void log_msg(enum log_level level, const char *fmt, ...)
{
    log_lines++;
}

/* Guest-triggered lines (core/guest_log.c in the hypervisor) count too. */
void vm_log(struct vm *vm, enum log_level level, const char *fmt, ...)
{
    log_lines++;
}

/* ---- The vCPU under test ---- */

#define GUEST_PC    0x40082000ULL
#define RT          7u

static struct vm_config cfg = { .name = "el2-test", .virt_el2 = true };
/* What nested_vm_attach() gives a vEL2 vCPU, as far as the trap table
 * reaches: its registers come first. */
static const struct vcpu_ext_ops ext = { .sysreg = nested_sysreg_find };
static struct vm vm;
static struct vcpu *vcpu;
static struct vcpu_nested nested;
static uint64_t vncr_page[512];

static int setup(void **state)
{
    (void)state;
    memset(&vm, 0, sizeof(vm));
    memset(&nested, 0, sizeof(nested));
    vm.cfg = &cfg;
    vm.nr_vcpus = 1;
    vm.gic_version = 3;
    vcpu = &vm.vcpus[0];
    vcpu->vm = &vm;
    vcpu->nested = &nested;
    vcpu->ext = &ext;
    memset(vncr_page, 0, sizeof(vncr_page));
    vcpu->vncr = vncr_page;
    vcpu->loaded = true;
    vcpu->reg_ctx = VCPU_CTX_HYP;
    vcpu->regs.pc = GUEST_PC;
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        hw_el1[r] = rnd();
    for (unsigned crm = 0; crm < 8; crm++)
        for (unsigned op2 = 0; op2 < 8; op2++)
            fake_id[crm][op2] = rnd();
    hw_writes = 0;
    undefs = 0;
    log_lines = 0;
    return 0;
}

static void msr(struct enc e, uint64_t val)
{
    vcpu->regs.x[RT] = val;
    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for(e, RT, false));
    assert_int_equal(undefs, 0);
    assert_true(vcpu->regs.pc == GUEST_PC + 4);
}

static uint64_t mrs(struct enc e)
{
    vcpu->regs.x[RT] = 0x5555aaaa5555aaaaULL;
    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for(e, RT, true));
    assert_int_equal(undefs, 0);
    assert_true(vcpu->regs.pc == GUEST_PC + 4);
    return vcpu->regs.x[RT];
}

/* ---- The table ---- */

static void test_table_matches_arm_encodings(void **state)
{
    unsigned n = 0;

    (void)state;
    for (const struct sysreg_desc *d; (d = nested_sysreg_at(n)); n++) {
        assert_non_null(d->read);
        assert_non_null(d->write);
        bool named = false;
        for (size_t i = 0; i < NR_ARM_REGS; i++)
            named |= strcmp(arm_regs[i].name, d->name) == 0;
        if (!named)
            print_error("%s is not in the test's list\n", d->name);
        assert_true(named);
        /* No key of the normal table is shadowed. */
        assert_null(sysreg_find(d->key));
    }
    assert_int_equal(n, NR_ARM_REGS);
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        struct sysreg_access a;
        esr_decode_sysreg(esr_for(arm_regs[i].enc, 0, true), &a);
        const struct sysreg_desc *d = nested_sysreg_find(sysreg_access_key(&a));
        if (!d || strcmp(d->name, arm_regs[i].name) != 0)
            print_error("%s: the table has %s there\n", arm_regs[i].name, d ? d->name : "nothing");
        assert_non_null(d);
        assert_string_equal(d->name, arm_regs[i].name);
    }
}

static void test_found_by_key_only(void **state)
{
    unsigned hits = 0;

    (void)state;
    for (uint32_t key = 0; key < (1u << 16); key++) {
        const struct sysreg_desc *d = nested_sysreg_find(key);
        if (!d)
            continue;
        hits++;
        assert_int_equal(d->key, key);
    }
    assert_int_equal(hits, NR_ARM_REGS);
}

/* ---- Behaviour in hyp context ---- */

static void test_hw_home(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        const struct arm_reg *r = &arm_regs[i];
        if (r->kind != HW && r->kind != CPTR_BY_CPACR)
            continue;
        for (unsigned n = 0; n < 50; n++) {
            uint64_t val = n ? rnd() : ~0ULL;
            /* A trapped write lands in the hardware register... */
            msr(r->enc, val);
            if ((hw_el1[r->hw] & r->hw_bits) != (val & r->writable & r->hw_bits))
                print_error("%s: hardware %#llx after writing %#llx\n", r->name,
                            (unsigned long long)hw_el1[r->hw], (unsigned long long)val);
            assert_true(hw_el1[r->hw] == (val & r->writable & r->hw_bits));
            assert_true(mrs(r->enc) == (val & r->writable));
            /* ...and what the guest writes there by the EL1 name (no trap)
             * is what the EL2 name reads. */
            uint64_t direct = rnd();
            hw_el1[r->hw] = direct;
            uint64_t got = mrs(r->enc);
            assert_true((got & r->hw_bits) == (direct & r->hw_bits));
            assert_true((got & ~r->hw_bits) == (val & r->writable & ~r->hw_bits));
        }
    }
    assert_int_equal(log_lines, 0);
}

static void test_kept_and_fixed(void **state)
{
    uint64_t before[EL1_NR_REGS];

    (void)state;
    memcpy(before, hw_el1, sizeof(before));
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        const struct arm_reg *r = &arm_regs[i];
        if (r->kind == HW || r->kind == ICH_RO || r->kind == CPTR_BY_CPACR || r->kind == VNCR)
            continue;
        for (unsigned n = 0; n < 50; n++) {
            uint64_t val = n ? rnd() : ~0ULL;
            msr(r->enc, val);
            uint64_t got = mrs(r->enc);
            switch (r->kind) {
            case KEPT:
            case CNTKCTL12:
                assert_true(got == (val & r->writable));
                break;
            case RAZWI:
                assert_true(got == 0);
                break;
            case SRE:
                /* SRE, DFB, DIB, Enable: always on, writes ignored. */
                assert_true(got == 0xf);
                break;
            default:
                fail();
            }
        }
    }
    /* None of them touches a hardware EL1 register. */
    assert_int_equal(hw_writes, 0);
    assert_memory_equal(before, hw_el1, sizeof(before));
    assert_int_equal(log_lines, 0);
}

/* The trapped ICH_* registers read what the LR images in the VNCR page
 * say (Arm GICv3: ICH_LR<n>_EL2 State [63:62], HW 61, EOI 41; page slots
 * 0x400 + 8n, ICH_HCR 0x4C0, ICH_VMCR 0x4C8); MSR to them is UNDEFINED. */
#define A_LR_PENDING    (1ULL << 62)
#define A_LR_HW         (1ULL << 61)
#define A_LR_EOI        (1ULL << 41)
static void test_ich_registers(void **state)
{
    (void)state;
    nested.ich_vtr = nested_ich_vtr(4, 1);
    /* ListRegs 3 (4 LRs), PREbits = PRIbits = 4 (5 bits). */
    assert_true(mrs((struct enc){ 3, 4, 12, 11, 1 }) == (3ULL | 4ULL << 26 | 4ULL << 29));
    vncr_page[0x400 / 8 + 0] = A_LR_PENDING | 40;
    vncr_page[0x400 / 8 + 1] = A_LR_EOI | 41;               /* deactivated, EOI asked */
    vncr_page[0x400 / 8 + 2] = A_LR_HW | A_LR_EOI | 42;     /* bit 41 is pINTID here */
    vncr_page[0x400 / 8 + 3] = 0;
    vncr_page[0x400 / 8 + 4] = A_LR_EOI;                    /* past ListRegs: ignored */
    vncr_page[0x4c0 / 8] = 1ULL << 1;                       /* UIE */
    assert_true(mrs((struct enc){ 3, 4, 12, 11, 5 }) == 0xc);    /* ELRSR: LR2, LR3 */
    assert_true(mrs((struct enc){ 3, 4, 12, 11, 3 }) == 0x2);    /* EISR: LR1 */
    assert_true(mrs((struct enc){ 3, 4, 12, 11, 2 }) == 0x3);    /* MISR: EOI, U */
    vncr_page[0x400 / 8 + 3] = A_LR_PENDING | 43;
    assert_true(mrs((struct enc){ 3, 4, 12, 11, 2 }) == 0x1);    /* two valid: no U */
    for (unsigned op2 = 1; op2 <= 5; op2 += op2 == 3 ? 2 : 1) {
        vcpu->regs.pc = GUEST_PC;
        unsigned before = undefs;
        sysreg_trap(vcpu, esr_for((struct enc){ 3, 4, 12, 11, op2 }, RT, false));
        assert_int_equal(undefs, before + 1);
        assert_true(vcpu->regs.pc == GUEST_PC);
    }
    /* No GICv3 interface without a GICv3. */
    vm.gic_version = 2;
    sysreg_trap(vcpu, esr_for((struct enc){ 3, 4, 12, 11, 1 }, RT, true));
    assert_int_equal(undefs, 5);
}

/* LR translation for the guest's guest and the fold back (Arm GICv3 LR
 * layout: pINTID [44:32] with HW, State [63:62], EOI 41 without HW). */
static void test_shadow_lr_fold(void **state)
{
    (void)state;
    const uint64_t sw = A_LR_PENDING | (1ULL << 60) | (0xa0ULL << 48) | A_LR_EOI | 40;
    assert_true(nested_shadow_lr(sw, 0) == sw);                     /* software: as is */
    assert_true(nested_shadow_lr(sw, 30) == sw);                    /* ... whatever is forwarded */
    const uint64_t hw = A_LR_PENDING | A_LR_HW | (27ULL << 32) | 27;
    /* not forwarded: HW and pINTID dropped, EOI maintenance asked for */
    assert_true(nested_shadow_lr(hw, 0) == (A_LR_PENDING | A_LR_EOI | 27));
    /* L1's vINTID 28 forwarded from physical PPI 27: HW kept, pINTID the physical one */
    const uint64_t hw28 = A_LR_PENDING | A_LR_HW | (28ULL << 32) | 27;
    assert_true(nested_shadow_lr(hw28, 27) == (A_LR_PENDING | A_LR_HW | (27ULL << 32) | 27));
    /* only the state comes back: pending -> invalid, the HW image kept */
    assert_true(nested_fold_lr(hw, 27) == (A_LR_HW | (27ULL << 32) | 27));
    assert_true(nested_fold_lr(sw, (2ULL << 62) | 99) == ((sw & ~(3ULL << 62)) | (2ULL << 62)));
    /* the maintenance interrupt: En and a MISR condition */
    uint64_t lrs[2] = { 0, 0 };
    assert_false(nested_mi_level(1ULL << 1, 0, lrs, 2));           /* UIE without En */
    assert_true(nested_mi_level(1 | 1ULL << 1, 0, lrs, 2));        /* En | UIE, no LR valid */
    lrs[0] = lrs[1] = A_LR_PENDING;
    assert_false(nested_mi_level(1 | 1ULL << 1, 0, lrs, 2));       /* two valid: no U */
    assert_false(nested_mi_level(1, 0, lrs, 2));                   /* En alone */
}

static void test_icc_sre_el2_gicv2(void **state)
{
    (void)state;
    vm.gic_version = 2;
    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for((struct enc){ 3, 4, 12, 9, 5 }, RT, true));
    assert_int_equal(undefs, 1);
    sysreg_trap(vcpu, esr_for((struct enc){ 3, 4, 12, 9, 5 }, RT, false));
    assert_int_equal(undefs, 2);
    assert_true(vcpu->regs.pc == GUEST_PC);
}

/* Outside hyp context (its guest runs) every value is in the register
 * file's cells and the hardware, which holds its guest's registers, is
 * not touched. */
static void test_outside_hyp(void **state)
{
    uint64_t before[EL1_NR_REGS];

    (void)state;
    vcpu->reg_ctx = VCPU_CTX_NESTED;
    memcpy(before, hw_el1, sizeof(before));
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        if (arm_regs[i].kind != HW)
            continue;
        uint64_t val = rnd();
        msr(arm_regs[i].enc, val);
        assert_true(mrs(arm_regs[i].enc) == (val & arm_regs[i].writable));
    }
    assert_memory_equal(before, hw_el1, sizeof(before));
}

static uint64_t mrs_undef(struct enc e);

/* A VHE guest hypervisor's CPTR_EL2 written through the CPACR_EL1 name
 * keeps TAM [30] and TCPAC [31] (Arm ARM, CPTR_EL2 with E2H = 1), which
 * the hardware CPACR_EL1 drops: the CPTR_EL2 name reads them back. In its
 * guest's context the name is the guest's CPACR_EL1 (the hardware's, its
 * fields only), and for a non-VHE one in hyp context the VNCR page's. */
static void test_cpacr_name_is_cptr(void **state)
{
    const struct enc cpacr = { 3, 0, 1, 0, 2 }, cptr = { 3, 4, 1, 1, 2 };
    const uint64_t tcpac = 1ULL << 31, tam = 1ULL << 30, fpen = 3ULL << 20;

    (void)state;
    msr(cpacr, tcpac | tam | fpen);
    assert_true(mrs(cptr) == (tcpac | tam | fpen));
    assert_true(mrs(cpacr) == (tcpac | tam | fpen));
    assert_true(hw_el1[EL1_CPACR] == fpen);
    msr(cptr, fpen);
    assert_true(mrs(cpacr) == fpen);
    vcpu->reg_ctx = VCPU_CTX_NESTED;
    uint64_t cptr_kept = mrs(cptr);
    msr(cpacr, tcpac | tam | fpen);
    assert_true(hw_el1[EL1_CPACR] == fpen);
    assert_true(mrs(cpacr) == fpen);
    assert_true(mrs(cptr) == cptr_kept);
    vcpu->reg_ctx = VCPU_CTX_HYP_NVHE;
    nested.nvhe = true;
    uint64_t hw = hw_el1[EL1_CPACR];
    msr(cpacr, 3ULL << 16);
    assert_true(vncr_page[0x100 / 8] == (3ULL << 16));
    assert_true(mrs(cpacr) == (3ULL << 16));
    assert_true(hw_el1[EL1_CPACR] == hw);
}

static void test_xzr(void **state)
{
    const struct enc vbar = { 3, 4, 12, 0, 0 };

    (void)state;
    hw_el1[EL1_VBAR] = 0x40080800;
    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for(vbar, ARM_XZR, false));
    assert_true(hw_el1[EL1_VBAR] == 0);
    hw_el1[EL1_VBAR] = 0x40080800;
    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for(vbar, ARM_XZR, true));
    assert_true(vcpu->regs.pc == GUEST_PC + 4);
    assert_int_equal(undefs, 0);
}

/* VNCR_EL2 (FEAT_NV2, offered by virt-el2-nv2): its home is its slot in
 * the page (0xB0, Arm ARM's VNCR table), BADDR only ([11:0] RES0); without
 * the offer the register does not exist: UNDEFINED. */
static void test_vncr_el2(void **state)
{
    const struct enc vncr = { 3, 4, 2, 2, 0 };

    (void)state;
    for (unsigned n = 0; n < 50; n++) {
        uint64_t val = n ? rnd() : ~0ULL;
        nested.nv2 = true;
        msr(vncr, val);
        assert_true(vncr_page[0xb0 / 8] == (val & ~0xfffULL));
        assert_true(mrs(vncr) == (val & ~0xfffULL));
    }
    nested.nv2 = false;
    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for(vncr, RT, true));
    assert_int_equal(undefs, 1);
    sysreg_trap(vcpu, esr_for(vncr, RT, false));
    assert_int_equal(undefs, 2);
    assert_int_equal(hw_writes, 0);
}

/* ---- The rest of the dispatch for a vEL2 vCPU ---- */

static void test_id_registers_vel2(void **state)
{
    const struct enc pfr0 = { 3, 0, 0, 4, 0 }, mmfr4 = { 3, 0, 0, 7, 4 };

    (void)state;
    assert_true(((mrs(pfr0) >> 8) & 0xf) == 1);
    assert_true(mrs(mmfr4) == (0xeULL << 24));
    /* ID_AA64MMFR2_EL1.NV: 0, or 2 (FEAT_NV2) with virt-el2-nv2. */
    const struct enc mmfr2 = { 3, 0, 0, 7, 2 };
    fake_id[7][2] |= 2ULL << 24;
    assert_true(((mrs(mmfr2) >> 24) & 0xf) == 0);
    cfg.virt_el2_nv2 = true;
    assert_true(((mrs(mmfr2) >> 24) & 0xf) == 2);
    cfg.virt_el2_nv2 = false;
    /* The same registers for a vCPU without virtual EL2. */
    vcpu->nested = NULL;
    vcpu->ext = NULL;
    cfg.virt_el2 = false;
    assert_true(((mrs(pfr0) >> 8) & 0xf) == 0);
    assert_true(mrs(mmfr4) == 0);
    cfg.virt_el2 = true;
}

static void test_unknown_el2_register(void **state)
{
    (void)state;
    /* RMR_EL2: not emulated. */
    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for((struct enc){ 3, 4, 12, 0, 2 }, RT, true));
    assert_int_equal(undefs, 1);
    assert_int_equal(log_lines, 1);
    assert_true(vcpu->regs.pc == GUEST_PC);
}

/* A guest without virtual EL2 never reaches the EL2 table (its EL1 cannot
 * even trap there: without HCR_EL2.NV such accesses are UNDEFINED). */
static void test_el1_vcpu_does_not_see_table(void **state)
{
    (void)state;
    vcpu->nested = NULL;
    vcpu->ext = NULL;
    for (size_t i = 0; i < NR_ARM_REGS; i++) {
        undefs = 0;
        vcpu->regs.pc = GUEST_PC;
        sysreg_trap(vcpu, esr_for(arm_regs[i].enc, RT, true));
        assert_int_equal(undefs, 1);
    }
}

/* ---- A non-VHE guest hypervisor (E2H = 0) ---- */

static uint64_t mrs_undef(struct enc e)
{
    unsigned before = undefs;

    vcpu->regs.pc = GUEST_PC;
    sysreg_trap(vcpu, esr_for(e, RT, true));
    return undefs - before;
}

/* Field positions from the Arm ARM (E2H = 0 layouts of SCTLR_EL2, TCR_EL2,
 * CPTR_EL2, CNTHCTL_EL2 and the EL1 registers), written out here. */
static void test_nvhe_layouts(void **state)
{
    const struct enc sctlr = { 3, 4, 1, 0, 0 }, cptr = { 3, 4, 1, 1, 2 }, tcr = { 3, 4, 2, 0, 2 };
    const struct enc ttbr1 = { 3, 4, 2, 0, 1 }, ctxidr = { 3, 4, 13, 0, 1 }, cnthctl = { 3, 4, 14, 1, 0 };
    const struct enc cntkctl12 = { 3, 5, 14, 1, 0 }, ttbr0 = { 3, 4, 2, 0, 0 };
    const uint64_t sctlr_res1 = 0x30c50830ULL;   /* bits 4, 5, 11, 16, 18, 22, 23, 28, 29 */

    (void)state;
    nested.nvhe = true;
    vcpu->reg_ctx = VCPU_CTX_HYP_NVHE;
    /* SCTLR_EL2: M, C, I, WXN, EE reach SCTLR_EL1; SPAN (bit 23) stays set
     * there; the EL2 name reads what was written, RES1 bits set. */
    msr(sctlr, (1ULL << 0) | (1ULL << 2) | (1ULL << 12) | (1ULL << 19) | (1ULL << 25));
    assert_true((hw_el1[EL1_SCTLR] & 0x2081005ULL) == 0x2081005ULL);
    assert_true(hw_el1[EL1_SCTLR] & (1ULL << 23));
    assert_true(mrs(sctlr) == (0x2081005ULL | sctlr_res1));
    msr(sctlr, 0);
    assert_true((hw_el1[EL1_SCTLR] & 0x2081005ULL) == 0);
    /* TCR_EL2: T0SZ 25, TG0 4K, PS 0b010 [18:16], TBI [20], HPD [24] ->
     * TCR_EL1 T0SZ 25, IPS [34:32] = 0b010, TBI0 [37], HPD0 [41], and
     * EPD1 [23]: no TTBR1 walks. */
    msr(tcr, 25 | (2ULL << 16) | (1ULL << 20) | (1ULL << 24));
    assert_true(hw_el1[EL1_TCR] == (25 | (2ULL << 32) | (1ULL << 37) | (1ULL << 41) | (1ULL << 23) |
                                    (2ULL << 30)));
    assert_true(mrs(tcr) == (25 | (2ULL << 16) | (1ULL << 20) | (1ULL << 24) | (1ULL << 23) | (1ULL << 31)));
    /* CPTR_EL2: TFP [10] set -> CPACR_EL1.FPEN [21:20] = 0; TTA [20] ->
     * CPACR_EL1.TTA [28]; TZ clear -> ZEN [17:16] = 0b11. */
    msr(cptr, (1ULL << 10) | (1ULL << 20));
    assert_true(((hw_el1[EL1_CPACR] >> 20) & 3) == 0);
    assert_true(hw_el1[EL1_CPACR] & (1ULL << 28));
    assert_true(((hw_el1[EL1_CPACR] >> 16) & 3) == 3);
    msr(cptr, 0);
    assert_true(((hw_el1[EL1_CPACR] >> 20) & 3) == 3);
    assert_true(!(hw_el1[EL1_CPACR] & (1ULL << 28)));
    assert_true((mrs(cptr) & 0x32ffULL) == 0x32ffULL);    /* RES1 bits 0-7, 9, 12, 13 */
    /* TTBR0_EL2 has the same home as with E2H = 1. */
    msr(ttbr0, 0x40100000ULL);
    assert_true(hw_el1[EL1_TTBR0] == 0x40100000ULL);
    /* CNTHCTL_EL2 (EL1PCTEN [0], EL1PCEN [1]): kept, the hardware
     * CNTKCTL_EL1 is its guest's and stays as it was. */
    uint64_t cntkctl = hw_el1[EL1_CNTKCTL];
    msr(cnthctl, 3);
    assert_true(mrs(cnthctl) == 3);
    assert_true(hw_el1[EL1_CNTKCTL] == cntkctl);
    /* FEAT_VHE's registers do not exist. */
    assert_int_equal(mrs_undef(ttbr1), 1);
    assert_int_equal(mrs_undef(ctxidr), 1);
    assert_int_equal(mrs_undef(cntkctl12), 1);
    /* Reset (of a vCPU not loaded): the RES1 bits, SCTLR_EL1 and
     * CPACR_EL1 to match in its EL1 file. */
    vcpu->loaded = false;
    nested_el2_reset_nvhe(vcpu);
    assert_true(vcpu->sysreg[VREG_SCTLR_EL2] == sctlr_res1);
    assert_true(vcpu->sysreg[VREG_SCTLR_EL1] & (1ULL << 23));
    assert_true(((vcpu->sysreg[VREG_CPACR_EL1] >> 20) & 3) == 3);
}

/* Its guest at a vEL2 of its own (docs/nested.md §9.23): an EL1- or
 * EL0-named access elvisor traps for itself goes where the hardware would
 * have sent it, the guest hypervisor's page at the Arm ARM's slot (R_CSRPQ,
 * written out here): with HCR_EL2.{NV2,NV} = {1,1}, ACTLR_EL1 and
 * MDSCR_EL1 always, the others only with NV1. */
#define A_NV    (1ULL << 42)
#define A_NV1   (1ULL << 43)
#define A_NV2   (1ULL << 45)
#define NO_SLOT 0xffffu

struct slot_case {
    const char *name;
    struct enc enc;
    unsigned off;           /* NO_SLOT: never redirected */
    bool always;            /* redirected without NV1 too */
};

static const struct slot_case slot_cases[] = {
    { "SCTLR_EL1", { 3, 0, 1, 0, 0 }, 0x110, false },
    { "ACTLR_EL1", { 3, 0, 1, 0, 1 }, 0x118, true },
    { "CPACR_EL1", { 3, 0, 1, 0, 2 }, 0x100, false },
    { "TTBR0_EL1", { 3, 0, 2, 0, 0 }, 0x200, false },
    { "TTBR1_EL1", { 3, 0, 2, 0, 1 }, 0x210, false },
    { "TCR_EL1", { 3, 0, 2, 0, 2 }, 0x120, false },
    { "SPSR_EL1", { 3, 0, 4, 0, 0 }, 0x160, false },
    { "ELR_EL1", { 3, 0, 4, 0, 1 }, 0x230, false },
    { "ESR_EL1", { 3, 0, 5, 2, 0 }, 0x138, false },
    { "FAR_EL1", { 3, 0, 6, 0, 0 }, 0x220, false },
    { "MAIR_EL1", { 3, 0, 10, 2, 0 }, 0x140, false },
    { "VBAR_EL1", { 3, 0, 12, 0, 0 }, 0x250, false },
    { "CONTEXTIDR_EL1", { 3, 0, 13, 0, 1 }, 0x108, false },
    { "MDSCR_EL1", { 2, 0, 0, 2, 2 }, 0x158, true },
    { "CNTV_CTL_EL0", { 3, 3, 14, 3, 1 }, 0x170, false },
    { "CNTV_CVAL_EL0", { 3, 3, 14, 3, 2 }, 0x168, false },
    { "CNTP_CTL_EL0", { 3, 3, 14, 2, 1 }, 0x180, false },
    { "CNTP_CVAL_EL0", { 3, 3, 14, 2, 2 }, 0x178, false },
    /* no slot: TVAL is a view (docs/nested.md §2.4), CNTKCTL_EL1 and
     * TPIDR_EL1 have none, the EL2 and EL12 names are not EL1 names */
    { "CNTV_TVAL_EL0", { 3, 3, 14, 3, 0 }, NO_SLOT, false },
    { "CNTKCTL_EL1", { 3, 0, 14, 1, 0 }, NO_SLOT, false },
    { "TPIDR_EL1", { 3, 0, 13, 0, 4 }, NO_SLOT, false },
    { "ID_AA64MMFR4_EL1", { 3, 0, 0, 7, 4 }, NO_SLOT, false },
    { "HCR_EL2", { 3, 4, 1, 1, 0 }, NO_SLOT, false },
    { "SCTLR_EL12", { 3, 5, 1, 0, 0 }, NO_SLOT, false },
};

static uint32_t key_of(struct enc e)
{
    return (e.op0 << 14) | (e.op1 << 11) | (e.crn << 7) | (e.crm << 3) | e.op2;
}

static void test_l2_vncr_slot(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(slot_cases) / sizeof(slot_cases[0]); i++) {
        const struct slot_case *c = &slot_cases[i];
        uint32_t key = key_of(c->enc);
        uint32_t with_nv1 = nested_l2_vncr_slot(key, A_NV | A_NV1 | A_NV2);
        uint32_t without_nv1 = nested_l2_vncr_slot(key, A_NV | A_NV2);

        if (with_nv1 != c->off)
            fail_msg("%s with NV1: slot 0x%x, want 0x%x", c->name, with_nv1, c->off);
        if (without_nv1 != (c->always ? c->off : NO_SLOT))
            fail_msg("%s without NV1: slot 0x%x", c->name, without_nv1);
        /* NV2 needs NV; without NV2 nothing goes to memory */
        assert_int_equal(nested_l2_vncr_slot(key, A_NV1 | A_NV2), NO_SLOT);
        assert_int_equal(nested_l2_vncr_slot(key, A_NV | A_NV1), NO_SLOT);
        assert_int_equal(nested_l2_vncr_slot(key, 0), NO_SLOT);
    }
}

/* The access itself: its guest's page (here a buffer), Rt, the PC. */
static void test_l2_vncr_access(void **state)
{
    (void)state;
    static uint64_t l1_page[512];
    const struct enc cpacr = { 3, 0, 1, 0, 2 }, cntkctl = { 3, 0, 14, 1, 0 };

    memset(l1_page, 0, sizeof(l1_page));
    vcpu->reg_ctx = VCPU_CTX_NESTED;
    nested.l2_vncr = (uint64_t)(uintptr_t)l1_page;
    vcpu->hcr = A_NV | A_NV1 | A_NV2;
    vcpu->regs.x[RT] = 0x300000;
    vcpu->regs.pc = GUEST_PC;
    assert_true(nested_l2_vncr_access(vcpu, esr_for(cpacr, RT, false)));
    assert_true(l1_page[0x100 / 8] == 0x300000);
    assert_true(vcpu->regs.pc == GUEST_PC + 4);
    l1_page[0x100 / 8] = 0x123;
    assert_true(nested_l2_vncr_access(vcpu, esr_for(cpacr, RT, true)));
    assert_true(vcpu->regs.x[RT] == 0x123);
    /* a register without a slot, or NV1 clear, is elvisor's as before */
    vcpu->regs.pc = GUEST_PC;
    assert_false(nested_l2_vncr_access(vcpu, esr_for(cntkctl, RT, true)));
    vcpu->hcr = A_NV | A_NV2;
    assert_false(nested_l2_vncr_access(vcpu, esr_for(cpacr, RT, false)));
    /* not on a page: its guest does not run at a vEL2 of its own */
    vcpu->hcr = A_NV | A_NV1 | A_NV2;
    nested.l2_vncr = 0;
    assert_false(nested_l2_vncr_access(vcpu, esr_for(cpacr, RT, false)));
    assert_true(vcpu->regs.pc == GUEST_PC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_table_matches_arm_encodings, setup),
        cmocka_unit_test_setup(test_found_by_key_only, setup),
        cmocka_unit_test_setup(test_hw_home, setup),
        cmocka_unit_test_setup(test_nvhe_layouts, setup),
        cmocka_unit_test_setup(test_ich_registers, setup),
        cmocka_unit_test_setup(test_shadow_lr_fold, setup),
        cmocka_unit_test_setup(test_kept_and_fixed, setup),
        cmocka_unit_test_setup(test_vncr_el2, setup),
        cmocka_unit_test_setup(test_icc_sre_el2_gicv2, setup),
        cmocka_unit_test_setup(test_outside_hyp, setup),
        cmocka_unit_test_setup(test_xzr, setup),
        cmocka_unit_test_setup(test_cpacr_name_is_cptr, setup),
        cmocka_unit_test_setup(test_id_registers_vel2, setup),
        cmocka_unit_test_setup(test_unknown_el2_register, setup),
        cmocka_unit_test_setup(test_el1_vcpu_does_not_see_table, setup),
        cmocka_unit_test_setup(test_l2_vncr_slot, setup),
        cmocka_unit_test_setup(test_l2_vncr_access, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
