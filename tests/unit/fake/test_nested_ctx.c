/* The switch between a guest hypervisor's hyp context and its guest's
 * nested context (nested/ctx.c) against the fake architecture. The
 * hardware EL1 registers hold whichever context runs: L1's EL2 state (its
 * EL1-layout EL2 registers) in hyp context, L2's EL1 registers while L2
 * runs, which L1 keeps in its VNCR page otherwise. An exception from L2
 * to L1 is taken as the Arm ARM takes one from a lower EL to EL2 (AArch64
 * lower-EL synchronous vector VBAR_EL2 + 0x400, IRQ + 0x480; ELR_EL2 = the
 * preferred return address, SPSR_EL2 = the PSTATE it came from), with
 * NV2 putting ELR/SPSR/ESR_EL2 in the hardware EL1 registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "core/vm.h"
#include "nested/nested.h"
#include "nested/s2_walk.h"

#define L1_VBAR     0x40200000ULL
#define L1_SCTLR    0x30d01805ULL
#define L2_SCTLR    0x30d00800ULL
#define L2_VBAR     0x80000ULL
#define L2_PC       0x81234ULL
#define L2_PSTATE   (PSR_MODE_EL1h | PSR_DAIF)

static struct vm *vm;
static struct vcpu *v;
static struct vcpu_nested *n;

/* An L1 vCPU loaded in hyp context, its EL2 registers in the hardware. */
static int setup(void **state)
{
    v = fake_one_vcpu("l1", true);
    vm = v->vm;
    n = v->nested;
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(v));
    el1_write(EL1_VBAR, L1_VBAR);
    el1_write(EL1_SCTLR, L1_SCTLR);
    vncr_write(v, VNCR_SCTLR_EL1, L2_SCTLR);
    vncr_write(v, VNCR_VBAR_EL1, L2_VBAR);
    return 0;
}

static uint16_t vmid_of(uint64_t vttbr)
{
    return (uint16_t)(vttbr >> 48);
}

static void enter_l2(void)
{
    nested_enter_l2(v, HCR_EL2_VM, vm->s2.root, &vm->l2_vmid, L2_PC, L2_PSTATE);
}

static void test_entering_l2_puts_its_el1_registers_in_the_hardware(void **state)
{
    uint16_t l1_vmid = vmid_of(fake_reg(vttbr_el2));

    enter_l2();
    assert_false(nested_in_hyp(v));
    assert_int_equal(el1_read(EL1_SCTLR), L2_SCTLR);
    assert_int_equal(el1_read(EL1_VBAR), L2_VBAR);
    assert_int_equal(v->regs.pc, L2_PC);
    assert_int_equal(v->regs.pstate, L2_PSTATE);
    assert_int_equal(fake_reg(hcr_el2), nested_l2_hcr(n->guest_hcr, HCR_EL2_VM));
    assert_int_equal(v->hcr, fake_reg(hcr_el2));
    /* Both contexts are EL1&0 regimes to the hardware: distinct VMIDs, or
     * one's translations would be hit by the other. */
    assert_true(vmid_of(fake_reg(vttbr_el2)) != 0);
    assert_true(vmid_of(fake_reg(vttbr_el2)) != l1_vmid);
    assert_int_equal(fake_reg(vttbr_el2) & ((1ULL << 48) - 1), vm->s2.root);
}

/* L1's CPTR_EL2 FPEN lives in the hardware CPACR_EL1 in hyp context and
 * in the saved copy while L2 runs (with L2's own CPACR_EL1 in the hardware). */
static void test_l1s_fp_trap_is_read_from_its_cpacr_in_both_contexts(void **state)
{
    el1_write(EL1_CPACR, 0);                        /* FPEN 0b00: traps */
    vncr_write(v, VNCR_CPACR_EL1, 3ULL << 20);      /* L2's own: FP free */
    assert_true(nested_l2_cptr_traps(v) & NESTED_CPTR_TFP);
    enter_l2();
    assert_int_equal(el1_read(EL1_CPACR), 3ULL << 20);
    assert_true(nested_l2_cptr_traps(v) & NESTED_CPTR_TFP);
    nested_exit_to_vel2(v, fake_esr(EC_FP_ASIMD, 0));
    el1_write(EL1_CPACR, 3ULL << 20);               /* L1 opens FPEN */
    assert_false(nested_l2_cptr_traps(v) & NESTED_CPTR_TFP);
    vncr_write(v, VNCR_CPACR_EL1, 0);
    enter_l2();
    assert_false(nested_l2_cptr_traps(v) & NESTED_CPTR_TFP);
}

static void test_an_exit_to_vel2_goes_to_l1s_lower_el_sync_vector(void **state)
{
    uint64_t esr = fake_esr(EC_HVC64, 7);

    enter_l2();
    el1_write(EL1_SCTLR, L2_SCTLR | SCTLR_EL2_I);     /* L2 changed its own SCTLR */
    nested_exit_to_vel2(v, esr);
    assert_true(nested_in_hyp(v));
    assert_int_equal(v->regs.pc, L1_VBAR + 0x400);
    assert_int_equal(v->regs.pstate & PSR_MODE_MASK, PSR_MODE_EL1h);   /* vEL2h runs at EL1h */
    assert_true((v->regs.pstate & PSR_DAIF) == PSR_DAIF);
    assert_int_equal(el1_read(EL1_ELR), L2_PC);
    assert_int_equal(el1_read(EL1_ESR), esr);
    /* L1's registers back; L2's as L2 left them, in the page. */
    assert_int_equal(el1_read(EL1_SCTLR), L1_SCTLR);
    assert_int_equal(el1_read(EL1_VBAR), L1_VBAR);
    assert_int_equal(vncr_read(v, VNCR_SCTLR_EL1), L2_SCTLR | SCTLR_EL2_I);
    assert_int_equal(fake_reg(hcr_el2), nested_hyp_hcr(n->guest_hcr, n->nvhe));
    assert_int_equal(fake_reg(vttbr_el2), vm_vttbr(vm));
}

static void test_an_irq_to_vel2_goes_to_the_irq_vector_and_keeps_esr(void **state)
{
    enter_l2();
    el1_write(EL1_ESR, 0x1234);
    nested_irq_to_vel2(v);
    assert_int_equal(v->regs.pc, L1_VBAR + 0x480);
    assert_int_equal(el1_read(EL1_ELR), L2_PC);
    assert_int_equal(el1_read(EL1_SCTLR), L1_SCTLR);
}

/* An FIQ goes to the FIQ vector (VBAR_EL2 + 0x500), in L1's context. */
static void test_an_fiq_to_vel2_goes_to_the_fiq_vector(void **state)
{
    enter_l2();
    nested_fiq_to_vel2(v);
    assert_int_equal(v->regs.pc, L1_VBAR + 0x500);
    assert_int_equal(el1_read(EL1_ELR), L2_PC);
    assert_int_equal(el1_read(EL1_SCTLR), L1_SCTLR);
}

/* A VHE L1's CPTR_EL2 TAM and TCPAC are kept aside (the hardware
 * CPACR_EL1 has no such bits), TTA with FPEN in its CPACR_EL1: all count
 * in both contexts. */
static void test_l1s_cptr_traps_combine_its_cpacr_and_the_bits_kept_aside(void **state)
{
    el1_write(EL1_CPACR, (3ULL << 20) | (1ULL << 28));     /* FP free, TTA */
    vcpu_cell_write(v, VREG_CPTR_EL2, 1ULL << 31);          /* TCPAC */
    assert_int_equal(nested_l2_cptr_traps(v), NESTED_CPTR_TTA | NESTED_CPTR_TCPAC);
    enter_l2();
    assert_int_equal(nested_l2_cptr_traps(v), NESTED_CPTR_TTA | NESTED_CPTR_TCPAC);
    vcpu_cell_write(v, VREG_CPTR_EL2, 1ULL << 30);          /* TAM */
    assert_int_equal(nested_l2_cptr_traps(v), NESTED_CPTR_TTA | NESTED_CPTR_TAM);
}

/* Every register the switch moves, by el1_regs.c's names (the switch
 * itself spells out each one's encoding: a wrong one shows here) and its
 * VNCR slot; CNTKCTL_EL1 has none (a cell: VREG_CNTKCTL_EL12). */
static const struct {
    enum el1_reg reg;
    unsigned slot;
} switched[] = {
    { EL1_SCTLR, VNCR_SCTLR_EL1 }, { EL1_CPACR, VNCR_CPACR_EL1 }, { EL1_TTBR0, VNCR_TTBR0_EL1 },
    { EL1_TTBR1, VNCR_TTBR1_EL1 }, { EL1_TCR, VNCR_TCR_EL1 }, { EL1_ESR, VNCR_ESR_EL1 },
    { EL1_AFSR0, VNCR_AFSR0_EL1 }, { EL1_AFSR1, VNCR_AFSR1_EL1 }, { EL1_FAR, VNCR_FAR_EL1 },
    { EL1_MAIR, VNCR_MAIR_EL1 }, { EL1_AMAIR, VNCR_AMAIR_EL1 }, { EL1_VBAR, VNCR_VBAR_EL1 },
    { EL1_CONTEXTIDR, VNCR_CONTEXTIDR_EL1 }, { EL1_ELR, VNCR_ELR_EL1 }, { EL1_SPSR, VNCR_SPSR_EL1 },
    { EL1_SP_EL1, VNCR_SP_EL1 }, { EL1_MDSCR, VNCR_MDSCR_EL1 },
};
#define NR_SWITCHED     (sizeof(switched) / sizeof(switched[0]))
#define L1_VALUE(i)     (0x1100 + (i))
#define L2_VALUE(i)     (0x2200 + (i))
#define L2_LATER(i)     (0x3300 + (i))
#define CNTKCTL_L1      0x11ff
#define CNTKCTL_L2      0x22ff
#define CNTKCTL_L2_LATER 0x33ff

/* Each register: L2's value from its slot into the hardware at the ERET,
 * L1's kept; what L2 left in the hardware back into the slot at the exit,
 * L1's in the hardware again (ELR, SPSR and ESR_EL2 then hold the
 * exception's, not L1's old ones). */
static void test_every_switched_register_goes_to_its_own_place_and_back(void **state)
{
    uint64_t esr = fake_esr(EC_HVC64, 1);

    for (unsigned i = 0; i < NR_SWITCHED; i++) {
        el1_write(switched[i].reg, L1_VALUE(i));
        vncr_write(v, switched[i].slot, L2_VALUE(i));
    }
    el1_write(EL1_CNTKCTL, CNTKCTL_L1);
    v->sysreg[VREG_CNTKCTL_EL12] = CNTKCTL_L2;
    enter_l2();
    for (unsigned i = 0; i < NR_SWITCHED; i++) {
        assert_int_equal(el1_read(switched[i].reg), L2_VALUE(i));
        el1_write(switched[i].reg, L2_LATER(i));
    }
    assert_int_equal(el1_read(EL1_CNTKCTL), CNTKCTL_L2);
    el1_write(EL1_CNTKCTL, CNTKCTL_L2_LATER);
    nested_exit_to_vel2(v, esr);
    for (unsigned i = 0; i < NR_SWITCHED; i++) {
        assert_int_equal(vncr_read(v, switched[i].slot), L2_LATER(i));
        if (switched[i].reg == EL1_ELR)
            assert_int_equal(el1_read(EL1_ELR), L2_PC);
        else if (switched[i].reg == EL1_ESR)
            assert_int_equal(el1_read(EL1_ESR), esr);
        else if (switched[i].reg != EL1_SPSR)
            assert_int_equal(el1_read(switched[i].reg), L1_VALUE(i));
    }
    assert_int_equal(el1_read(EL1_SPSR), L2_PSTATE);
    assert_int_equal(el1_read(EL1_CNTKCTL), CNTKCTL_L1);
    assert_int_equal(v->sysreg[VREG_CNTKCTL_EL12], CNTKCTL_L2_LATER);
}

static uint64_t at_va;

static void record_at(uint64_t va)
{
    at_va = va;
    fake_log("at 0x%llx", (unsigned long long)va);
}

/* L1 asks for a translation in its guest's regime: elvisor runs it with
 * L2's MMU registers and L2's VMID in place, then puts L1's back. */
static void test_an_address_translation_for_l2_runs_in_l2s_regime(void **state)
{
    int at, sctlr_l2, sctlr_back;

    fake_log_clear();
    nested_at_in_l2(v, record_at, 0x4000, false);
    at = fake_log_find("at 0x4000", 0);
    assert_true(at >= 0);
    sctlr_l2 = fake_log_find("msr s3_5_c1_c0_0 0x30d00800", 0);
    sctlr_back = fake_log_find("msr s3_5_c1_c0_0 0x30d01805", (unsigned)at);
    assert_true(sctlr_l2 >= 0 && sctlr_l2 < at);
    assert_true(sctlr_back > at);
    /* The regime's VMID, the nested context's, when the walk ran. */
    int vttbr = -1;
    for (int i = fake_log_find("msr vttbr_el2", 0); i >= 0 && i < at; i = fake_log_find("msr vttbr_el2", (unsigned)i + 1))
        vttbr = i;
    assert_true(vttbr >= 0);
    assert_int_equal(vmid_of(strtoull(fake_log_at((unsigned)vttbr) + strlen("msr vttbr_el2 "), NULL, 16)),
                     vmid_last(&vm->l2_vmid));
    assert_true(vmid_last(&vm->l2_vmid) != vmid_last(&vm->vmid));
    assert_int_equal(el1_read(EL1_SCTLR), L1_SCTLR);
    assert_int_equal(fake_reg(vttbr_el2), vm_vttbr(vm));
    assert_int_equal(at_va, 0x4000);
}

/* The guest hypervisor's ERET and its guest's HVC through the real run
 * loop: the ERET (EC 0x1a) with SPSR_EL2 = EL1h enters L2 at ELR_EL2; the
 * HVC L2 then executes is L1's to handle (HCR_EL2.HCD clear), so it comes
 * back as an exception at VBAR_EL2 + 0x400 with ESR_EL2 = the HVC's. */
static void l1_erets_to_l2(void *regs, void *arg)
{
    el1_write(EL1_ELR, L2_PC);      /* its ELR_EL2 under NV2 */
    el1_write(EL1_SPSR, L2_PSTATE); /* its SPSR_EL2 */
    vncr_write(v, VNCR_HCR_EL2, HCR_EL2_RW);
}

static void test_l1s_eret_runs_l2_and_l2s_hvc_returns_to_l1(void **state)
{
    uint64_t hvc = fake_esr(EC_HVC64, 5);

    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_erets_to_l2 });
    fake_exit_sync(hvc);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(v));
    assert_int_equal(v->regs.pc, L1_VBAR + 0x400);
    assert_int_equal(el1_read(EL1_ESR), hvc);
    assert_int_equal(el1_read(EL1_ELR), L2_PC);
    assert_int_equal(el1_read(EL1_SPSR) & PSR_MODE_MASK, PSR_MODE_EL1h);
    assert_int_equal(el1_read(EL1_SCTLR), L1_SCTLR);
    /* L2 ran between the two exits, on its own registers. */
    assert_int_equal(fake_log_count("guest enter"), 4);
    assert_true(fake_log_find("msr s3_5_c1_c0_0 0x30d00800", 0) >= 0);
}

/* An exception elvisor gives the guest hypervisor in vEL2 (an ERETAA:
 * pointer authentication is hidden) is taken to its own EL2: its
 * ELR/SPSR/ESR_EL2 are the hardware EL1 registers, its VBAR_EL2 decides
 * where; its guest's registers in the page stay as they were. */
static void test_an_undef_in_vel2_is_taken_to_its_own_el2(void **state)
{
    uint64_t pc = v->regs.pc;

    vncr_write(v, VNCR_ELR_EL1, L2_PC);
    vncr_write(v, VNCR_ESR_EL1, 0x77);
    fake_exit_sync(fake_esr(EC_ERET, 1u << 1));    /* ISS.ERETA */
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(v));
    assert_int_equal(el1_read(EL1_ELR), pc);
    assert_int_equal(el1_read(EL1_ESR) >> ESR_EC_SHIFT, EC_UNKNOWN);
    assert_int_equal(v->regs.pc, L1_VBAR + 0x200);
    assert_int_equal(vncr_read(v, VNCR_ELR_EL1), L2_PC);
    assert_int_equal(vncr_read(v, VNCR_ESR_EL1), 0x77);
}

/* A permission fault of L2 on the shadow stage 2 (L1 mapped the page
 * read-only): HPFAR_EL2 need not hold the IPA then (Arm ARM), so elvisor
 * translates FAR through L2's stage 1 (AT S1E1R, whose answer it reads in
 * PAR_EL1) and walks L1's stage 2 at that IPA. L1's tables have dropped
 * the page since (its level-1 table is empty), so the fault goes to L1 as
 * its own hardware would give it: a stage-2 translation fault at the IPA
 * of the access, not at whatever HPFAR_EL2 held. */
#define L2_FAULT_VA     0xffff000012345678ULL
#define L2_FAULT_IPA    0x40123000ULL
#define L1_S2_ROOT_OFF  0x100000ULL
#define VTCR_4K_39BIT_L1 (25ULL | (1ULL << 6) | (2ULL << 16))  /* T0SZ 25, SL0 1, PS 40 bits */

static void l1_erets_to_l2_with_stage2(void *regs, void *arg)
{
    l1_erets_to_l2(regs, arg);
    vncr_write(v, VNCR_HCR_EL2, HCR_EL2_RW | HCR_EL2_VM);
}

static void l2_stage1_gives_the_ipa(void *regs, void *arg)
{
    fake_reg(par_el1) = L2_FAULT_IPA;
}

static void test_a_permission_fault_of_l2_takes_its_ipa_from_its_stage1(void **state)
{
    uint64_t perm_write = fake_esr(EC_DABT_LOW, ESR_DABT_WNR | ESR_FSC_PERM | 3);

    memset((void *)(uintptr_t)(vm->ram_pa + L1_S2_ROOT_OFF), 0, 4096);
    vncr_reg_write(v, VREG_VTCR_EL2, VTCR_4K_39BIT_L1);
    vncr_reg_write(v, VREG_VTTBR_EL2, vm->ram_ipa + L1_S2_ROOT_OFF);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_erets_to_l2_with_stage2 });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = perm_write, .far = L2_FAULT_VA,
                                        .hpfar = 0x7770, .guest = l2_stage1_gives_the_ipa });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(fake_log_find("at c7, c8, 0 0xffff000012345678", 0) >= 0);
    assert_true(nested_in_hyp(v));
    assert_int_equal(v->regs.pc, L1_VBAR + 0x400);
    assert_int_equal(ESR_EC(el1_read(EL1_ESR)), EC_DABT_LOW);
    assert_int_equal(el1_read(EL1_ESR) & ESR_FSC_MASK, ESR_FSC_TRANS | 1);
    assert_int_equal(el1_read(EL1_FAR), L2_FAULT_VA);
    assert_int_equal(vcpu_cell_read(v, VREG_HPFAR_EL2), ns2_hpfar(L2_FAULT_IPA));
    assert_int_equal(vm->state, VM_RUNNING);
}

/* Linux's KVM as a VHE guest hypervisor writes its CPTR_EL2 through the
 * CPACR_EL1 name at every entry to its guest and every exit from it. The
 * write traps (TCPAC) and is handled on the exit fast path: the vCPU
 * enters again with its GIC state left in the hardware (no ICH_HCR_EL2
 * write between the two entries), TCPAC kept aside, FPEN in the hardware
 * CPACR_EL1 (written through its _EL12 name). The HVC after it takes the
 * run loop's way. */
static void test_its_cptr_through_cpacr_is_a_fast_exit(void **state)
{
    int first, second;

    fake_log_clear();
    fake_exit_msr(0, 1, 0, 2, 3, (1ULL << 31) | (3ULL << 20));     /* TCPAC, FPEN */
    fake_exit_sync(fake_esr(EC_HVC64, 0));
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    first = fake_log_find("guest enter", 0);
    second = fake_log_find("guest enter", (unsigned)first + 1);
    assert_true(first >= 0 && second > first);
    assert_int_equal(fake_log_find("msr s3_5_c1_c0_2 0x300000", (unsigned)first), first + 1);
    assert_int_equal(second, first + 2);
    assert_true(fake_log_find("msr s3_4_c12_c11_0", (unsigned)second) > second);   /* the HVC's way */
    assert_int_equal(vcpu_cell_read(v, VREG_CPTR_EL2) & (1ULL << 31), 1ULL << 31);
    assert_int_equal(v->nr_exits, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_entering_l2_puts_its_el1_registers_in_the_hardware, setup),
        cmocka_unit_test_setup(test_an_exit_to_vel2_goes_to_l1s_lower_el_sync_vector, setup),
        cmocka_unit_test_setup(test_l1s_fp_trap_is_read_from_its_cpacr_in_both_contexts, setup),
        cmocka_unit_test_setup(test_an_irq_to_vel2_goes_to_the_irq_vector_and_keeps_esr, setup),
        cmocka_unit_test_setup(test_an_fiq_to_vel2_goes_to_the_fiq_vector, setup),
        cmocka_unit_test_setup(test_l1s_cptr_traps_combine_its_cpacr_and_the_bits_kept_aside, setup),
        cmocka_unit_test_setup(test_every_switched_register_goes_to_its_own_place_and_back, setup),
        cmocka_unit_test_setup(test_an_address_translation_for_l2_runs_in_l2s_regime, setup),
        cmocka_unit_test_setup(test_l1s_eret_runs_l2_and_l2s_hvc_returns_to_l1, setup),
        cmocka_unit_test_setup(test_an_undef_in_vel2_is_taken_to_its_own_el2, setup),
        cmocka_unit_test_setup(test_a_permission_fault_of_l2_takes_its_ipa_from_its_stage1, setup),
        cmocka_unit_test_setup(test_its_cptr_through_cpacr_is_a_fast_exit, setup),
    };
    return cmocka_run_group_tests_name("nested context switch on the fake arch", tests, NULL, NULL);
}
