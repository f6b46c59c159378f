/* The guest timers' glue against the fake architecture: the trapped EL1
 * physical counter and timer (trap/vtimer.c, with no working CNTPOFF_EL2,
 * as on QEMU: the guest's CVAL is kept, the hardware holds CVAL + the VM's
 * offset), the timers of a vCPU that is not loaded (fired in software by
 * the scheduler, elvisor's EL2 timer armed at their deadline), and a guest
 * hypervisor's timers (nested/timers.c): which timer each hardware EL1
 * timer runs in each context, and L2's timers moving between the VNCR page
 * and the hardware. From the Arm ARM: CNTP_TVAL reads (CVAL - count)[31:0],
 * a write sets CVAL = count + SignExtend(TVAL[31:0]); ISTATUS is the
 * hardware's condition (count >= CVAL while enabled). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/hw_timer.h"
#include "core/vm.h"
#include "hyp/vcpu_switch.h"
#include "nested/nested.h"
#include "vdev/vtimer.h"

/* op1, CRn, CRm, op2 of CNTPCT_EL0 and CNTP_TVAL/CTL/CVAL_EL0 (op0 3). */
#define CNTPCT          3, 14, 0, 1
#define CNTP_TVAL       3, 14, 2, 0
#define CNTP_CTL        3, 14, 2, 1
#define CNTP_CVAL       3, 14, 2, 2

static struct vm *vm;
static struct vcpu *v;

static int setup(void **state)
{
    v = fake_one_vcpu("g", false);
    vm = v->vm;
    return 0;
}

/* The guest runs until its count reads 5000. */
static void at_guest_time_5000(void *regs, void *arg)
{
    struct vm *of = arg;

    fake_reg(cntpct_el0) = of->cnt_offset + 5000;
}

static void guest_time_5000(struct vm *of)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_WFX, 1),
                                        .guest = at_guest_time_5000, .arg = of });
}

static void test_trapped_cntpct_counts_from_the_vms_boot(void **state)
{
    guest_time_5000(vm);
    fake_exit_mrs(CNTPCT, 2);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(vm->cnt_offset != 0);
    assert_int_equal(v->regs.x[2], 5000);
    assert_int_equal(v->regs.pc, RAW_ENTRY + 8);
}

static void test_cval_is_the_guests_and_the_hardware_one_is_offset(void **state)
{
    fake_exit_msr(CNTP_CVAL, 3, 7000);
    fake_exit_mrs(CNTP_CVAL, 4);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->regs.x[4], 7000);
    assert_int_equal(fake_reg(SYS_CNTP_CVAL_EL02_S), vm->cnt_offset + 7000);
}

static void test_tval_is_relative_to_the_guests_count(void **state)
{
    guest_time_5000(vm);
    fake_exit_msr(CNTP_TVAL, 3, 0xffffff9c);   /* -100 */
    fake_exit_mrs(CNTP_CVAL, 4);
    fake_exit_msr(CNTP_CVAL, 3, 5000 + 0x1234);
    fake_exit_mrs(CNTP_TVAL, 5);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(v->regs.x[4], 4900);
    assert_int_equal(v->regs.x[5], 0x1234);
}

static void test_ctl_write_reaches_the_hardware_timer_and_istatus_is_its(void **state)
{
    fake_exit_msr(CNTP_CVAL, 3, 1ULL << 40);
    fake_exit_msr(CNTP_CTL, 3, CNTx_CTL_ENABLE | CNTx_CTL_ISTATUS);
    fake_exit_mrs(CNTP_CTL, 4);
    guest_time_5000(vm);
    fake_exit_msr(CNTP_CVAL, 3, 5000);
    fake_exit_mrs(CNTP_CTL, 5);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    /* ISTATUS is read-only: the guest's write of it is dropped. */
    assert_int_equal(v->regs.x[4], CNTx_CTL_ENABLE);
    assert_int_equal(v->timers[VTIMER_EL1_PHYS].ctl, CNTx_CTL_ENABLE);
    /* And it is set once the guest's count reaches its CVAL. */
    assert_int_equal(v->regs.x[5], CNTx_CTL_ENABLE | CNTx_CTL_ISTATUS);
}

/* Two VMs on one CPU: a arms its physical timer for guest time 6000 and
 * waits in WFI; b runs. a's timer is in memory now, so elvisor's EL2 timer
 * is armed at its deadline in hardware time; when it fires, the scheduler
 * raises a's PPI 30, which ends a's WFI although a is not loaded. */
static void test_a_waiting_vcpus_timer_fires_while_it_is_not_loaded(void **state)
{
    struct vm *b = fake_vm("b", 1, NULL, false);
    struct vcpu *a0 = v;
    uint64_t deadline = vm->cnt_offset + 6000;

    fake_guest_takes_ppi(HW_TIMER_PPI_EL1_PHYS);
    fake_exit_msr(CNTP_CVAL, 3, 6000);
    fake_exit_msr(CNTP_CTL, 3, CNTx_CTL_ENABLE);
    fake_exit_sync(fake_esr(EC_WFX, 0));
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_ptr_equal(fake_last_entered(), &b->vcpus[0].regs);
    assert_int_equal(a0->wait, VCPU_WAIT_WFI);
    assert_false(a0->loaded);
    /* put: the hardware timer off, its state in memory. */
    assert_int_equal(a0->timers[VTIMER_EL1_PHYS].cval, 6000);
    assert_int_equal(fake_reg(cnthp_cval_el2), deadline);
    assert_int_equal(fake_reg(cnthp_ctl_el2), CNTx_CTL_ENABLE);

    fake_exit_push(&(struct fake_exit){ .code = EXIT_IRQ, .intid = PPI_HYP_TIMER });
    fake_reg(cntpct_el0) = deadline;
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    /* Woken and run, its PPI 30 in a list register, forwarded (HW, pINTID
     * 30) and active at the GIC while a is loaded, for its guest to end. */
    assert_int_equal(a0->wait, VCPU_RUNNING);
    assert_ptr_equal(fake_last_entered(), &a0->regs);
    assert_int_equal(fake_reg(S3_4_C12_C12_0) & ICH_LR_EL2_vINTID_MASK, HW_TIMER_PPI_EL1_PHYS);
    assert_int_equal((fake_reg(S3_4_C12_C12_0) & ICH_LR_EL2_pINTID_MASK) >> ICH_LR_EL2_pINTID_SHIFT,
                     HW_TIMER_PPI_EL1_PHYS);
    assert_true(fake_gic_private_active() & (1u << HW_TIMER_PPI_EL1_PHYS));
}

/* A guest hypervisor in its hyp context: the hardware EL1 timers run its
 * EL2 timers (CNTHP as INTID 26, CNTHV as 28); while its guest runs they
 * run the guest's EL1 timers (30 and 27), loaded from the VNCR page where
 * L1 wrote them, and saved back there with the hardware's ISTATUS. */
static void test_a_guest_hypervisors_timers_follow_its_context(void **state)
{
    struct vm *l1;
    struct vcpu *h;

    h = fake_one_vcpu("l1", true);
    l1 = h->vm;
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(h));
    assert_int_equal(h->tmap.hw[HW_TIMER_EL1_PHYS], VTIMER_EL2_PHYS);
    assert_int_equal(h->tmap.hw[HW_TIMER_EL1_VIRT], VTIMER_EL2_VIRT);
    assert_int_equal(h->hw_timer_vintid[HW_TIMER_EL1_PHYS], 26);
    assert_int_equal(h->hw_timer_vintid[HW_TIMER_EL1_VIRT], 28);

    /* L1 programs its guest's virtual timer in the page, no trap. */
    vncr_write(h, VNCR_CNTV_CVAL_EL0, 9000);
    vncr_write(h, VNCR_CNTV_CTL_EL0, CNTx_CTL_ENABLE);
    vncr_write(h, VNCR_CNTVOFF_EL2, 100);
    nested_enter_l2(h, HCR_EL2_VM, l1->s2.root, &l1->l2_vmid, 0x1000, PSR_MODE_EL1h);
    assert_int_equal(h->tmap.hw[HW_TIMER_EL1_PHYS], VTIMER_EL1_PHYS);
    assert_int_equal(h->tmap.hw[HW_TIMER_EL1_VIRT], VTIMER_EL1_VIRT);
    assert_int_equal(h->hw_timer_vintid[HW_TIMER_EL1_PHYS], 30);
    assert_int_equal(h->hw_timer_vintid[HW_TIMER_EL1_VIRT], 27);
    assert_int_equal(fake_reg(SYS_CNTV_CVAL_EL02_S), 9000);
    assert_int_equal(fake_reg(SYS_CNTV_CTL_EL02_S), CNTx_CTL_ENABLE);
    /* L2's virtual count is L1's physical count minus L1's CNTVOFF_EL2. */
    assert_int_equal(fake_reg(cntvoff_el2), l1->vcnt_offset + 100);

    /* L2's count passes its CVAL; L2 takes an exit to L1. */
    fake_reg(cntpct_el0) = l1->vcnt_offset + 100 + 9000;
    nested_exit_to_vel2(h, fake_esr(EC_HVC64, 0));
    assert_true(nested_in_hyp(h));
    assert_int_equal(vncr_read(h, VNCR_CNTV_CTL_EL0), CNTx_CTL_ENABLE | CNTx_CTL_ISTATUS);
    assert_int_equal(vncr_read(h, VNCR_CNTV_CVAL_EL0), 9000);
    assert_int_equal(h->tmap.hw[HW_TIMER_EL1_PHYS], VTIMER_EL2_PHYS);
    assert_int_equal(h->hw_timer_vintid[HW_TIMER_EL1_VIRT], 28);
    assert_int_equal(fake_reg(cntvoff_el2), l1->cnt_offset);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_trapped_cntpct_counts_from_the_vms_boot, setup),
        cmocka_unit_test_setup(test_cval_is_the_guests_and_the_hardware_one_is_offset, setup),
        cmocka_unit_test_setup(test_tval_is_relative_to_the_guests_count, setup),
        cmocka_unit_test_setup(test_ctl_write_reaches_the_hardware_timer_and_istatus_is_its, setup),
        cmocka_unit_test_setup(test_a_waiting_vcpus_timer_fires_while_it_is_not_loaded, setup),
        cmocka_unit_test(test_a_guest_hypervisors_timers_follow_its_context),
    };
    return cmocka_run_group_tests_name("timers on the fake arch", tests, NULL, NULL);
}
