/* elvisor's register accesses as a VHE and as a non-VHE CPU runs them
 * (arch/fake/vhe.c): with HCR_EL2.E2H = 1 an EL1 register name used at
 * EL2 reaches the EL2 register, so elvisor must reach a guest's EL1 state
 * by the _EL12/_EL02 names; with E2H = 0 those names are UNDEFINED and the
 * EL1 names are the guest's. The guest, at EL1, always reaches its own EL1
 * registers. Checked through the exit path (an injected abort: ESR, ELR,
 * SPSR, FAR written and VBAR read for the guest, not for elvisor) on both
 * kinds of CPU, and through a guest hypervisor's trapped access to one of
 * its vEL2 registers, whose hardware home in its hyp context is the EL1
 * register (docs/nested.md): the value must land there, not in elvisor's
 * own EL2 register. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/hyp.h"
#include "core/vm.h"
#include "nested/nested.h"

#define GUEST_VBAR      0x40010000ULL
#define ELVISOR_VBAR    0xffff800000001000ULL
#define ELVISOR_ELR     0xffff800000002000ULL
#define NO_DEVICE_IPA   0x0b000000ULL
/* op1, CRn, CRm, op2 of VBAR_EL2 (op0 3). */
#define VBAR_EL2_ENC    4, 12, 0, 0
#define L1_VBAR         0x40200800ULL

/* What the guest, at EL1, does: VBAR_EL1 is its own whatever E2H is. */
static void guest_sets_vbar(void *regs, void *arg)
{
    fake_reg(vbar_el1) = GUEST_VBAR;
}

static struct vcpu *machine(bool vhe)
{
    fake_machine(1);
    fake_set_vhe(vhe);
    /* elvisor's own EL2 state, which nothing done for a guest may touch. */
    fake_reg(vbar_el2) = ELVISOR_VBAR;
    return &fake_vm("g", 1, NULL, false)->vcpus[0];
}

static void injected_abort_lands_in_the_guests_el1_registers(bool vhe)
{
    struct vcpu *v = machine(vhe);

    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .guest = guest_sets_vbar,
                                        .esr = fake_esr(EC_DABT_LOW, ESR_DABT_ISV | (2ULL << ESR_DABT_SAS_SHIFT)),
                                        .far = 0x1234, .hpfar = (NO_DEVICE_IPA >> 12) << 4 });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(fake_e2h(), vhe);
    assert_int_equal(v->regs.pc, GUEST_VBAR + 0x200);
    assert_int_equal(ESR_EC(fake_reg(esr_el1)), EC_DABT_CUR);
    assert_int_equal(fake_reg(far_el1), 0x1234);
    assert_int_equal(fake_reg(elr_el1), RAW_ENTRY);
    assert_int_equal(fake_reg(spsr_el1) & PSR_MODE_MASK, PSR_MODE_EL1h);
    /* elvisor's own: the syndrome it was given, its vectors. */
    assert_int_equal(ESR_EC(fake_reg(esr_el2)), EC_DABT_LOW);
    assert_int_equal(fake_reg(far_el2), 0x1234);
    assert_int_equal(fake_reg(vbar_el2), ELVISOR_VBAR);
    assert_int_equal(fake_reg(elr_el2), 0);
    assert_int_equal(fake_reg(spsr_el2), 0);
}

static void test_an_injected_abort_lands_in_the_guests_el1_registers_with_vhe(void **state)
{
    injected_abort_lands_in_the_guests_el1_registers(true);
}

/* The whole run loop on a non-VHE CPU: an _EL12/_EL02 name anywhere on
 * the path (load, entry, exit, injection, put) would stop the program. */
static void test_an_injected_abort_lands_in_the_guests_el1_registers_without_vhe(void **state)
{
    injected_abort_lands_in_the_guests_el1_registers(false);
}

/* A guest hypervisor (E2H = 1 in its virtual HCR_EL2) in its hyp context
 * writes VBAR_EL2 through a trap: its hardware home is VBAR_EL1, reached
 * by elvisor as VBAR_EL12. Read back through the trap, and moved to L1's
 * saved state (the hardware then running L2's VBAR_EL1) by the entry to
 * L2, and back by the exit to vEL2. */
static void test_a_vel2_vbar_write_reaches_l1s_hardware_home_not_elvisors(void **state)
{
    struct vcpu *h;
    struct vm *l1;
    struct vcpu_nested *n;

    fake_machine(1);
    fake_reg(vbar_el2) = ELVISOR_VBAR;
    fake_reg(elr_el2) = ELVISOR_ELR;
    l1 = fake_vm("l1", 1, NULL, true);
    h = &l1->vcpus[0];
    n = h->nested;
    fake_exit_msr(VBAR_EL2_ENC, 5, L1_VBAR);
    fake_exit_mrs(VBAR_EL2_ENC, 6);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(h));
    assert_false(n->nvhe);
    assert_int_equal(h->regs.x[6], L1_VBAR);
    assert_int_equal(fake_reg(vbar_el1), L1_VBAR);
    assert_int_equal(fake_reg(vbar_el2), ELVISOR_VBAR);

    vncr_write(h, VNCR_VBAR_EL1, 0x80000);
    nested_enter_l2(h, HCR_EL2_VM, l1->s2.root, &l1->l2_vmid, 0x81000, PSR_MODE_EL1h);
    assert_int_equal(fake_reg(vbar_el1), 0x80000);
    assert_int_equal(fake_reg(vbar_el2), ELVISOR_VBAR);
    nested_exit_to_vel2(h, fake_esr(EC_HVC64, 0));
    assert_int_equal(fake_reg(vbar_el1), L1_VBAR);
    /* The exception to vEL2 went to L1's vector, not elvisor's. */
    assert_int_equal(h->regs.pc, L1_VBAR + 0x400);
    assert_int_equal(fake_reg(vbar_el2), ELVISOR_VBAR);
    /* L1's ELR_EL2 (L2's return address) is in its home, ELR_EL1. */
    assert_int_equal(fake_reg(elr_el1), 0x81000);
    assert_int_equal(fake_reg(elr_el2), ELVISOR_ELR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_injected_abort_lands_in_the_guests_el1_registers_with_vhe),
        cmocka_unit_test(test_an_injected_abort_lands_in_the_guests_el1_registers_without_vhe),
        cmocka_unit_test(test_a_vel2_vbar_write_reaches_l1s_hardware_home_not_elvisors),
    };
    return cmocka_run_group_tests_name("elvisor's register names on VHE and non-VHE CPUs", tests, NULL, NULL);
}
