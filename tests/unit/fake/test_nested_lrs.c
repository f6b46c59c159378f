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
    assert_true(n->in_hyp);
    el1_write(EL1_VBAR, L1_VBAR);
    return 0;
}

/* L1 in hyp context: its vGIC interface for L2 in the VNCR page, then ERET. */
static void l1_gives_l2_an_interrupt(void *regs, void *arg)
{
    uint64_t lr = L2_INTID | 0xa0ULL << ICH_LR_PRIORITY_SHIFT | ICH_LR_GROUP | ICH_LR_EOI |
                  ICH_LR_STATE_PENDING;

    vncr_write(n, VNCR_ICH_LR0_EL2, lr);
    vncr_write(n, VNCR_ICH_HCR_EL2, ICH_HCR_EN);
    vncr_write(n, VNCR_ICH_VMCR_EL2, ICH_VMCR_VENG1 | (0xffULL << ICH_VMCR_VPMR_SHIFT));
    el1_write(EL1_ELR, L2_PC);
    el1_write(EL1_SPSR, L2_PSTATE);
    vncr_write(n, VNCR_HCR_EL2, HCR_RW | HCR_IMO | HCR_FMO);
}

static unsigned l2_acked;

static void l2_handles_its_interrupt(void *regs, void *arg)
{
    l2_acked = fake_guest_ack(1);
    if (l2_acked != 1023)
        fake_guest_eoi(1, l2_acked);
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
    page_lr = vncr_read(n, VNCR_ICH_LR0_EL2);
    assert_int_equal(page_lr & ICH_LR_STATE_MASK, 0);
    assert_true(page_lr & ICH_LR_EOI);
    assert_int_equal(page_lr & ICH_LR_VINTID_MASK, L2_INTID);
    /* L1 took its maintenance IRQ at its vector and read the registers. */
    assert_true(n->in_hyp);
    assert_int_equal(el1_read(EL1_ELR), L2_PC);
    assert_int_equal(v->regs.pc, L1_VBAR + 0x480 + 8);
    assert_int_equal(v->regs.x[7], 1);
    assert_true(v->regs.x[8] & ICH_MISR_EOI);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_l2_ends_its_interrupt_and_l1_takes_the_eoi_maintenance, setup),
    };
    return cmocka_run_group_tests_name("a guest hypervisor's list registers with its guest on the fake GIC",
                                       tests, NULL, NULL);
}
