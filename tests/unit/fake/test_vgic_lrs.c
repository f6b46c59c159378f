/* The vGIC's list-register management end to end (vdev/vgic_lr.c,
 * vgic_v3_lr.c, hyp/vgic_hw.c, the run loop) with the guest's side played
 * by the fake GICv3 virtual CPU interface (arch/fake/vgic_cpu_if.c): the
 * guest acknowledges and ends interrupts through its ICV_* registers, as
 * on hardware, and the fake computes what follows (LR states, the physical
 * deactivation of an HW = 1 interrupt, the maintenance interrupt). What
 * the GICv3 specification says the guest must observe: a forwarded
 * timer interrupt is acknowledged with its INTID, and its EOI deactivates
 * the physical PPI (no exit needed for the timer to fire again); with
 * more interrupts than list registers, the underflow maintenance interrupt
 * brings the rest in as soon as the guest has ended what the LRs held,
 * before the guest exits on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/hw_timer.h"
#include "core/vm.h"
#include "vdev/vtimer.h"
#include "vdev/vgic.h"

#define VTIMER_PPI      27
#define GICR_SGI_FRAME  0x10000
#define GICR_IGROUPR0   (GICR_SGI_FRAME + 0x080)
#define GICR_ISENABLER0 (GICR_SGI_FRAME + 0x100)
#define GICR_ISPENDR0   (GICR_SGI_FRAME + 0x200)
#define GICD_CTLR_ARE_NS_GRP1 0x12
#define VMCR_OPEN       ((1ULL << 1) | (0xffULL << 24))
#define ICH_VMCR        S3_4_C12_C11_7
#define WFE             fake_esr(EC_WFX, 1)
#define WFI             fake_esr(EC_WFX, 0)

static struct vcpu *v;

static int setup(void **state)
{
    v = fake_one_vcpu("g", false);
    return 0;
}

/* The same on a CPU without VHE: elvisor reaches the guest's timers and
 * its EL1 state by their own names there. */
static int setup_nvhe(void **state)
{
    fake_machine(1);
    fake_set_vhe(false);
    v = &fake_vm("g", 1, NULL, false)->vcpus[0];
    return 0;
}

/* What the guest's interrupt handler saw. */
struct guest_irqs {
    unsigned intid[16];
    unsigned n;
    bool timer_pending;     /* CNTV_CTL_EL0.ISTATUS when its handler ran */
};

/* An interrupt handler: acknowledge until nothing is signalled, ending each
 * one (a timer's handler first masks its timer, as Linux's does). */
static void guest_handles_irqs(void *regs, void *arg)
{
    struct guest_irqs *g = arg;
    unsigned intid;

    while ((intid = fake_guest_ack(1)) != 1023) {
        if (intid == VTIMER_PPI) {
            g->timer_pending = fake_guest_reg(cntv_ctl_el0) & 4;
            fake_reg(cntv_ctl_el0) = 0;
        }
        if (g->n < 16)
            g->intid[g->n++] = intid;
        fake_guest_eoi(1, intid);
    }
}

static void guest_arms_vtimer(void *regs, void *arg)
{
    fake_reg(cntv_cval_el0) = *(uint64_t *)arg;
    fake_reg(cntv_ctl_el0) = 1;
}

static void test_the_virtual_timer_is_taken_acked_and_ended_through_an_lr(void **state)
{
    struct vgic_irq *irq = vgic_get_irq(&v->vm->vgic, v->id, VTIMER_PPI);
    struct guest_irqs seen = { 0 };
    uint64_t cval = 5000;
    uint64_t lr;

    fake_guest_takes_ppi(VTIMER_PPI);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFI, .guest = guest_arms_vtimer,
                                        .arg = &cval });
    assert_int_equal(fake_loop(0), FAKE_STOP_IDLE);

    /* The count passes CVAL: the timer's PPI fires at the GIC. */
    fake_reg(cntpct_el0) = v->vm->cnt_offset + cval + 1;
    fake_gic_raise(VTIMER_PPI);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = guest_handles_irqs,
                                        .arg = &seen });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.intid[0], VTIMER_PPI);
    assert_true(seen.timer_pending);
    /* The guest's EOI deactivated the physical PPI through the HW LR;
     * elvisor did not have to. */
    assert_true(fake_log_find("gic hw deactivate 27", 0) >= 0);
    assert_int_equal(fake_log_find("gic deactivate 27", 0), -1);
    assert_false(fake_gic_private_active() & (1u << VTIMER_PPI));
    /* And elvisor's state agrees after the exit: nothing pending or active. */
    assert_false(irq->active);
    assert_false(vgic_irq_is_pending(irq));
    for (unsigned n = 0; n < 4; n++) {
        lr = *fake_lr(n);
        assert_true((lr & ICH_LR_EL2_vINTID_MASK) != VTIMER_PPI || !(lr & ICH_LR_EL2_State_MASK));
    }

    /* Armed again, it fires again and the guest takes it again. */
    cval += 1000;
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFI, .guest = guest_arms_vtimer,
                                        .arg = &cval });
    assert_int_equal(fake_loop(0), FAKE_STOP_IDLE);
    fake_reg(cntpct_el0) = v->vm->cnt_offset + cval + 1;
    fake_gic_raise(VTIMER_PPI);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = guest_handles_irqs,
                                        .arg = &seen });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.intid[1], VTIMER_PPI);
}

/* ISS of an MSR CNTP_CTL_EL0, Xt = 3 (op0 3, op1 3, CRn 14, CRm 2, op2 1). */
#define MSR_CNTP_CTL_X3 ((3ULL << 20) | (1ULL << 17) | (3ULL << 14) | (14ULL << 10) | (3ULL << 5) | (2ULL << 1))

/* The physical timer's handler, first half: acknowledge, then turn the
 * timer off (an MSR that traps, the timer being emulated). */
static void guest_acks_and_stops_ptimer(void *regs, void *arg)
{
    struct guest_irqs *g = arg;
    struct vcpu_regs *r = regs;

    g->intid[g->n++] = fake_guest_ack(1);
    r->x[3] = 0;
}

static void guest_eois(void *regs, void *arg)
{
    struct guest_irqs *g = arg;

    fake_guest_eoi(1, g->intid[g->n - 1]);
}

/* The EL1 physical timer, emulated (no CNTPOFF: every access traps) but
 * run on the hardware timer with the VM's offset: its PPI 30 is forwarded
 * the same way, and the guest's EOI after the trapped CTL write is what
 * deactivates the physical PPI. */
static void test_the_trapped_physical_timer_is_taken_acked_and_ended(void **state)
{
    struct vgic_irq *irq = vgic_get_irq(&v->vm->vgic, v->id, HW_TIMER_PPI_EL1_PHYS);
    struct guest_irqs seen = { 0 };

    fake_guest_takes_ppi(HW_TIMER_PPI_EL1_PHYS);
    fake_exit_msr(3, 14, 2, 2, 3, 6000);            /* CNTP_CVAL_EL0 */
    fake_exit_msr(3, 14, 2, 1, 3, 1);               /* CNTP_CTL_EL0: on */
    fake_exit_sync(WFI);
    assert_int_equal(fake_loop(0), FAKE_STOP_IDLE);
    assert_int_equal(fake_reg(cntp_cval_el0), v->vm->cnt_offset + 6000);

    fake_reg(cntpct_el0) = v->vm->cnt_offset + 6001;
    fake_gic_raise(HW_TIMER_PPI_EL1_PHYS);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_SYS64, MSR_CNTP_CTL_X3),
                                        .guest = guest_acks_and_stops_ptimer, .arg = &seen });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = guest_eois, .arg = &seen });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.intid[0], HW_TIMER_PPI_EL1_PHYS);
    assert_int_equal(v->timers[VTIMER_EL1_PHYS].ctl, 0);
    assert_true(fake_log_find("gic hw deactivate 30", 0) >= 0);
    assert_false(fake_gic_private_active() & (1u << HW_TIMER_PPI_EL1_PHYS));
    assert_false(irq->active);
    assert_false(vgic_irq_is_pending(irq));
}

static void open_cpu_interface(void *regs, void *arg)
{
    fake_reg(ICH_VMCR) = VMCR_OPEN;
}

/* Six SGIs pending at once, four list registers. */
static void guest_pends_six_sgis(void)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = open_cpu_interface });
    fake_exit_mmio(VIRT_GICD_BASE, 4, 1, true, GICD_CTLR_ARE_NS_GRP1);
    fake_exit_mmio(VIRT_GICR_BASE + GICR_IGROUPR0, 4, 1, true, 0x3f);
    fake_exit_mmio(VIRT_GICR_BASE + GICR_ISENABLER0, 4, 1, true, 0x3f);
    fake_exit_mmio(VIRT_GICR_BASE + GICR_ISPENDR0, 4, 1, true, 0x3f);
}

/* vINTIDs of the LRs elvisor wrote between log entries from and to. */
static unsigned lr_writes_between(int from, int to, unsigned *intids, unsigned max)
{
    unsigned n = 0;

    for (int i = from; i < to && n < max; i++) {
        const char *line = fake_log_at((unsigned)i);
        uint64_t val;

        if (strncmp(line, "msr s3_4_c12_c12_", strlen("msr s3_4_c12_c12_")) != 0)
            continue;
        val = strtoull(strchr(line + 4, ' ') + 1, NULL, 16);
        if (val & ICH_LR_EL2_State_MASK)
            intids[n++] = (unsigned)(val & ICH_LR_EL2_vINTID_MASK);
    }
    return n;
}

static void test_underflow_brings_the_rest_in_before_the_guest_exits(void **state)
{
    struct guest_irqs first = { 0 }, second = { 0 };
    unsigned refill[8];
    int maint, enter;

    guest_pends_six_sgis();
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    /* Four in the LRs, and the interface asks for underflow maintenance. */
    for (unsigned n = 0; n < 4; n++)
        assert_int_equal(*fake_lr(n) & ICH_LR_EL2_vINTID_MASK, n);
    assert_true(fake_reg(S3_4_C12_C11_0) & ICH_HCR_EL2_UIE);

    fake_log_clear();
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = guest_handles_irqs,
                                        .arg = &first });
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = guest_handles_irqs,
                                        .arg = &second });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(first.n, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(first.intid[i], i);
    /* The guest's WFE had not happened: the maintenance interrupt's exit
     * came first, and elvisor loaded SGIs 4 and 5 before entering again. */
    maint = fake_log_find("maintenance exit", 0);
    assert_true(maint >= 0);
    assert_true(fake_log_find("gic ack 25", (unsigned)maint) >= 0);
    enter = fake_log_find("guest enter", (unsigned)maint);
    assert_true(enter > maint);
    assert_int_equal(lr_writes_between(maint, enter, refill, 8), 2);
    assert_int_equal(refill[0], 4);
    assert_int_equal(refill[1], 5);
    assert_int_equal(second.n, 2);
    assert_int_equal(second.intid[0], 4);
    assert_int_equal(second.intid[1], 5);
    /* Nothing left to ask for: no underflow request, no maintenance storm. */
    assert_false(fake_reg(S3_4_C12_C11_0) & ICH_HCR_EL2_UIE);
    assert_int_equal(fake_log_count("maintenance exit"), 1);
}

static void guest_acks_one(void *regs, void *arg)
{
    struct guest_irqs *g = arg;

    g->intid[g->n++] = fake_guest_ack(1);
}

/* An interrupt acknowledged before an exit and ended after it: the exit
 * saved the LR as active, the next entry must give it back as active
 * (ahead of anything pending) for the guest's EOI to find it. Otherwise
 * the EOI matches no LR: the hardware only counts it in EOIcount and the
 * interrupt stays active for good. */
static void test_an_interrupt_acked_before_an_exit_is_ended_after_it(void **state)
{
    struct vgic_irq *irq = vgic_get_irq(&v->vm->vgic, v->id, 0);
    struct guest_irqs seen = { 0 };

    guest_pends_six_sgis();
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = guest_acks_one,
                                        .arg = &seen });
    fake_exit_mmio(VIRT_GICD_BASE + 0x8 /* GICD_IIDR */, 4, 2, false, 0);
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFE, .guest = guest_eois, .arg = &seen });
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.intid[0], 0);
    assert_false(irq->active);
    assert_false(vgic_irq_is_pending(irq));
    assert_int_equal(fake_log_find("guest deactivation unmatched", 0), -1);
    assert_int_equal(vgic_v3_cpu_if(&v->vm->vgic, v->id)->hcr & ICH_HCR_EL2_EOIcount_MASK, 0);
}

/* The guest masks every priority (ICC_PMR_EL1 = 0, which the hardware
 * keeps in ICH_VMCR_EL2 without trapping) and waits: its pending SGI is
 * in an LR but not signalled, so the WFI must not end, and the CPU
 * idles. */
static void guest_masks_all_and_tries_to_ack(void *regs, void *arg)
{
    struct guest_irqs *g = arg;

    fake_reg(ICH_VMCR) = fake_reg(ICH_VMCR) & ~(0xffULL << 24);
    g->intid[g->n++] = fake_guest_ack(1);
}

static void test_a_masked_pending_interrupt_does_not_end_wfi(void **state)
{
    struct guest_irqs seen = { 0 };

    guest_pends_six_sgis();
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = WFI, .guest = guest_masks_all_and_tries_to_ack,
                                        .arg = &seen });
    assert_int_equal(fake_loop(0), FAKE_STOP_IDLE);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.intid[0], 1023);
    assert_int_equal(v->wait, VCPU_WAIT_WFI);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_the_virtual_timer_is_taken_acked_and_ended_through_an_lr, setup),
        cmocka_unit_test_setup(test_the_virtual_timer_is_taken_acked_and_ended_through_an_lr, setup_nvhe),
        cmocka_unit_test_setup(test_the_trapped_physical_timer_is_taken_acked_and_ended, setup),
        cmocka_unit_test_setup(test_an_interrupt_acked_before_an_exit_is_ended_after_it, setup),
        cmocka_unit_test_setup(test_a_masked_pending_interrupt_does_not_end_wfi, setup),
        cmocka_unit_test_setup(test_underflow_brings_the_rest_in_before_the_guest_exits, setup),
    };
    return cmocka_run_group_tests_name("list registers with a guest on the fake GIC", tests, NULL, NULL);
}
