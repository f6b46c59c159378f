/* Forwarded (HW) private interrupts whose state the guest changes through
 * the register files: the physical active state each vCPU's CPU is asked
 * to set (vgic_set_phys_active(), recorded by vgic_test_util.h), kicks of
 * a vCPU whose PPI another vCPU changed, and a timer PPI's pending state
 * following its line (vgic_hw_line_level(), faked the same way). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "host_support.h"
#include "vdev/vgic_core.c"
#include "vdev/vgic_regs.c"
#include "vdev/vgic_mmio.c"
#include "vdev/vgic_v3_dist.c"
#include "vdev/vgic_v3_redist.c"
#include "vdev/vgic_v2_dist.c"
#include "vdev/vgic_v3_lr.c"
#include "vdev/vgic_v2_lr.c"
#include "vdev/vgic_lr.c"
#include "vdev/vgic_timer_remap.c"
#include "vdev/vgic_view.c"

#include "vgic_test_util.h"

static const uint64_t mpidrs[2] = { 0x80000000, 0x80000001 };

#define VTR_4LRS ((4ull << ICH_VTR_EL2_PRIbits_SHIFT) | (4ull << ICH_VTR_EL2_PREbits_SHIFT) | 3)
#define VMCR_OPEN (ICH_VMCR_EL2_VENG1 | ICH_VMCR_EL2_VENG0 | (0xffull << ICH_VMCR_EL2_VPMR_SHIFT))

#define VTIMER          27u
#define PTIMER          30u
#define SGI_FRAME(n)    ((n) * VGIC_V3_REDIST_STRIDE + 0x10000u)

static unsigned lr_state(uint64_t lr) { return (unsigned)(lr >> ICH_LR_EL2_State_SHIFT); }

/* The LR of vCPU id holding intid, or NULL. */
static uint64_t *lr_of(unsigned id, uint32_t intid)
{
    struct vgic_v3_cpu_if *c = vgic_v3_cpu_if(&vg, id);

    for (unsigned i = 0; i < VGIC_V3_MAX_LRS; i++)
        if (lr_state(c->lr[i]) && (uint32_t)(c->lr[i] & ICH_LR_EL2_vINTID_MASK) == intid)
            return &c->lr[i];
    return NULL;
}

static void reset_fakes(void)
{
    for (unsigned k = 0; k < VGIC_MAX_VCPUS; k++) {
        kick_count[k] = 0;
        phys_calls[k] = 0;
        phys_active[k] = 0;
    }
    line_vcpu = VGIC_NO_VCPU;
    line_high = 0;
    spi_releases = 0;
}

static int setup(void **state)
{
    (void)state;
    reset_fakes();
    assert_int_equal(vgic_init(&vg, 2, mpidrs, 32), 0);
    for (unsigned i = 0; i < 2; i++) {
        vgic_v3_cpu_if_init(vgic_v3_cpu_if(&vg, i), VTR_4LRS);
        vgic_v3_cpu_if(&vg, i)->vmcr = VMCR_OPEN;
        vg.vcpu[i].priv[VTIMER].enabled = true;
        vg.vcpu[i].priv[PTIMER].enabled = true;
    }
    vg.grp0_enabled = vg.grp1_enabled = true;
    return 0;
}

static void redist_write(unsigned caller, unsigned frame, uint64_t reg, uint32_t bits)
{
    uint64_t val = bits;

    assert_true(mmio_do(vgic_v3_redist_mmio, caller, SGI_FRAME(frame) + reg, 4, true, &val));
}

static uint32_t redist_read(unsigned caller, unsigned frame, uint64_t reg)
{
    uint64_t val;

    assert_true(mmio_do(vgic_v3_redist_mmio, caller, SGI_FRAME(frame) + reg, 4, false, &val));
    return (uint32_t)val;
}

/* What elvisor does when the physical timer PPI fires on vCPU id's CPU:
 * acknowledged (active from then on), forwarded, put in an LR. */
static void timer_fires(unsigned id, uint32_t intid)
{
    phys_active[id] |= 1u << intid;
    vgic_inject_hw(&vg, id, intid, intid);
    vgic_flush_lrs(&vg, id);
    assert_non_null(lr_of(id, intid));
    assert_true(*lr_of(id, intid) & ICH_LR_EL2_HW);
}

/* The guest acknowledges it: the LR turns active. */
static void guest_acks(unsigned id, uint32_t intid)
{
    uint64_t *lr = lr_of(id, intid);

    *lr = (*lr & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
}

static void test_icactiver_releases_physical(void **state)
{
    (void)state;
    timer_fires(0, VTIMER);
    guest_acks(0, VTIMER);
    vgic_sync_lrs(&vg, 0);
    redist_write(0, 0, VGIC_REG_ICACTIVER, 1u << VTIMER);
    assert_int_equal(kick_count[0], 0);             /* its own: no kick */
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
    assert_int_equal(phys_active[0], 0);
    assert_null(lr_of(0, VTIMER));
    /* Nothing more to do at the next entry. */
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
}

static void test_icpendr_releases_physical(void **state)
{
    (void)state;
    timer_fires(0, PTIMER);
    vgic_sync_lrs(&vg, 0);                          /* still pending: not taken */
    redist_write(0, 0, VGIC_REG_ICPENDR, 1u << PTIMER);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_active[0], 0);
    assert_null(lr_of(0, PTIMER));
    /* The line still high re-pends the physical PPI: forwarded again. */
    timer_fires(0, PTIMER);
    assert_int_equal(lr_state(*lr_of(0, PTIMER)), 1);
}

/* Clearing only one of pending/active keeps it in flight: still active. */
static void test_partial_clear_keeps_physical(void **state)
{
    (void)state;
    timer_fires(0, VTIMER);
    guest_acks(0, VTIMER);
    vgic_sync_lrs(&vg, 0);
    redist_write(0, 0, VGIC_REG_ICPENDR, 1u << VTIMER);     /* not pending anyway */
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
    assert_int_equal(phys_active[0], 1u << VTIMER);
    assert_non_null(lr_of(0, VTIMER));
}

/* ISACTIVER / ISPENDR of a forwarded PPI not in flight: the physical one
 * is made active too, so the guest's deactivation through the LR is what
 * releases it, as for one the timer raised. */
static void test_set_makes_physical_active(void **state)
{
    (void)state;
    vgic_inject_hw(&vg, 0, VTIMER, VTIMER);
    vgic_flush_lrs(&vg, 0);
    guest_acks(0, VTIMER);
    *lr_of(0, VTIMER) &= ~ICH_LR_EL2_State_MASK;        /* and deactivates */
    vgic_sync_lrs(&vg, 0);
    redist_write(0, 0, VGIC_REG_ISACTIVER, 1u << VTIMER);
    redist_write(0, 0, VGIC_REG_ISPENDR, 1u << PTIMER);      /* not forwarded yet */
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_active[0], 1u << VTIMER);
}

/* vCPU 1 writes vCPU 0's redistributor: vCPU 0 is kicked and its own CPU
 * applies the change, at its next entry or, sleeping in WFI, before it
 * sleeps again (vgic_apply_hw_resync()). vCPU 1's CPU is never asked. */
static void test_other_vcpu_write(void **state)
{
    (void)state;
    timer_fires(0, VTIMER);
    vgic_sync_lrs(&vg, 0);
    redist_write(1, 0, VGIC_REG_ICPENDR, 1u << VTIMER);
    assert_int_equal(kick_count[0], 1);
    assert_int_equal(phys_calls[1], 0);
    vgic_flush_lrs(&vg, 1);
    assert_int_equal(phys_calls[1], 0);
    vgic_apply_hw_resync(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
    assert_int_equal(phys_active[0], 0);
    vgic_apply_hw_resync(&vg, 0);                   /* taken: once */
    assert_int_equal(phys_calls[0], 1);
}

/* The same while the interrupt sits in vCPU 0's LR (vCPU 0 running): the
 * write wins at its sync, and its flush releases the physical PPI. */
static void test_other_vcpu_write_while_in_lr(void **state)
{
    (void)state;
    timer_fires(0, VTIMER);
    guest_acks(0, VTIMER);
    redist_write(1, 0, VGIC_REG_ICACTIVER, 1u << VTIMER);
    assert_int_equal(kick_count[0], 1);
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
    assert_int_equal(phys_active[0], 0);
    assert_null(lr_of(0, VTIMER));
}

/* A quiet vCPU skips its flush's scan until vgic.gen moves: a write from
 * another vCPU must move it, or the physical PPI would wait. */
static void test_quiet_flush_sees_resync(void **state)
{
    (void)state;
    vgic_inject_hw(&vg, 0, VTIMER, VTIMER);
    vgic_flush_lrs(&vg, 0);
    *lr_of(0, VTIMER) &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_true(vg.vcpu[0].quiet);
    redist_write(1, 0, VGIC_REG_ISACTIVER, 1u << VTIMER);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
    assert_int_equal(phys_active[0], 1u << VTIMER);
}

/* Interrupts that are not forwarded never reach the physical GIC. */
static void test_plain_irq_no_physical(void **state)
{
    (void)state;
    vgic_set_irq_level(&vg, 0, 23, true);
    vg.vcpu[0].priv[23].enabled = true;
    redist_write(0, 0, VGIC_REG_ICPENDR, 1u << 23);
    redist_write(1, 0, VGIC_REG_ICACTIVER, 1u << 23);
    vgic_flush_lrs(&vg, 0);
    vgic_apply_hw_resync(&vg, 0);
    assert_int_equal(phys_calls[0], 0);
    assert_int_equal(vg.vcpu[0].hw_resync, 0);
}

/* ISPENDR0 of a forwarded timer PPI reads its line on the vCPU loaded
 * here, also while active; ISPENDR latches it whatever the line does. */
static void test_pending_read_follows_line(void **state)
{
    (void)state;
    timer_fires(0, VTIMER);
    vgic_sync_lrs(&vg, 0);
    line_vcpu = 0;
    line_high = 1u << VTIMER;
    assert_true(redist_read(0, 0, VGIC_REG_ISPENDR) & (1u << VTIMER));
    line_high = 0;
    assert_false(redist_read(0, 0, VGIC_REG_ISPENDR) & (1u << VTIMER));
    /* Not loaded here: the vGIC's own state. */
    line_vcpu = 1;
    assert_true(redist_read(1, 0, VGIC_REG_ISPENDR) & (1u << VTIMER));
    line_vcpu = 0;
    redist_write(0, 0, VGIC_REG_ISPENDR, 1u << VTIMER);
    assert_true(redist_read(0, 0, VGIC_REG_ICPENDR) & (1u << VTIMER));
    redist_write(0, 0, VGIC_REG_ICPENDR, 1u << VTIMER);
    assert_false(redist_read(0, 0, VGIC_REG_ISPENDR) & (1u << VTIMER));
    line_high = 1u << VTIMER;
    vg.vcpu[0].priv[VTIMER].active = true;
    assert_true(redist_read(0, 0, VGIC_REG_ISPENDR) & (1u << VTIMER));
}

/* An LR still pending (not acknowledged) whose line dropped, e.g. the
 * guest disabled its timer with interrupts masked: taken back at sync and
 * the physical PPI released; with the line still high it stays. */
static void test_sync_drops_when_line_low(void **state)
{
    (void)state;
    line_vcpu = 0;
    line_high = 1u << VTIMER;
    timer_fires(0, VTIMER);
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_non_null(lr_of(0, VTIMER));
    assert_int_equal(phys_calls[0], 0);
    line_high = 0;
    vgic_sync_lrs(&vg, 0);
    assert_false(vgic_irq_is_pending(&vg.vcpu[0].priv[VTIMER]));
    vgic_flush_lrs(&vg, 0);
    assert_null(lr_of(0, VTIMER));
    assert_int_equal(phys_active[0], 0);
    /* Active (acknowledged) is the guest's business: never dropped. */
    timer_fires(0, PTIMER);
    guest_acks(0, PTIMER);
    vgic_sync_lrs(&vg, 0);
    assert_true(vg.vcpu[0].priv[PTIMER].active);
}

/* A pending state the guest set through ISPENDR survives a low line. */
static void test_sync_keeps_soft_pending(void **state)
{
    (void)state;
    line_vcpu = 0;
    vgic_inject_hw(&vg, 0, VTIMER, VTIMER);
    vgic_flush_lrs(&vg, 0);
    *lr_of(0, VTIMER) &= ~ICH_LR_EL2_State_MASK;        /* taken and completed */
    vgic_sync_lrs(&vg, 0);
    redist_write(0, 0, VGIC_REG_ISPENDR, 1u << VTIMER);
    vgic_flush_lrs(&vg, 0);
    assert_non_null(lr_of(0, VTIMER));
    vgic_sync_lrs(&vg, 0);
    assert_true(vgic_irq_is_pending(&vg.vcpu[0].priv[VTIMER]));
    /* Acknowledged and completed: the latch is gone with it. */
    vgic_flush_lrs(&vg, 0);
    *lr_of(0, VTIMER) &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 0);
    assert_false(vg.vcpu[0].priv[VTIMER].pending_soft);
}

/* A guest hypervisor's EL2 physical timer (vINTID 26) runs on the
 * hardware EL1 physical timer (pINTID 30): a change through the register
 * files, and the drop of a line that fell, must act on the physical
 * interrupt 30, never on 26 (elvisor's own EL2 timer). */
#define HYPTIMER 26u
static void test_resync_uses_pintid(void **state)
{
    (void)state;
    vg.vcpu[0].priv[HYPTIMER].enabled = true;
    phys_active[0] = 1u << PTIMER;                  /* acknowledged at EL2 */
    vgic_inject_hw(&vg, 0, HYPTIMER, PTIMER);
    vgic_flush_lrs(&vg, 0);
    assert_non_null(lr_of(0, HYPTIMER));
    guest_acks(0, HYPTIMER);
    vgic_sync_lrs(&vg, 0);
    redist_write(0, 0, VGIC_REG_ICACTIVER, 1u << HYPTIMER);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
    assert_int_equal(phys_active[0], 0);            /* 30 released, 26 untouched */
    /* Pending in an LR, its line low at sync: 30 released again. */
    reset_fakes();
    line_vcpu = 0;
    phys_active[0] = (1u << PTIMER) | (1u << HYPTIMER);
    vgic_inject_hw(&vg, 0, HYPTIMER, PTIMER);
    vgic_flush_lrs(&vg, 0);
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(phys_active[0], 1u << HYPTIMER);   /* elvisor's own kept */
}

/* A guest hypervisor's guest ended, through an LR with HW = 1, the
 * hypervisor's forwarded timer interrupt: vgic_deactivate() ends it as
 * ICACTIVER would, and the physical PPI is released by the resync. */
static void test_deactivate_forwarded(void **state)
{
    (void)state;
    timer_fires(0, VTIMER);
    guest_acks(0, VTIMER);
    vgic_sync_lrs(&vg, 0);
    vgic_deactivate(&vg, 0, VTIMER);
    assert_false(vg.vcpu[0].priv[VTIMER].active);
    assert_int_equal(kick_count[0], 0);
    vgic_apply_hw_resync(&vg, 0);
    assert_int_equal(phys_calls[0], 1);
    assert_int_equal(phys_active[0], 0);
    /* Out of range: nothing. */
    vgic_deactivate(&vg, 0, VGIC_MAX_INTID + 1);
    vgic_deactivate(&vg, 2, VTIMER);
}

/* A timer interrupt taken as a software one (its timer in memory) and
 * still active when the hardware timer runs that timer again is forwarded
 * again; not one that is only pending, in an LR, or already forwarded. */
static void test_remap_hw_active(void **state)
{
    struct vgic_irq *irq = &vg.vcpu[0].priv[VTIMER];

    (void)state;
    assert_false(vgic_remap_hw_active(&vg, 0, VTIMER, VTIMER));     /* inactive */
    vgic_inject_edge(&vg, 0, VTIMER);
    assert_false(vgic_remap_hw_active(&vg, 0, VTIMER, VTIMER));     /* only pending */
    vgic_flush_lrs(&vg, 0);
    guest_acks(0, VTIMER);
    assert_false(vgic_remap_hw_active(&vg, 0, VTIMER, VTIMER));     /* in an LR */
    vgic_sync_lrs(&vg, 0);
    assert_true(irq->active && !irq->hw);
    assert_false(vgic_remap_hw_active(&vg, 0, VTIMER, 5));          /* an SGI cannot be */
    assert_true(vgic_remap_hw_active(&vg, 0, VTIMER, VTIMER));
    assert_true(irq->hw && irq->pintid == VTIMER);
    assert_false(vgic_remap_hw_active(&vg, 0, VTIMER, VTIMER));     /* already */
    /* Its deactivation now reaches the physical PPI through the LR. */
    vgic_flush_lrs(&vg, 0);
    assert_non_null(lr_of(0, VTIMER));
    assert_true(*lr_of(0, VTIMER) & ICH_LR_EL2_HW);
}

/* A guest hypervisor's context switch moves its hardware virtual timer
 * from its guest's timer (vINTID 27) to its own CNTHV (vINTID 28), both
 * forwarded from PPI 27 (vcpu_timers_remap()). Its guest ended INTID 27
 * through an LR with HW = 1, so 27 is idle when its timer leaves: it must
 * lose its forwarding all the same. Else KVM's later ISACTIVER0 write of
 * 27 (at vEL2, Linux 7.3) made the physical PPI 27 active and CNTHV never
 * fired again. 28, idle, is forwarded from 27 from then on; 27, active
 * as a software interrupt when its timer comes back, is forwarded again
 * and its PPI made active. */
#define HVTIMER 28u

static void test_timers_remap_idle_left(void **state)
{
    const uint8_t nested[2] = { PTIMER, VTIMER }, hyp[2] = { HYPTIMER, HVTIMER };
    const uint32_t ppi[2] = { PTIMER, VTIMER };
    struct vgic_irq *vt = &vg.vcpu[0].priv[VTIMER], *hv = &vg.vcpu[0].priv[HVTIMER];

    (void)state;
    hv->enabled = true;
    timer_fires(0, VTIMER);
    guest_acks(0, VTIMER);
    *lr_of(0, VTIMER) &= ~ICH_LR_EL2_State_MASK;    /* its guest's end */
    phys_active[0] = 0;
    vgic_sync_lrs(&vg, 0);
    assert_true(vt->hw && !vt->active && !vgic_irq_is_pending(vt));

    assert_int_equal(vgic_timers_remap(&vg, 0, nested, hyp, ppi, 2), 0);
    assert_false(vt->hw);
    assert_true(hv->hw && hv->pintid == VTIMER);
    redist_write(0, 0, VGIC_REG_ISACTIVER, 1u << VTIMER);
    vgic_apply_hw_resync(&vg, 0);
    assert_int_equal(phys_active[0], 0);
    assert_true(vt->active);

    assert_int_equal(vgic_timers_remap(&vg, 0, hyp, nested, ppi, 2), 1u << VTIMER);
    assert_true(vt->hw && vt->pintid == VTIMER);
    assert_false(hv->hw);
}

/* The operator's `irqs` (vgic_snapshot): the enabled, pending, active or
 * LR-held interrupts of a bank in INTID order, forwarding and LR owner
 * included; the count goes on past max; SPIs by VGIC_NO_VCPU. */
static void test_snapshot(void **state)
{
    struct vgic_irq_view out[2];

    (void)state;
    timer_fires(0, VTIMER);
    assert_int_equal(vgic_snapshot(&vg, 0, out, 2), 2);         /* 27 and 30, enabled by setup */
    assert_int_equal(out[0].intid, VTIMER);
    assert_true(out[0].enabled && out[0].hw && out[0].pintid == VTIMER && out[0].lr_owner == 0);
    assert_false(out[0].active);
    assert_int_equal(out[1].intid, PTIMER);
    assert_false(out[1].hw || out[1].pending || out[1].lr_owner != VGIC_NONE8);
    assert_int_equal(vgic_snapshot(&vg, 0, out, 1), 2);         /* one copied, two counted */
    vg.vcpu[1].priv[PTIMER].enabled = false;
    assert_int_equal(vgic_snapshot(&vg, 1, out, 2), 1);
    assert_int_equal(vgic_snapshot(&vg, VGIC_NO_VCPU, out, 2), 0);
    vg.spi[0].enabled = true;
    assert_int_equal(vgic_snapshot(&vg, VGIC_NO_VCPU, out, 2), 1);
    assert_int_equal(out[0].intid, VGIC_SPI_BASE);
    assert_int_equal(vgic_snapshot(&vg, 2, out, 2), 0);         /* no such vCPU */
}

/* GICv2: the banked GICD_ICACTIVER0 acts on the accessing vCPU's PPI. */
/* ---- Forwarded SPIs (an assigned device's INTx): the distributor's ---- */

#define DEV_SPI 36u

static void dist_write(unsigned caller, uint64_t reg, uint32_t intid)
{
    uint64_t val = 1u << (intid % 32);

    assert_true(mmio_do(vgic_v3_dist_mmio, caller, reg + intid / 32 * 4, 4, true, &val));
}

/* The device's line fired, elvisor acknowledged it at EL2 (active from
 * then on) and forwarded it; vCPU 0 (its target) has it in an LR. */
static void spi_fires(void)
{
    vg.spi[DEV_SPI - VGIC_SPI_BASE].enabled = true;
    vgic_inject_hw(&vg, VGIC_NO_VCPU, DEV_SPI, DEV_SPI);
    vgic_flush_lrs(&vg, 0);
    assert_non_null(lr_of(0, DEV_SPI));
    assert_true(*lr_of(0, DEV_SPI) & ICH_LR_EL2_HW);
}

static void test_spi_icactiver_releases_physical(void **state)
{
    (void)state;
    spi_fires();
    guest_acks(0, DEV_SPI);
    vgic_sync_lrs(&vg, 0);
    dist_write(0, VGIC_REG_ICACTIVER, DEV_SPI);
    assert_int_equal(spi_releases, 1);
    assert_int_equal(spi_released[0], DEV_SPI);
    vgic_flush_lrs(&vg, 0);
    assert_null(lr_of(0, DEV_SPI));
    assert_int_equal(spi_releases, 1);
}

static void test_spi_icpendr_releases_physical(void **state)
{
    (void)state;
    spi_fires();
    vgic_sync_lrs(&vg, 0);                          /* not taken: pending */
    dist_write(0, VGIC_REG_ICPENDR, DEV_SPI);
    assert_int_equal(spi_releases, 1);
    vgic_flush_lrs(&vg, 0);
    assert_null(lr_of(0, DEV_SPI));
}

/* Clearing the pending state of an active one: still in flight. */
static void test_spi_partial_clear_keeps_physical(void **state)
{
    (void)state;
    spi_fires();
    guest_acks(0, DEV_SPI);
    vgic_sync_lrs(&vg, 0);
    dist_write(0, VGIC_REG_ICPENDR, DEV_SPI);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(spi_releases, 0);
    assert_true(*lr_of(0, DEV_SPI) & ICH_LR_EL2_HW);
}

/* vCPU 1 clears it while it sits in running vCPU 0's LR: released only
 * once vCPU 0 has synced (kicked), and only once. */
static void test_spi_write_while_in_lr(void **state)
{
    unsigned kicks;

    (void)state;
    spi_fires();
    guest_acks(0, DEV_SPI);
    kicks = kick_count[0];
    dist_write(1, VGIC_REG_ICACTIVER, DEV_SPI);
    assert_int_equal(spi_releases, 0);
    assert_int_equal(kick_count[0], kicks + 1);
    vgic_flush_lrs(&vg, 1);                         /* another vCPU's flush: still in vCPU 0's LR */
    assert_int_equal(spi_releases, 0);
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(spi_releases, 1);
    assert_null(lr_of(0, DEV_SPI));
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(spi_releases, 1);
}

/* The ordinary end, through the LR's HW bit: nothing for the vGIC to do. */
static void test_spi_lr_deactivation_no_release(void **state)
{
    (void)state;
    spi_fires();
    *lr_of(0, DEV_SPI) &= ~ICH_LR_EL2_State_MASK;      /* acked and deactivated */
    vgic_sync_lrs(&vg, 0);
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(spi_releases, 0);
    assert_null(lr_of(0, DEV_SPI));
}

static void test_v2_banked_icactiver(void **state)
{
    uint64_t val = 1u << VTIMER;

    (void)state;
    reset_fakes();
    assert_int_equal(vgic_init_v2(&vg, 2, 32), 0);
    for (unsigned i = 0; i < 2; i++) {
        vgic_v2_cpu_if_init(vgic_v2_cpu_if(&vg, i), 3);
        vg.vcpu[i].priv[VTIMER].enabled = true;
    }
    vg.grp0_enabled = true;
    vgic_inject_hw(&vg, 1, VTIMER, VTIMER);
    vgic_flush_lrs(&vg, 1);
    vgic_sync_lrs(&vg, 1);
    assert_true(mmio_do(vgic_v2_dist_mmio, 1, VGIC_REG_ICPENDR, 4, true, &val));
    assert_int_equal(kick_count[1], 0);
    assert_int_equal(vg.vcpu[0].hw_resync, 0);
    phys_active[1] = 1u << VTIMER;
    vgic_flush_lrs(&vg, 1);
    assert_int_equal(phys_calls[1], 1);
    assert_int_equal(phys_active[1], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_icactiver_releases_physical, setup),
        cmocka_unit_test_setup(test_icpendr_releases_physical, setup),
        cmocka_unit_test_setup(test_partial_clear_keeps_physical, setup),
        cmocka_unit_test_setup(test_set_makes_physical_active, setup),
        cmocka_unit_test_setup(test_other_vcpu_write, setup),
        cmocka_unit_test_setup(test_other_vcpu_write_while_in_lr, setup),
        cmocka_unit_test_setup(test_quiet_flush_sees_resync, setup),
        cmocka_unit_test_setup(test_plain_irq_no_physical, setup),
        cmocka_unit_test_setup(test_pending_read_follows_line, setup),
        cmocka_unit_test_setup(test_sync_drops_when_line_low, setup),
        cmocka_unit_test_setup(test_sync_keeps_soft_pending, setup),
        cmocka_unit_test_setup(test_v2_banked_icactiver, setup),
        cmocka_unit_test_setup(test_resync_uses_pintid, setup),
        cmocka_unit_test_setup(test_deactivate_forwarded, setup),
        cmocka_unit_test_setup(test_remap_hw_active, setup),
        cmocka_unit_test_setup(test_timers_remap_idle_left, setup),
        cmocka_unit_test_setup(test_snapshot, setup),
        cmocka_unit_test_setup(test_spi_icactiver_releases_physical, setup),
        cmocka_unit_test_setup(test_spi_icpendr_releases_physical, setup),
        cmocka_unit_test_setup(test_spi_partial_clear_keeps_physical, setup),
        cmocka_unit_test_setup(test_spi_write_while_in_lr, setup),
        cmocka_unit_test_setup(test_spi_lr_deactivation_no_release, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
