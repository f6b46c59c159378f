/* A guest hypervisor offered FEAT_NV2 (virt-el2-nv2, docs/nested.md §9.21)
 * runs its guest at a vEL2 of its own, against the fake architecture and
 * the real run loop: its ERET with its HCR_EL2.{NV,NV2,AT} set runs its
 * guest with those bits in the hardware HCR_EL2 and the hardware VNCR_EL2
 * on its own page (its VNCR_EL2, a VA its MMU translates: PAR_EL1 gives
 * the IPA, here set by the test since the fake AT does not walk), and the
 * next exit to its vEL2 puts VNCR_EL2 back on elvisor's page for it. A
 * VNCR_EL2 that is not a page of its RAM stops the VM with a log line. */
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
#include "arch/arm64/hyp.h"
#include "core/vm.h"
#include "nested/nested.h"

#define L2_PC       0x40081000ULL
#define L2_PSTATE   (PSR_MODE_EL1h | PSR_DAIF)
#define L1_VNCR_VA  0xffff800000123000ULL   /* its EL2&0 VA of the page */
#define PAR_F       1ULL
#define NV_BITS     (HCR_EL2_NV | HCR_EL2_NV2 | HCR_EL2_AT)

static struct vm *vm;
static struct vcpu *v;
static uint64_t l1_page_ipa, par_result;
static uint64_t seen_hcr, seen_vncr, seen_cnthctl, l1_vhcr;
static bool l2_ran;

static uint64_t hw_vncr(void)
{
    return fake_reg(S3_4_C2_C2_0);
}

static int setup(void **state)
{
    (void)state;
    v = fake_one_vcpu("l1", true);
    vm = v->vm;
    v->nested->nv2 = true;     /* as nested_vcpu_init does for virt-el2-nv2 */
    nested_vhcr_masks(v->nested->nvhe, true, false, &v->nested->vhcr_masks);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(v));
    l1_page_ipa = vm->ram_ipa + 0x200000;
    par_result = l1_page_ipa;
    l2_ran = false;
    l1_vhcr = HCR_EL2_RW | HCR_EL2_E2H | HCR_EL2_TSC | NV_BITS;
    hyp_features.ecv = 0;
    return 0;
}

/* L1 at its vEL2: its guest's entry state, its HCR_EL2 asking NV, NV2 and
 * AT (as elvisor as L1 asks for its own vEL2 guests), its VNCR_EL2; the
 * MMU's answer for that VA. */
static void l1_erets_with_nv2(void *regs, void *arg)
{
    el1_write(EL1_ELR, L2_PC);
    el1_write(EL1_SPSR, L2_PSTATE);
    vncr_write(v, VNCR_HCR_EL2, l1_vhcr);
    vncr_write(v, VNCR_VNCR_EL2, L1_VNCR_VA);
    fake_reg(par_el1) = par_result;
}

/* What the hardware holds while its guest runs. */
static void l2_runs(void *regs, void *arg)
{
    l2_ran = true;
    seen_hcr = fake_reg(hcr_el2);
    seen_vncr = hw_vncr();
    seen_cnthctl = fake_reg(cnthctl_el2);
}

static void eret_then_l2_exits(uint64_t l2_esr)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_erets_with_nv2 });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = l2_esr, .guest = l2_runs });
    fake_loop(0);
}

static void test_its_guest_runs_with_nv_bits_on_its_page(void **state)
{
    (void)state;
    /* The guest's own ERET at its vEL2: the guest hypervisor's to emulate. */
    eret_then_l2_exits(fake_esr(EC_ERET, 0));
    assert_true(l2_ran);
    assert_true((seen_hcr & NV_BITS) == NV_BITS);
    assert_false(seen_hcr & HCR_EL2_NV1);
    assert_int_equal(seen_vncr, vm->ram_pa + (l1_page_ipa - vm->ram_ipa));
    /* The translation asked was of its VNCR_EL2's page. */
    assert_true(fake_log_find("at c7, c8, 0 0xffff800000123000", 0) >= 0);
    /* Its guest's ERET came back to its vEL2 with the hardware's syndrome,
     * and VNCR_EL2 is elvisor's page for it again. */
    assert_true(nested_in_hyp(v));
    assert_int_equal(el1_read(EL1_ESR), fake_esr(EC_ERET, 0));
    assert_int_equal(hw_vncr(), (uint64_t)(uintptr_t)v->vncr);
    assert_int_equal(v->nested->l2_vncr, 0);
    /* Its PAR_EL1 is its own again after elvisor's translation. */
    assert_int_equal(fake_reg(par_el1), par_result);
    assert_int_equal(vm->state, VM_RUNNING);
}

/* An EL2 register access of its guest (CNTHCTL_EL2: op0 3, op1 4, CRn 14,
 * CRm 1, op2 0) is the guest hypervisor's under its NV. */
static void test_its_guests_el2_access_is_forwarded(void **state)
{
    uint64_t mrs = fake_esr(EC_SYS64, (3ULL << 20) | (4ULL << 14) | (14ULL << 10) | (1ULL << 1) | 1);

    (void)state;
    eret_then_l2_exits(mrs);
    assert_true(l2_ran);
    assert_true(nested_in_hyp(v));
    assert_int_equal(el1_read(EL1_ESR), mrs);
    assert_int_equal(vm->state, VM_RUNNING);
}

/* A fault on the VNCR page while its guest runs (Data Abort from a lower
 * EL with ISS.VNCR, bit 13) cannot be the guest's doing: the VM alone
 * stops, with a line, and nothing is forwarded. */
static void test_a_vncr_fault_of_its_guest_stops_the_vm(void **state)
{
    (void)state;
    eret_then_l2_exits(fake_esr(EC_DABT_LOW, 1ULL << 13));
    assert_true(l2_ran);
    assert_int_equal(vm->state, VM_STOPPED);
    assert_true(fake_console_has("fault on the VNCR page"));
}

static void expect_stopped(void)
{
    assert_false(l2_ran);
    assert_int_equal(vm->state, VM_STOPPED);
    assert_true(fake_console_has("does not translate to a page of its RAM: VM stopped"));
    assert_int_equal(hw_vncr(), (uint64_t)(uintptr_t)v->vncr);
}

static void test_untranslated_vncr_stops_the_vm(void **state)
{
    (void)state;
    par_result = PAR_F;
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    expect_stopped();
}

static void test_vncr_outside_its_ram_stops_the_vm(void **state)
{
    (void)state;
    par_result = vm->ram_ipa - 0x1000;      /* its flash, a device, anything but RAM */
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    expect_stopped();
}

static void test_vncr_at_the_end_of_its_ram_stops_the_vm(void **state)
{
    (void)state;
    par_result = vm->ram_ipa + vm->ram_size;
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    expect_stopped();
}

/* Without the offer the same vHCR gives its guest no NV and no page. */
static void test_without_the_offer_nothing_changes(void **state)
{
    (void)state;
    v->nested->nv2 = false;
    nested_vhcr_masks(v->nested->nvhe, false, false, &v->nested->vhcr_masks);
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    assert_true(l2_ran);
    assert_false(seen_hcr & (NV_BITS | HCR_EL2_NV1));
    assert_int_equal(seen_vncr, (uint64_t)(uintptr_t)v->vncr);
    assert_int_equal(fake_log_find("at c7, c8, 0 0xffff800000123000", 0), -1);
}

/* FEAT_ECV: the guest hypervisor's CNTHCTL_EL2.EL1NVPCT/EL1NVVCT (bits 15
 * and 16) trap its guest's CNTP/CNTV_*_EL02 accesses, which NV2 would
 * send to the page: in the hardware while that guest runs at a vEL2 of
 * its own, not for a plain guest, not without ECV. */
#define EL02_TRAPS  ((1ULL << 15) | (1ULL << 16))
static void l1_asks_el02_traps(uint64_t bits)
{
    vcpu_cell_write(v, VREG_CNTHCTL_EL2, NESTED_CNTHCTL_OPEN | bits);
}

static void test_its_el02_timer_traps_reach_the_hardware(void **state)
{
    (void)state;
    hyp_features.ecv = 1;
    l1_asks_el02_traps(1ULL << 15);
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    assert_true(l2_ran);
    assert_true((seen_cnthctl & EL02_TRAPS) == (1ULL << 15));
    /* back in hyp context they are off again */
    assert_true((fake_reg(cnthctl_el2) & EL02_TRAPS) == 0);
}

static void test_no_el02_traps_for_a_plain_guest_or_without_ecv(void **state)
{
    (void)state;
    hyp_features.ecv = 1;
    l1_asks_el02_traps(EL02_TRAPS);
    l1_vhcr = HCR_EL2_RW | HCR_EL2_E2H;
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    assert_true(l2_ran);
    assert_true((seen_cnthctl & EL02_TRAPS) == 0);
    hyp_features.ecv = 0;
    l2_ran = false;
    l1_vhcr = HCR_EL2_RW | HCR_EL2_E2H | NV_BITS;
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    assert_true(l2_ran);
    assert_true((seen_cnthctl & EL02_TRAPS) == 0);
}

/* Its guest a non-VHE guest hypervisor (docs/nested.md §9.23): with the
 * CPU's NV1 offered, its NV1 with NV and NV2 is in the hardware while
 * that guest runs; a CPACR_EL1 write and read of that guest, which
 * elvisor traps for itself (CPTR_EL2.TCPAC, kept while a VHE guest
 * hypervisor's guest runs), are made on the guest hypervisor's page at
 * the slot the Arm ARM gives it (0x100), as the hardware would, and the
 * guest runs on at the next instruction. */
#define CPACR_EL1_ESR(rt, read) \
    fake_esr(EC_SYS64, (3ULL << 20) | (2ULL << 17) | (1ULL << 10) | ((uint64_t)(rt) << 5) | (read))
#define L2_CPACR    0x300000ULL     /* FPEN: its own guest's FP untrapped */

static void l2_writes_cpacr(void *regs, void *arg)
{
    ((struct vcpu_regs *)regs)->x[5] = L2_CPACR;
    l2_runs(regs, arg);
}

static void test_its_nvhe_guests_el1_names_go_to_its_page(void **state)
{
    (void)state;
    uint64_t *page = (uint64_t *)(uintptr_t)(vm->ram_pa + (l1_page_ipa - vm->ram_ipa));

    nested_vhcr_masks(false, true, true, &v->nested->vhcr_masks);
    l1_vhcr |= HCR_EL2_NV1;
    page[0x100 / 8] = 0;
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_erets_with_nv2 });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = CPACR_EL1_ESR(5, 0), .guest = l2_writes_cpacr });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = CPACR_EL1_ESR(6, 1) });
    fake_loop(0);
    assert_true(l2_ran);
    assert_true((seen_hcr & (NV_BITS | HCR_EL2_NV1)) == (NV_BITS | HCR_EL2_NV1));
    assert_false(nested_in_hyp(v));
    assert_int_equal(page[0x100 / 8], L2_CPACR);
    assert_int_equal(v->regs.x[6], L2_CPACR);
    assert_int_equal(v->regs.pc, L2_PC + 8);
    assert_int_equal(vm->state, VM_RUNNING);
}

/* Without NV1 offered (a CPU whose E2H0 is NI_NV1) its NV1 never reaches
 * the hardware. */
static void test_no_nv1_without_the_cpus(void **state)
{
    (void)state;
    l1_vhcr |= HCR_EL2_NV1;
    eret_then_l2_exits(fake_esr(EC_HVC64, 0));
    assert_true(l2_ran);
    assert_true((seen_hcr & (NV_BITS | HCR_EL2_NV1)) == NV_BITS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_its_guest_runs_with_nv_bits_on_its_page, setup),
        cmocka_unit_test_setup(test_its_guests_el2_access_is_forwarded, setup),
        cmocka_unit_test_setup(test_a_vncr_fault_of_its_guest_stops_the_vm, setup),
        cmocka_unit_test_setup(test_untranslated_vncr_stops_the_vm, setup),
        cmocka_unit_test_setup(test_vncr_outside_its_ram_stops_the_vm, setup),
        cmocka_unit_test_setup(test_vncr_at_the_end_of_its_ram_stops_the_vm, setup),
        cmocka_unit_test_setup(test_without_the_offer_nothing_changes, setup),
        cmocka_unit_test_setup(test_its_el02_timer_traps_reach_the_hardware, setup),
        cmocka_unit_test_setup(test_no_el02_traps_for_a_plain_guest_or_without_ecv, setup),
        cmocka_unit_test_setup(test_its_nvhe_guests_el1_names_go_to_its_page, setup),
        cmocka_unit_test_setup(test_no_nv1_without_the_cpus, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
