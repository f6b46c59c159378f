/* A guest hypervisor's list registers and the hardware maintenance
 * interrupt (nested/nested.c nested_vgic_enter/exit, nested/vgic_calc.c),
 * with its guest (L2) played by the fake GICv3 virtual CPU interface:
 * - an LR with HW = 1 linking L2's interrupt to one of L1's own virtual
 *   interrupts that no physical interrupt backs: L2's deactivation must
 *   reach L1's interrupt at once (an exit right after L2's EOI), not at
 *   whatever exit L2 takes next;
 * - an LR L2 has ended with EOI maintenance asked for, while L1 does not
 *   take its maintenance interrupt: L2 must run on, as on hardware, where
 *   the maintenance interrupt goes to L1's EL2 and waits there. */
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
#define L1_PPI      23          /* one of L1's own, no physical interrupt behind it */
#define L2_INTID    40

static struct vcpu *v;

static void l1_boots(bool takes_maintenance)
{
    v = fake_one_vcpu("l1", true);
    if (takes_maintenance)
        fake_guest_takes_ppi(25);
    fake_guest_takes_ppi(L1_PPI);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(v));
    el1_write(EL1_VBAR, L1_VBAR);
}

static void l1_erets_to_l2(uint64_t lr0)
{
    vncr_write(v, VNCR_ICH_LR0_EL2, lr0);
    fake_l1_prepares_eret_to_l2(v, L2_PC);
}

static unsigned l1_acked, l2_acked;

/* L1 takes its own interrupt, drops its priority only (EOImode 1, as KVM
 * does for what it hands on) and gives it to L2 in an HW LR naming it. */
static void l1_links_its_interrupt_to_l2(void *regs, void *arg)
{
    fake_reg(SYS_ICH_VMCR_EL2_S) |= 1ULL << 9;       /* VEOIM */
    l1_acked = fake_guest_ack_and_eoi();
    l1_erets_to_l2(L1_PPI | 0xa0ULL << ICH_LR_EL2_Priority_SHIFT | ICH_LR_EL2_Group | ICH_LR_EL2_HW |
                   (uint64_t)L1_PPI << ICH_LR_EL2_pINTID_SHIFT |
                   SYSREG_ENUM(ICH_LR_EL2_State, PENDING));
}

static void l2_handles_its_interrupt(void *regs, void *arg)
{
    l2_acked = fake_guest_ack_and_eoi();
}

static void test_l2_ending_a_linked_interrupt_deactivates_l1s_at_once(void **state)
{
    struct vgic_irq *l1_irq;
    int l2_eoi;

    l1_boots(true);
    l1_irq = vgic_get_irq(&v->vm->vgic, v->id, L1_PPI);
    vgic_inject_edge(&v->vm->vgic, v->id, L1_PPI);
    /* L1 runs on (WFI exit: it has nothing to do but its interrupt). */
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_links_its_interrupt_to_l2 });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_HVC64, 0),
                                        .guest = l2_handles_its_interrupt });
    l1_acked = l2_acked = 0;
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(l1_acked, L1_PPI);
    assert_int_equal(l2_acked, L1_PPI);
    /* L2's EOI is followed at once by an exit (before L2's own HVC). */
    l2_eoi = fake_log_find("guest eoi1 23", (unsigned)fake_log_find("guest eoi1 23", 0) + 1);
    assert_true(l2_eoi >= 0);
    assert_int_equal(fake_log_find("maintenance exit", (unsigned)l2_eoi), l2_eoi + 1);
    assert_false(l1_irq->active);
    /* Then its HVC reached L1, whose LR shows the interrupt ended. */
    assert_true(nested_in_hyp(v));
    assert_int_equal(vncr_read(v, VNCR_ICH_LR0_EL2) & ICH_LR_EL2_State_MASK, 0);
    assert_true(vncr_read(v, VNCR_ICH_LR0_EL2) & ICH_LR_EL2_HW);
}

static void l1_gives_l2_an_interrupt_with_eoi_maintenance(void *regs, void *arg)
{
    l1_erets_to_l2(L2_INTID | 0xa0ULL << ICH_LR_EL2_Priority_SHIFT | ICH_LR_EL2_Group | ICH_LR_EL2_HW0_EOI |
                   SYSREG_ENUM(ICH_LR_EL2_State, PENDING));
}

static void test_l2_runs_on_when_l1_does_not_take_its_maintenance_interrupt(void **state)
{
    l1_boots(false);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_ERET, 0),
                                        .guest = l1_gives_l2_an_interrupt_with_eoi_maintenance });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_HVC64, 0),
                                        .guest = l2_handles_its_interrupt });
    l2_acked = 0;
    /* Without the fix: the ended LR is loaded again with EOI set at every
     * entry of L2, the hardware's maintenance interrupt fires each time
     * and the fake arch stops the storm. */
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(l2_acked, L2_INTID);
    /* L2's HVC went to L1's synchronous vector (lower EL, AArch64). */
    assert_true(nested_in_hyp(v));
    assert_int_equal(v->regs.pc, L1_VBAR + 0x400);
    assert_int_equal(vncr_read(v, VNCR_ICH_LR0_EL2) & ICH_LR_EL2_State_MASK, 0);
    assert_true(vncr_read(v, VNCR_ICH_LR0_EL2) & ICH_LR_EL2_HW0_EOI);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l2_ending_a_linked_interrupt_deactivates_l1s_at_once),
        cmocka_unit_test(test_l2_runs_on_when_l1_does_not_take_its_maintenance_interrupt),
    };
    return cmocka_run_group_tests_name("a guest hypervisor's LRs and the hardware maintenance interrupt", tests,
                                       NULL, NULL);
}
