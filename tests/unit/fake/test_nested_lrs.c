/* The nested vGIC end to end (nested/nested.c's LR shadowing,
 * nested/vgic_calc.c, hyp/vgic_hw.c) with L2 played by the fake GICv3
 * virtual CPU interface: a guest hypervisor (L1) gives its guest (L2) an
 * interrupt in a list register of its VNCR page, with EOI maintenance
 * asked for (HW = 0, EOI = 1), and ERETs to it. By the GICv3
 * specification, L2 acknowledges the interrupt and ends it without
 * trapping; the LR becomes invalid with EOI set, which asserts L1's
 * maintenance interrupt (INTID 25): L1 takes it as an IRQ at its vector
 * (VBAR_EL2 + 0x480, from a lower EL), then reads ICH_EISR_EL2 and
 * ICH_MISR_EL2 naming that LR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "core/vm.h"
#include "nested/nested.h"
#include "vdev/vgic.h"

#define L1_VBAR     0x40200000ULL
#define L2_PC       0x81234ULL
#define L2_PSTATE   PSR_MODE_EL1h
#define L2_INTID    40
/* op1, CRn, CRm, op2 of ICH_EISR_EL2 and ICH_MISR_EL2 (op0 3). */
#define ICH_EISR    4, 12, 11, 3
#define ICH_MISR    4, 12, 11, 2

static struct vcpu *v;
static struct vcpu_nested *n;

static int setup(void **state)
{
    v = fake_one_vcpu("l1", true);
    n = v->nested;
    /* L1 takes its maintenance interrupt, as a guest hypervisor does. */
    fake_guest_takes_ppi(25);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(v));
    el1_write(EL1_VBAR, L1_VBAR);
    return 0;
}

/* L1 in hyp context: its vGIC interface for L2 in the VNCR page, then ERET. */
static void l1_gives_l2_an_interrupt(void *regs, void *arg)
{
    uint64_t lr = L2_INTID | 0xa0ULL << ICH_LR_EL2_Priority_SHIFT | ICH_LR_EL2_Group | ICH_LR_EL2_HW0_EOI |
                  SYSREG_ENUM(ICH_LR_EL2_State, PENDING);

    vncr_write(v, VNCR_ICH_LR0_EL2, lr);
    fake_l1_prepares_eret_to_l2(v, L2_PC);
}

static unsigned l2_acked;

static void l2_handles_its_interrupt(void *regs, void *arg)
{
    l2_acked = fake_guest_ack_and_eoi();
}

static void test_l2_ends_its_interrupt_and_l1_takes_the_eoi_maintenance(void **state)
{
    uint64_t page_lr;

    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_gives_l2_an_interrupt });
    /* Whoever runs after L2's part (L1, if its maintenance IRQ came)
     * reads ICH_EISR_EL2, then ICH_MISR_EL2. */
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .guest = l2_handles_its_interrupt,
                                        .esr = fake_esr(EC_SYS64, (3ULL << 20) | (3ULL << 17) | (4ULL << 14) |
                                                                      (12ULL << 10) | (7ULL << 5) | (11ULL << 1) | 1) });
    fake_exit_mrs(ICH_MISR, 8);
    l2_acked = 0;
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);

    assert_int_equal(l2_acked, L2_INTID);
    assert_int_equal(fake_log_count("maintenance exit"), 1);
    /* L2's deactivation folded into L1's page: invalid, EOI kept. */
    page_lr = vncr_read(v, VNCR_ICH_LR0_EL2);
    assert_int_equal(page_lr & ICH_LR_EL2_State_MASK, 0);
    assert_true(page_lr & ICH_LR_EL2_HW0_EOI);
    assert_int_equal(page_lr & ICH_LR_EL2_vINTID_MASK, L2_INTID);
    /* L1 took its maintenance IRQ at its vector and read the registers. */
    assert_true(nested_in_hyp(v));
    assert_int_equal(el1_read(EL1_ELR), L2_PC);
    assert_int_equal(v->regs.pc, L1_VBAR + 0x480 + 8);
    assert_int_equal(v->regs.x[7], 1);
    assert_true(v->regs.x[8] & ICH_MISR_EL2_EOI);
}

/* L2's virtual timer, run on the hardware EL1 virtual timer while L2
 * runs: its PPI 27 fires, elvisor gives L1 its virtual INTID 27 (HW,
 * forwarded from the physical PPI) and L1 takes it at VBAR_EL2 + 0x480.
 * L1, as KVM does, acknowledges it with EOImode 1 (priority drop only),
 * gives it to L2 in an HW LR naming its INTID 27, and ERETs. elvisor links
 * that shadow LR to the physical PPI, so L2's EOI deactivates PPI 27 at
 * the GIC itself (the timer can fire again with no exit), and L1's own
 * INTID 27 is deactivated at L2's next exit. */
static void l1_eret_arming_l2s_vtimer(void *regs, void *arg)
{
    vncr_write(v, VNCR_CNTV_CVAL_EL0, 5000);
    vncr_write(v, VNCR_CNTV_CTL_EL0, 1);
    fake_l1_prepares_eret_to_l2(v, L2_PC);
}

static unsigned l1_acked;

static void l1_forwards_the_timer_to_l2(void *regs, void *arg)
{
    uint64_t lr = 27 | 0xa0ULL << ICH_LR_EL2_Priority_SHIFT | ICH_LR_EL2_Group | ICH_LR_EL2_HW |
                  27ULL << ICH_LR_EL2_pINTID_SHIFT | SYSREG_ENUM(ICH_LR_EL2_State, PENDING);

    fake_reg(S3_4_C12_C11_7) |= 1ULL << 9;     /* ICH_VMCR_EL2.VEOIM */
    l1_acked = fake_guest_ack_and_eoi();
    vncr_write(v, VNCR_ICH_LR0_EL2, lr);
    el1_write(EL1_ELR, L2_PC);
    el1_write(EL1_SPSR, L2_PSTATE);
}

static void test_l2_ends_its_timer_interrupt_and_the_physical_ppi_with_it(void **state)
{
    struct vgic_irq *l1_timer = vgic_get_irq(&v->vm->vgic, v->id, 27);
    int l2_eoi;

    fake_guest_takes_ppi(27);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_eret_arming_l2s_vtimer });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_false(nested_in_hyp(v));

    /* L2's count passes its CVAL: PPI 27 fires while L2 runs. */
    fake_reg(cntpct_el0) = 1ULL << 40;
    fake_exit_irq(27);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_forwards_the_timer_to_l2 });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_HVC64, 0),
                                        .guest = l2_handles_its_interrupt });
    l1_acked = l2_acked = 0;
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(l1_acked, 27);
    assert_int_equal(l2_acked, 27);
    l2_eoi = fake_log_find("guest eoi1 27", (unsigned)fake_log_find("guest eoi1 27", 0) + 1);
    assert_true(l2_eoi >= 0);
    assert_int_equal(fake_log_find("gic hw deactivate 27", (unsigned)l2_eoi), l2_eoi + 1);
    assert_false(fake_gic_private_active() & (1u << 27));
    /* Back in L1 for the HVC, with its own INTID 27 no longer active. */
    assert_true(nested_in_hyp(v));
    assert_false(l1_timer->active);
    assert_int_equal(vncr_read(v, VNCR_ICH_LR0_EL2) & ICH_LR_EL2_State_MASK, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_l2_ends_its_interrupt_and_l1_takes_the_eoi_maintenance, setup),
        cmocka_unit_test_setup(test_l2_ends_its_timer_interrupt_and_the_physical_ppi_with_it, setup),
    };
    return cmocka_run_group_tests_name("a guest hypervisor's list registers with its guest on the fake GIC",
                                       tests, NULL, NULL);
}
