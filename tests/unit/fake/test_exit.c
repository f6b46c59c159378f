/* The exit path against the fake architecture: the real run loop enters a
 * VM's vCPU, the "guest" takes a scripted exit, and trap/exit.c's table
 * decides what it means. What the guest sees afterwards (its registers,
 * the exception it is sent to) is checked against the Arm ARM:
 * an HVC's preferred return is the next instruction (ELR_EL2 already past
 * it), a trapped SMC's is the SMC itself, an emulated load writes its Rt
 * and steps over the instruction, an external abort on a data access is
 * taken to VBAR_EL1 + 0x200 with EC 0x25 and FAR_EL1 set, an UNDEFINED
 * instruction with EC 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/smccc.h"
#include "core/pcpu.h"
#include "core/vm.h"

#define GUEST_VBAR      0x40010000ULL

static struct vm *vm;
static struct vcpu *v;

static int setup(void **state)
{
    v = fake_one_vcpu("g", false);
    vm = v->vm;
    return 0;
}

/* The guest installs its vector table before anything can fault. */
static void guest_sets_vbar(void *regs, void *arg)
{
    el1_write(EL1_VBAR, GUEST_VBAR);
}

static void test_hvc_psci_version_returns_in_x0_at_next_instruction(void **state)
{
    fake_exit_hvc(PSCI_VERSION, 0, 0, 0);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    /* Entered, exited, entered again with nothing left to do. */
    assert_int_equal(fake_nr_entries(), 2);
    assert_ptr_equal(fake_last_entered(), &v->regs);
    assert_int_equal(v->regs.x[0], PSCI_VERSION_1_1);
    assert_int_equal(v->regs.pc, RAW_ENTRY);
    assert_int_equal(v->nr_sync_exits[EC_HVC64], 1);
}

static void test_smc_is_smccc_too_and_steps_over_the_smc(void **state)
{
    fake_exit_smccc(EC_SMC64, SMCCC_VERSION, 0, 0, 0);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->regs.x[0], SMCCC_VERSION_1_1);
    assert_int_equal(v->regs.pc, RAW_ENTRY + 4);
}

static void test_mmio_load_reaches_the_device_and_writes_rt(void **state)
{
    fake_exit_mmio(VIRT_GICD_BASE + 0x8 /* GICD_IIDR */, 4, 7, false, 0);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    /* A 32-bit load zero-extends into Xt. */
    assert_int_equal(v->regs.x[7], VGIC_V3_IIDR);
    assert_int_equal(v->regs.pc, RAW_ENTRY + 4);
}

static void test_mmio_store_changes_the_device(void **state)
{
    /* GICD_ISENABLER1 bit 1: SPI 33 (the UART's) enabled, as a write of x3. */
    fake_exit_mmio(VIRT_GICD_BASE + 0x104, 4, 3, true, 1u << 1);
    fake_exit_mmio(VIRT_GICD_BASE + 0x104, 4, 4, false, 0);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->regs.x[4], 1u << 1);
    assert_int_equal(v->regs.pc, RAW_ENTRY + 8);
}

static void test_external_abort_goes_to_vbar_plus_0x200(void **state)
{
    uint64_t esr;

    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .guest = guest_sets_vbar,
                                        .esr = fake_esr(EC_DABT_LOW, ESR_DABT_ISV | (2ULL << ESR_DABT_SAS_SHIFT)),
                                        .far = 0x1234, .hpfar = (0x0b000000ULL >> 12) << 4 });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    esr = el1_read(EL1_ESR);
    assert_int_equal(v->regs.pc, GUEST_VBAR + 0x200);
    assert_int_equal(ESR_EC(esr), EC_DABT_CUR);
    assert_int_equal(el1_read(EL1_FAR), 0x1234);
    assert_int_equal(el1_read(EL1_ELR), RAW_ENTRY);
    /* Synchronous external abort: DFSC 0b010000. */
    assert_int_equal(esr & 0x3f, 0x10);
}

static void test_unknown_ec_is_undefined_and_logged_once(void **state)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .guest = guest_sets_vbar,
                                        .esr = fake_esr(EC_BRK64, 0) });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->regs.pc, GUEST_VBAR + 0x200);
    assert_int_equal(ESR_EC(el1_read(EL1_ESR)), EC_UNKNOWN);
    assert_true(fake_console_has("unhandled trap EC 0x3c"));
}

static void test_sve_is_undefined_quietly(void **state)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .guest = guest_sets_vbar,
                                        .esr = fake_esr(EC_SVE, 0) });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->regs.pc, GUEST_VBAR + 0x200);
    assert_int_equal(ESR_EC(el1_read(EL1_ESR)), EC_UNKNOWN);
    assert_false(fake_console_has("unhandled trap"));
}

static void test_wfi_with_nothing_pending_waits_and_the_cpu_idles(void **state)
{
    fake_exit_sync(fake_esr(EC_WFX, 0));
    assert_int_equal(fake_loop(0), FAKE_STOP_IDLE);
    assert_int_equal(v->wait, VCPU_WAIT_WFI);
    assert_int_equal(v->regs.pc, RAW_ENTRY + 4);
    assert_int_equal(fake_nr_entries(), 1);
}

static void test_wfe_only_yields(void **state)
{
    fake_exit_sync(fake_esr(EC_WFX, 1 /* TI: WFE */));
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->wait, VCPU_RUNNING);
    assert_int_equal(fake_nr_entries(), 2);
    assert_int_equal(v->regs.pc, RAW_ENTRY + 4);
}

/* The machine powers off once per program: this is the test that does. */
static void test_serror_stops_the_vm_and_the_last_vm_down_powers_off(void **state)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SERROR });
    assert_int_equal(fake_loop(0), FAKE_STOP_POWER_OFF);
    assert_int_equal(vm->state, VM_STOPPED);
    assert_true(fake_console_has("vm g vcpu 0: SError from the guest"));
    assert_true(fake_console_has("elvisor-exit: 4 "));
}

static void test_irq_exit_is_counted_and_the_interrupt_completed(void **state)
{
    fake_exit_irq(SGI_KICK);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->nr_irq_exits, 1);
    assert_int_equal(v->nr_exits, 1);
    assert_true(fake_log_find("gic ack 0", 0) >= 0);
    assert_true(fake_log_find("gic drop 0", 0) >= 0);
    assert_true(fake_log_find("gic deactivate 0", 0) >= 0);
}

/* An exit handled on the spot costs no world switch: the vCPU stays loaded
 * (no EL1 register put) from one entry to the next, and its FP/SIMD
 * registers, never used, never move. */
static void test_exits_keep_the_vcpu_loaded(void **state)
{
    fake_exit_hvc(PSCI_VERSION, 0, 0, 0);
    fake_exit_mmio(VIRT_GICD_BASE + 0x8, 4, 2, false, 0);
    fake_exit_sync(fake_esr(EC_WFX, 1));
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(fake_nr_entries(), 4);
    assert_int_equal(fake_log_count("fpsimd restore"), 0);
    assert_int_equal(fake_log_count("fpsimd save"), 0);
    assert_true(v->loaded);
}

/* Lazy FP/SIMD: the guest's first FP instruction traps (EC 0x07); its
 * registers move in then, FP/SIMD stops trapping, and the instruction runs
 * again (the PC is not stepped). The next FP use costs nothing. */
static void test_first_fp_use_claims_the_registers_and_retries(void **state)
{
    int restore, untrap;

    fake_exit_sync(fake_esr(EC_FP_ASIMD, 0));
    fake_exit_hvc(PSCI_VERSION, 0, 0, 0);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    restore = fake_log_find("fpsimd restore", 0);
    untrap = fake_log_find("fp trap off", 0);
    assert_true(restore >= 0 && untrap >= 0);
    assert_int_equal(fake_log_count("fpsimd restore"), 1);
    assert_int_equal(fake_reg(cptr_el2), 0);
    assert_ptr_equal(pcpus[0].fp_owner, v);
    /* The trapped instruction ran again (an HVC's return address is the
     * next instruction already: the PC did not move). */
    assert_int_equal(v->regs.pc, RAW_ENTRY);
    assert_int_equal(v->regs.x[0], PSCI_VERSION_1_1);
    assert_int_equal(fake_nr_entries(), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hvc_psci_version_returns_in_x0_at_next_instruction, setup),
        cmocka_unit_test_setup(test_smc_is_smccc_too_and_steps_over_the_smc, setup),
        cmocka_unit_test_setup(test_mmio_load_reaches_the_device_and_writes_rt, setup),
        cmocka_unit_test_setup(test_mmio_store_changes_the_device, setup),
        cmocka_unit_test_setup(test_external_abort_goes_to_vbar_plus_0x200, setup),
        cmocka_unit_test_setup(test_unknown_ec_is_undefined_and_logged_once, setup),
        cmocka_unit_test_setup(test_sve_is_undefined_quietly, setup),
        cmocka_unit_test_setup(test_wfi_with_nothing_pending_waits_and_the_cpu_idles, setup),
        cmocka_unit_test_setup(test_wfe_only_yields, setup),
        cmocka_unit_test_setup(test_serror_stops_the_vm_and_the_last_vm_down_powers_off, setup),
        cmocka_unit_test_setup(test_irq_exit_is_counted_and_the_interrupt_completed, setup),
        cmocka_unit_test_setup(test_exits_keep_the_vcpu_loaded, setup),
        cmocka_unit_test_setup(test_first_fp_use_claims_the_registers_and_retries, setup),
    };
    return cmocka_run_group_tests_name("exit path on the fake arch", tests, NULL, NULL);
}
