/* vGIC quiet vCPUs: a flush that has nothing new to consider is skipped,
 * and everything that can give a vCPU something new ends its quiet state
 * (the busy bitmaps, own-SGI records, register writes, other vCPUs'
 * syncs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <cmocka.h>

#include "host_support.h"
#include "vdev/vgic_core.c"
#include "vdev/vgic_regs.c"
#include "vdev/vgic_mmio.c"
#include "vdev/vgic_v3_dist.c"
#include "vdev/vgic_v3_redist.c"
#include "vdev/vgic_v3_lr.c"
#include "vdev/vgic_v2_lr.c"
#include "vdev/vgic_lr.c"

#include "vgic_test_util.h"
#include "vgic_lr_test_util.h"
#include "vgic_v3_lr_test_setup.h"

/* ---- Quiet vCPUs: a flush that has nothing new to consider is skipped ---- */

static void dist_write(unsigned vcpu, uint64_t off, unsigned size, uint64_t val)
{
    assert_true(mmio_do(vgic_v3_dist_mmio, vcpu, off, size, true, &val));
}

static void redist_write(unsigned vcpu, unsigned frame, uint64_t off, uint64_t val)
{
    assert_true(mmio_do(vgic_v3_redist_mmio, vcpu, frame * VGIC_V3_REDIST_STRIDE + off, 4, true, &val));
}

static uint64_t bit_of(uint32_t intid) { return 1ull << (intid % 32); }
static uint64_t bank_of(uint32_t intid) { return 4 * (intid / 32); }

/* Flushes vCPU 0 with nothing to deliver, so that it is quiet. */
static void make_quiet(void)
{
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 0);
    assert_true(vg.vcpu[0].quiet);
}

static void test_quiet_flush_is_skipped(void **state)
{
    (void)state;
    make_quiet();
    /* A change behind the model's back (no real path does this) is not
     * seen: the skip is real... */
    enable_spi(50, 0x80);
    vg.spi[50 - VGIC_SPI_BASE].pending_latch = true;
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 0);
    /* ...and any change that moves gen ends it (a real change also
     * marks the interrupt busy, vgic_note_change()). */
    vg.gen++;
    vgic_mark_busy(&vg, &vg.spi[50 - VGIC_SPI_BASE]);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, 50) >= 0);
    /* The LRs now hold what a flush at this gen gives, so the next one is
     * skipped too, until gen moves (a sync freeing the LR moves it). */
    assert_true(vg.vcpu[0].quiet);
    assert_int_equal(vg.vcpu[0].quiet_gen, vg.gen);
    cif(0)->lr[find_lr(0, 50)] &= ~ICH_LR_EL2_State_MASK;   /* the guest took it */
    vgic_sync_lrs(&vg, 0);
    assert_int_not_equal(vg.vcpu[0].quiet_gen, vg.gen);
}

/* A vCPU waiting in WFI alone on its CPU: the wake-up test flushes in
 * the same pass when, and only when, something would wake it. */
static void test_wake_flush(void **state)
{
    const uint64_t sgi3_to_vcpu0 = (3ull << ICC_SGI1R_INTID_SHIFT) | 1;
    uint32_t gen;

    (void)state;
    redist_write(0, 0, GICR_SGI_BASE + VGIC_REG_ISENABLER, bit_of(3));
    make_quiet();
    assert_false(vgic_flush_lrs_if_pending(&vg, 0));
    vgic_send_sgi(&vg, 1, sgi3_to_vcpu0);
    /* Masked by the guest's priority mask: it sleeps on, and holds no LR. */
    cif(0)->vmcr = ICH_VMCR_EL2_VENG1;
    assert_false(vgic_flush_lrs_if_pending(&vg, 0));
    assert_int_equal(used_lrs(0), 0);
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    /* Unmasked: woken, and the SGI is in an LR already... */
    cif(0)->vmcr = VMCR_OPEN;
    assert_true(vgic_flush_lrs_if_pending(&vg, 0));
    assert_true(find_lr(0, 3) >= 0);
    /* ...so the flush before its entry has nothing left to do. */
    gen = vg.gen;
    vgic_flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 1);
    assert_int_equal(vg.gen, gen);
    assert_true(vgic_lrs_current(&vg, 0));
}

/* The sender of an SGI to other vCPUs only may re-enter at once: the vGIC
 * says so exactly when that SGI was the one change since the exit began. */
static void test_own_sgi_record(void **state)
{
    const uint64_t to_vcpu0 = (3ull << ICC_SGI1R_INTID_SHIFT) | 1;
    const uint64_t to_vcpu0_and_1 = (3ull << ICC_SGI1R_INTID_SHIFT) | 3;
    uint32_t gen;

    (void)state;
    gen = vg.gen;
    vgic_send_sgi(&vg, 1, to_vcpu0);
    assert_true(vgic_moved_only_by_own_sgi(&vg, 1, gen));
    assert_false(vgic_moved_only_by_own_sgi(&vg, 0, gen));      /* not vCPU 0's */
    /* An older record does not cover a later exit's change. */
    gen = vg.gen;
    dist_write(1, VGIC_REG_ISENABLER + 4, 4, 1);
    assert_false(vgic_moved_only_by_own_sgi(&vg, 1, gen));
    /* The sender among the targets: news for itself. */
    gen = vg.gen;
    vgic_send_sgi(&vg, 1, to_vcpu0_and_1);
    assert_false(vgic_moved_only_by_own_sgi(&vg, 1, gen));
    /* Another change during the same exit. */
    gen = vg.gen;
    vgic_send_sgi(&vg, 1, to_vcpu0);
    dist_write(1, VGIC_REG_ISENABLER + 4, 4, 2);
    assert_false(vgic_moved_only_by_own_sgi(&vg, 1, gen));
}

/* Each real way an interrupt becomes deliverable to vCPU 0 wakes its flush. */
static void test_quiet_ends_on_every_source(void **state)
{
    const uint32_t spi = 40, ppi = 23;

    (void)state;
    /* Edge injection of an enabled SPI. */
    dist_write(1, VGIC_REG_ISENABLER + bank_of(spi), 4, bit_of(spi));
    make_quiet();
    vgic_inject_edge(&vg, VGIC_NO_VCPU, spi);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, spi) >= 0);
    cif(0)->lr[find_lr(0, spi)] = 0;                 /* guest handled it */
    vgic_sync_lrs(&vg, 0);

    /* A level PPI line (the guest enabled it through its redistributor). */
    redist_write(0, 0, GICR_SGI_BASE + VGIC_REG_ISENABLER, bit_of(ppi));
    make_quiet();
    vgic_set_irq_level(&vg, 0, ppi, true);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, ppi) >= 0);
    vgic_set_irq_level(&vg, 0, ppi, false);
    cif(0)->lr[find_lr(0, ppi)] = 0;
    vgic_sync_lrs(&vg, 0);

    /* A forwarded timer. */
    redist_write(0, 0, GICR_SGI_BASE + VGIC_REG_ISENABLER, bit_of(27));
    make_quiet();
    vgic_inject_hw(&vg, 0, 27, 27);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, 27) >= 0);
    cif(0)->lr[find_lr(0, 27)] = 0;
    vgic_sync_lrs(&vg, 0);

    /* An SGI from vCPU 1 (target list: Aff0 0 in cluster 0.0.0). */
    redist_write(0, 0, GICR_SGI_BASE + VGIC_REG_ISENABLER, bit_of(3));
    make_quiet();
    vgic_send_sgi(&vg, 1, (3ull << ICC_SGI1R_INTID_SHIFT) | 1);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, 3) >= 0);
    cif(0)->lr[find_lr(0, 3)] = 0;
    vgic_sync_lrs(&vg, 0);
}

/* Register writes by another vCPU that make something deliverable here. */
static void test_quiet_ends_on_register_writes(void **state)
{
    const uint32_t a = 44, b = 45, c = 46;

    (void)state;
    /* GICD_ISPENDR on an enabled SPI. */
    dist_write(1, VGIC_REG_ISENABLER + bank_of(a), 4, bit_of(a));
    make_quiet();
    dist_write(1, VGIC_REG_ISPENDR + bank_of(a), 4, bit_of(a));
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, a) >= 0);
    cif(0)->lr[find_lr(0, a)] = 0;
    vgic_sync_lrs(&vg, 0);

    /* GICD_ISENABLER on an SPI already pending. */
    dist_write(1, VGIC_REG_ISPENDR + bank_of(b), 4, bit_of(b));
    make_quiet();
    dist_write(1, VGIC_REG_ISENABLER + bank_of(b), 4, bit_of(b));
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, b) >= 0);
    cif(0)->lr[find_lr(0, b)] = 0;
    vgic_sync_lrs(&vg, 0);

    /* GICD_IROUTER moving a pending SPI from vCPU 1 to vCPU 0. */
    dist_write(1, GICD_IROUTER + 8 * c, 8, 1);
    dist_write(1, VGIC_REG_ISENABLER + bank_of(c), 4, bit_of(c));
    dist_write(1, VGIC_REG_ISPENDR + bank_of(c), 4, bit_of(c));
    make_quiet();
    dist_write(1, GICD_IROUTER + 8 * c, 8, 0);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, c) >= 0);
    cif(0)->lr[find_lr(0, c)] = 0;
    vgic_sync_lrs(&vg, 0);

    /* GICD_CTLR enabling Group 1 with an interrupt waiting. */
    dist_write(1, GICD_CTLR, 4, 0);
    dist_write(1, VGIC_REG_ISPENDR + bank_of(a), 4, bit_of(a));
    make_quiet();
    dist_write(1, GICD_CTLR, 4, 3);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, a) >= 0);
}

/* vCPU 1 lets go of an active SPI that is pending again and routed to
 * vCPU 0 meanwhile: vCPU 1's sync is what makes it vCPU 0's to take. */
static void test_quiet_ends_on_other_vcpu_sync(void **state)
{
    const uint32_t spi = 47;
    int n;

    (void)state;
    dist_write(1, GICD_IROUTER + 8 * spi, 8, 1);
    dist_write(1, VGIC_REG_ISENABLER + bank_of(spi), 4, bit_of(spi));
    vgic_inject_edge(&vg, VGIC_NO_VCPU, spi);
    vgic_flush_lrs(&vg, 1);
    n = find_lr(1, spi);
    assert_true(n >= 0);
    cif(1)->lr[n] = (cif(1)->lr[n] & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);  /* acked */
    vgic_sync_lrs(&vg, 1);
    dist_write(0, GICD_IROUTER + 8 * spi, 8, 0);     /* re-routed while active on vCPU 1 */
    vgic_inject_edge(&vg, VGIC_NO_VCPU, spi);        /* and pending again */
    make_quiet();                                    /* still vCPU 1's: nothing here */
    vgic_flush_lrs(&vg, 1);
    n = find_lr(1, spi);
    assert_true(n >= 0);
    cif(1)->lr[n] = (cif(1)->lr[n] & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, PENDING);  /* deactivated */
    vgic_sync_lrs(&vg, 1);
    vgic_flush_lrs(&vg, 0);
    assert_true(find_lr(0, spi) >= 0);
}

/* The flush and the WFI test visit only the busy bitmaps: an interrupt
 * enters them when it becomes pending (each injection path), is placed
 * from them, and leaves them once it is neither pending nor active. */
static void test_busy_bitmaps_follow_state(void **state)
{
    (void)state;
    assert_int_equal(vg.spi_busy[0] | vg.vcpu[0].priv_busy, 0);
    enable_spi(95, 0x80);
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 95, true);
    assert_true(vg.spi_busy[0] & (1ull << (95 - VGIC_SPI_BASE)));
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    vg.vcpu[0].priv[3].enabled = true;
    vgic_send_sgi(&vg, 1, (3ull << ICC_SGI1R_INTID_SHIFT) | 1);  /* SGI 3 to 0.0.0.0 */
    assert_true(vg.vcpu[0].priv_busy & (1u << 3));
    flush_lrs(&vg, 0);
    assert_true(find_lr(0, 95) >= 0);
    assert_true(find_lr(0, 3) >= 0);
    /* Acknowledged, deactivated and the line low: both leave the maps at
     * the next walk. */
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 95, false);
    cif(0)->lr[find_lr(0, 95)] &= ~ICH_LR_EL2_State_MASK;
    cif(0)->lr[find_lr(0, 3)] &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 0);
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    assert_int_equal(vg.spi_busy[0] | vg.vcpu[0].priv_busy, 0);
    /* A pending interrupt in the maps is found by the next flush. */
    vgic_inject_edge(&vg, 0, 95);
    flush_lrs(&vg, 0);
    assert_true(find_lr(0, 95) >= 0);
}

/* vgic_flush_lrs() writes only the LRs it fills and the hardware is loaded
 * from the used ones: that is safe because a sync zeroes every LR it frees,
 * so no stale bits of an earlier interrupt stay in a free LR's shadow. */
static void test_freed_lrs_are_zero(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        enable_spi(40 + i, 0x80);
        vgic_inject_edge(&vg, 0, 40 + i);
    }
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 3);
    /* The guest completed two, the third is still pending. */
    cif(0)->lr[0] &= ~ICH_LR_EL2_State_MASK;
    cif(0)->lr[1] &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 0);
    for (unsigned i = 0; i < VGIC_V3_MAX_LRS; i++)
        assert_int_equal(cif(0)->lr[i], 0);
    flush_lrs(&vg, 0);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 42);
    for (unsigned i = 1; i < VGIC_V3_MAX_LRS; i++)
        assert_int_equal(cif(0)->lr[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_quiet_flush_is_skipped, setup),
        cmocka_unit_test_setup(test_wake_flush, setup),
        cmocka_unit_test_setup(test_own_sgi_record, setup),
        cmocka_unit_test_setup(test_quiet_ends_on_every_source, setup),
        cmocka_unit_test_setup(test_quiet_ends_on_register_writes, setup),
        cmocka_unit_test_setup(test_quiet_ends_on_other_vcpu_sync, setup),
        cmocka_unit_test_setup(test_busy_bitmaps_follow_state, setup),
        cmocka_unit_test_setup(test_freed_lrs_are_zero, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
