/* The run step of the scheduler (run/sched.c) against the fake
 * architecture: which vCPU a physical CPU enters, what it loads and puts
 * around the entry, when elvisor's EL2 physical timer (CNTHP, PPI 26) is
 * armed, how a vCPU in WFI is woken by its timer's interrupt, and what a
 * guest's PSCI SYSTEM_RESET and SYSTEM_OFF do to the loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/smccc.h"
#include "core/pcpu.h"
#include "core/sched_policy.h"
#include "core/vm.h"

#define LR0             S3_4_C12_C12_0      /* ICH_LR0_EL2 */
#define LR_STATE_PENDING (1ULL << 62)
#define LR_HW           (1ULL << 61)

static int setup(void **state)
{
    fake_machine(1);
    return 0;
}

static void advance_time(void *regs, void *arg)
{
    fake_reg(cntpct_el0) += (uint64_t)(uintptr_t)arg;
}

static void test_first_entry_loads_the_vcpu_then_enters(void **state)
{
    struct vm *vm = fake_vm("g", 1, NULL, false);
    struct vcpu *v = &vm->vcpus[0];
    int trap, enter;

    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_ptr_equal(fake_last_entered(), &v->regs);
    assert_true(v->loaded);
    assert_ptr_equal(pcpus[0].loaded, v);
    /* Reset by the loop (CPU_ON of the boot vCPU): entry point, x0 = DTB. */
    assert_int_equal(v->regs.pc, RAW_ENTRY);
    assert_int_equal(v->regs.x[0], vm->dtb_ipa);
    /* Its HCR and its stage 2 under a VMID of its own, before the entry. */
    assert_int_equal(fake_reg(hcr_el2), v->hcr);
    assert_int_equal(fake_reg(vttbr_el2) & ((1ULL << 48) - 1), vm->s2.root);
    assert_true(fake_reg(vttbr_el2) >> 48 != 0);
    /* Lazy FP/SIMD: nothing moves before the entry, FP/SIMD traps until
     * the guest first uses it. */
    enter = fake_log_find("guest enter", 0);
    trap = fake_log_find("fp trap on", 0);
    assert_true(trap >= 0 && trap < enter);
    assert_int_equal(fake_log_find("fpsimd restore", 0), -1);
    assert_true(fake_log_find("msr hcr_el2", 0) < enter);
    /* Alone on its CPU: no time slice, elvisor's timer never armed. */
    assert_int_equal(fake_log_count("msr cnthp_ctl_el2"), 0);
}

/* Two VMs on one CPU: 10 ms slices, the EL2 timer set to the slice's end,
 * and at its interrupt the other vCPU runs, the first one put. */
static void test_two_vcpus_on_one_cpu_take_turns_at_the_slice_end(void **state)
{
    struct vm *a = fake_vm("a", 1, NULL, false);
    struct vm *b = fake_vm("b", 1, NULL, false);
    uint64_t start = fake_reg(cntpct_el0);
    uint64_t slice = fake_reg(cntfrq_el0) * SCHED_SLICE_US / 1000000;

    fake_exit_push(&(struct fake_exit){ .code = EXIT_IRQ, .intid = PPI_HYP_TIMER,
                                        .guest = advance_time, .arg = (void *)(uintptr_t)(slice + 1) });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(fake_nr_entries(), 2);
    assert_ptr_equal(fake_last_entered(), &b->vcpus[0].regs);
    assert_false(a->vcpus[0].loaded);
    assert_true(b->vcpus[0].loaded);
    /* Neither touched FP/SIMD: the switch moved none of its registers. */
    assert_int_equal(fake_log_count("fpsimd save"), 0);
    assert_int_equal(fake_log_count("fpsimd restore"), 0);
    /* The first slice's end was programmed before the first entry. */
    int armed = fake_log_find("msr cnthp_cval_el2", 0);
    assert_true(armed >= 0 && armed < fake_log_find("guest enter", 0));
    assert_int_equal(strtoull(fake_log_at((unsigned)armed) + strlen("msr cnthp_cval_el2 "), NULL, 16),
                     start + slice);
    /* And the tick was taken: the timer stopped at its interrupt. */
    assert_true(fake_log_find("msr cnthp_ctl_el2 0x0", (unsigned)armed) >= 0);
    assert_true(fake_log_find("gic deactivate 26", 0) >= 0);
}

/* A slice that has not ended: the tick is not the slice's, the same vCPU
 * goes on, nothing is put. */
static void test_an_interrupt_inside_the_slice_keeps_the_vcpu(void **state)
{
    struct vm *a = fake_vm("a", 1, NULL, false);

    fake_vm("b", 1, NULL, false);
    fake_exit_irq(SGI_KICK);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(fake_nr_entries(), 2);
    assert_ptr_equal(fake_last_entered(), &a->vcpus[0].regs);
    assert_int_equal(fake_log_count("fpsimd save"), 0);
}

/* WFI with the virtual timer armed: the CPU sleeps; the timer's PPI 27
 * wakes it, is forwarded to the vCPU through a list register with the HW
 * bit (pINTID 27), stays active at the GIC for the guest to deactivate,
 * and the vCPU runs again. */
static void test_wfi_is_woken_by_the_forwarded_virtual_timer(void **state)
{
    struct vm *vm = fake_vm("g", 1, NULL, false);
    struct vcpu *v = &vm->vcpus[0];
    uint64_t lr;

    fake_guest_takes_ppi(27);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_WFX, 0) });
    assert_int_equal(fake_loop(0), FAKE_STOP_IDLE);
    assert_int_equal(v->wait, VCPU_WAIT_WFI);
    assert_int_equal(fake_nr_entries(), 5);

    fake_gic_raise(27);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->wait, VCPU_RUNNING);
    assert_int_equal(fake_nr_entries(), 6);
    assert_int_equal(v->regs.pc, RAW_ENTRY + 5 * 4);
    lr = fake_reg(LR0);
    assert_int_equal(lr & ICH_LR_EL2_vINTID_MASK, 27);
    assert_true(lr & LR_HW);
    assert_true(lr & LR_STATE_PENDING);
    assert_int_equal((lr & ICH_LR_EL2_pINTID_MASK) >> ICH_LR_EL2_pINTID_SHIFT, 27);
    assert_true(fake_log_find("gic drop 27", 0) >= 0);
    assert_int_equal(fake_log_find("gic deactivate 27", 0), -1);
}

/* SYSTEM_RESET: the VM is reset and its boot vCPU starts again at the
 * kernel's entry with x0 = the DTB, the same vCPU, the others off. */
static void test_system_reset_restarts_the_boot_vcpu(void **state)
{
    struct vm *vm = fake_vm("g", 1, NULL, false);
    struct vcpu *v = &vm->vcpus[0];

    fake_exit_sync(fake_esr(EC_WFX, 1));
    fake_exit_hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(vm->state, VM_RUNNING);
    assert_int_equal(fake_nr_entries(), 3);
    assert_int_equal(v->regs.pc, RAW_ENTRY);
    assert_int_equal(v->regs.x[0], vm->dtb_ipa);
    assert_true(fake_console_has("vm g: reset by the guest"));
}

/* The machine powers off once per program: this is the test that does. */
static void test_the_last_vm_powering_off_powers_the_machine_off(void **state)
{
    struct vm *a = fake_vm("a", 1, NULL, false);
    struct vm *b = fake_vm("b", 1, NULL, false);

    fake_exit_hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
    fake_exit_hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
    assert_int_equal(fake_loop(0), FAKE_STOP_POWER_OFF);
    assert_int_equal(a->state, VM_OFF);
    assert_int_equal(b->state, VM_OFF);
    assert_int_equal(fake_nr_entries(), 2);
    assert_true(fake_console_has("elvisor-exit: 0 all VMs are down"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_first_entry_loads_the_vcpu_then_enters, setup),
        cmocka_unit_test_setup(test_two_vcpus_on_one_cpu_take_turns_at_the_slice_end, setup),
        cmocka_unit_test_setup(test_an_interrupt_inside_the_slice_keeps_the_vcpu, setup),
        cmocka_unit_test_setup(test_wfi_is_woken_by_the_forwarded_virtual_timer, setup),
        cmocka_unit_test_setup(test_system_reset_restarts_the_boot_vcpu, setup),
        cmocka_unit_test_setup(test_the_last_vm_powering_off_powers_the_machine_off, setup),
    };
    return cmocka_run_group_tests_name("run loop on the fake arch", tests, NULL, NULL);
}
