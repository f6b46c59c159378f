/* vGIC interrupt delivery: injection, SGIs, list-register flush/sync, WFI
 * wake-up decisions and cross-vCPU kicks. */
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

static void test_cpu_if_init(void **state)
{
    struct vgic_v3_cpu_if c;

    (void)state;
    vgic_v3_cpu_if_init(&c, VTR_4LRS);
    assert_int_equal(c.nr_lrs, 4);
    assert_int_equal(c.nr_apr, 1);
    assert_int_equal(c.hcr, ICH_HCR_EL2_En);
    vgic_v3_cpu_if_init(&c, (6ull << ICH_VTR_EL2_PREbits_SHIFT) | 15);
    assert_int_equal(c.nr_lrs, 16);
    assert_int_equal(c.nr_apr, 4);
    vgic_v3_cpu_if_init(&c, (5ull << ICH_VTR_EL2_PREbits_SHIFT) | 0x1f);
    assert_int_equal(c.nr_lrs, 16);                 /* clamped to the shadow's size */
    assert_int_equal(c.nr_apr, 2);
    assert_null(vgic_v3_cpu_if(&vg, 4));
}

static void test_flush_priority_order_and_uie(void **state)
{
    static const uint8_t prio[6] = { 0xa0, 0x20, 0x80, 0x20, 0xf0, 0x40 };

    (void)state;
    for (unsigned i = 0; i < 6; i++) {
        enable_spi(40 + i, prio[i]);
        vgic_inject_edge(&vg, 0, 40 + i);
    }
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 4);
    /* 41 and 43 (0x20, lower INTID first), then 45 (0x40), 42 (0x80). */
    assert_int_equal(lr_intid(cif(0)->lr[0]), 41);
    assert_int_equal(lr_intid(cif(0)->lr[1]), 43);
    assert_int_equal(lr_intid(cif(0)->lr[2]), 45);
    assert_int_equal(lr_intid(cif(0)->lr[3]), 42);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(lr_state(cif(0)->lr[i]), 1);
        assert_true(cif(0)->lr[i] & ICH_LR_EL2_Group);
        assert_false(cif(0)->lr[i] & ICH_LR_EL2_HW);
    }
    assert_int_equal(lr_prio(cif(0)->lr[0]), 0x20);
    assert_true(cif(0)->hcr & ICH_HCR_EL2_En);
    assert_true(cif(0)->hcr & ICH_HCR_EL2_UIE);

    /* The guest takes and completes everything: LRs come back invalid. */
    for (unsigned i = 0; i < 4; i++)
        cif(0)->lr[i] &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 0);
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 2);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 40);
    assert_int_equal(lr_intid(cif(0)->lr[1]), 44);
    assert_false(cif(0)->hcr & ICH_HCR_EL2_UIE);
    assert_int_equal(kick_count[1] + kick_count[2] + kick_count[3], 0);
}

static void test_single_lr_overflow_uses_eoi(void **state)
{
    (void)state;
    vgic_v3_cpu_if_init(cif(0), VTR_4LRS & ~ICH_VTR_EL2_ListRegs_MASK);
    cif(0)->vmcr = VMCR_OPEN;
    enable_spi(40, 0x10);
    vg.spi[8].edge = true;
    enable_spi(41, 0x20);
    vgic_inject_edge(&vg, 0, 40);
    vgic_inject_edge(&vg, 0, 41);
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 1);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 40);
    assert_false(cif(0)->hcr & ICH_HCR_EL2_UIE);        /* would fire forever */
    assert_true(cif(0)->lr[0] & ICH_LR_EL2_HW0_EOI);
    assert_int_equal(cif(0)->lr[1], 0);
}

static void test_flush_skips_undeliverable(void **state)
{
    (void)state;
    vgic_inject_edge(&vg, 0, 40);                   /* disabled */
    enable_spi(41, 0);
    vg.spi[9].group1 = false;                       /* Group 0, group disabled below */
    vgic_inject_edge(&vg, 0, 41);
    enable_spi(42, 0);
    vgic_inject_edge(&vg, 0, 42);
    vg.grp0_enabled = false;
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 1);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 42);
    assert_false(cif(0)->hcr & ICH_HCR_EL2_UIE);
    /* SPI 42 goes to vCPU 0 (IROUTER 0), not vCPU 1. */
    flush_lrs(&vg, 1);
    assert_int_equal(used_lrs(1), 0);
    vg.grp0_enabled = true;
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 2);
    assert_int_equal(find_lr(0, 41), 1);
    assert_false(cif(0)->lr[1] & ICH_LR_EL2_Group);
    assert_int_equal(find_lr(0, 40), -1);
}

static void test_sync_states(void **state)
{
    int a, b, c;

    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        enable_spi(50 + i, 0x80);
        vg.spi[18 + i].edge = true;
        vgic_inject_edge(&vg, 0, 50 + i);
    }
    flush_lrs(&vg, 0);
    a = find_lr(0, 50);
    b = find_lr(0, 51);
    c = find_lr(0, 52);
    assert_true(a >= 0 && b >= 0 && c >= 0);
    assert_false(vg.spi[18].pending_latch);         /* the LR holds the edge now */
    cif(0)->lr[a] &= ~ICH_LR_EL2_State_MASK;            /* 50: acked and EOI'd */
    cif(0)->lr[c] = (cif(0)->lr[c] & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE); /* 52 acked */
    /* 51 left pending; meanwhile a new edge of 52 arrives. */
    vgic_inject_edge(&vg, 0, 52);
    vgic_sync_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 0);
    assert_false(vg.spi[18].pending_latch || vg.spi[18].active);
    assert_true(vg.spi[19].pending_latch && !vg.spi[19].active);
    assert_true(vg.spi[20].pending_latch && vg.spi[20].active);
    assert_int_equal(vg.spi[20].lr_owner, VGIC_NONE8);

    /* Active comes first, as pending+active. */
    enable_spi(53, 0x00);
    vgic_inject_edge(&vg, 0, 53);
    flush_lrs(&vg, 0);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 52);
    assert_int_equal(lr_state(cif(0)->lr[0]), 3);
    assert_int_equal(lr_intid(cif(0)->lr[1]), 53);
    assert_int_equal(lr_intid(cif(0)->lr[2]), 51);
    assert_int_equal(used_lrs(0), 3);
    /* Double flush does not duplicate anything. */
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 3);
}

static void test_level_repend(void **state)
{
    int n;

    (void)state;
    check_level_repends_while_line_high();

    /* ISPENDR on a level IRQ latches until the guest acknowledges it. */
    vg.spi[1].pending_latch = true;
    vgic_mark_busy(&vg, &vg.spi[1]);    /* what the register write does */
    flush_lrs(&vg, 0);
    n = find_lr(0, 33);
    cif(0)->lr[n] = (cif(0)->lr[n] & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
    vgic_sync_lrs(&vg, 0);
    assert_false(vg.spi[1].pending_latch);
}

static void test_hw_forwarded(void **state)
{
    struct vgic_irq *vt = &vg.vcpu[1].priv[27];
    uint64_t lr;
    int n;

    (void)state;
    vt->enabled = true;
    vt->priority = 0xa0;
    vgic_inject_hw(&vg, 1, 27, 27);
    assert_int_equal(kick_count[1], 0);              /* the caller itself */
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_true(n >= 0);
    lr = cif(1)->lr[n];
    assert_true(lr & ICH_LR_EL2_HW);
    assert_int_equal((lr & ICH_LR_EL2_pINTID_MASK) >> ICH_LR_EL2_pINTID_SHIFT, 27);
    assert_int_equal(lr_prio(lr), 0xa0);
    assert_int_equal(lr_state(lr), 1);
    assert_true(lr & ICH_LR_EL2_Group);
    assert_int_equal(lr, (1ull << 62) | ICH_LR_EL2_HW | ICH_LR_EL2_Group | (0xa0ull << 48) |
                             (27ull << 32) | 27);
    /* Guest acks; the physical timer fires again only after deactivation,
     * but even a stray injection must never give pending+active. */
    cif(1)->lr[n] = (lr & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
    vgic_sync_lrs(&vg, 1);
    vgic_inject_hw(&vg, 1, 27, 27);
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_int_equal(lr_state(cif(1)->lr[n]), 2);
    /* Guest deactivates (the hardware deactivates pINTID 27 too). */
    cif(1)->lr[n] &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 1);
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_int_equal(lr_state(cif(1)->lr[n]), 1);    /* the stray one */

    /* Back to software emulation: level injection works again, no HW bit. */
    cif(1)->lr[n] &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 1);
    vgic_unmap_hw(&vg, 1, 27);
    vgic_set_irq_level(&vg, 1, 27, true);
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_true(n >= 0);
    assert_false(cif(1)->lr[n] & ICH_LR_EL2_HW);
    assert_true(cif(1)->lr[n] & ICH_LR_EL2_HW0_EOI);
    assert_int_equal(lr_state(cif(1)->lr[n]), 1);

    /* Physical INTIDs an LR cannot name are refused. */
    vgic_inject_hw(&vg, 1, 30, 5);
    vgic_inject_hw(&vg, 1, 30, 1020);
    vgic_inject_hw(&vg, 1, 3, 30);
    assert_false(vg.vcpu[1].priv[30].hw || vg.vcpu[1].priv[30].pending_latch);
    assert_false(vg.vcpu[1].priv[3].hw);
}

/* What the scheduler asks about a vCPU that is not loaded: a forwarded
 * timer PPI pending or active needs no new injection, and its physical PPI
 * must be active while that vCPU runs. */
static void test_irq_in_flight(void **state)
{
    struct vgic_irq *vt = &vg.vcpu[2].priv[27];
    bool hw = true;
    int n;

    (void)state;
    vt->enabled = true;
    vt->priority = 0xa0;
    assert_false(vgic_irq_in_flight(&vg, 2, 27, &hw));
    assert_false(hw);
    vgic_inject_hw(&vg, 2, 27, 27);
    assert_true(vgic_irq_in_flight(&vg, 2, 27, &hw));
    assert_true(hw);
    assert_false(vgic_irq_in_flight(&vg, 1, 27, NULL));     /* another vCPU's PPI 27 */
    assert_false(vgic_irq_in_flight(&vg, 2, 30, NULL));
    /* In an LR and taken by the guest: active after sync. */
    flush_lrs(&vg, 2);
    n = find_lr(2, 27);
    assert_true(n >= 0);
    cif(2)->lr[n] = (cif(2)->lr[n] & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
    vgic_sync_lrs(&vg, 2);
    assert_true(vgic_irq_in_flight(&vg, 2, 27, &hw));
    assert_true(hw);
    /* Deactivated: done with it. */
    flush_lrs(&vg, 2);
    n = find_lr(2, 27);
    cif(2)->lr[n] &= ~ICH_LR_EL2_State_MASK;
    vgic_sync_lrs(&vg, 2);
    assert_false(vgic_irq_in_flight(&vg, 2, 27, &hw));
    assert_true(hw);                                        /* the mapping stays */
    /* Pending while disabled still counts: the guest has not seen it yet. */
    vt->enabled = false;
    vgic_inject_hw(&vg, 2, 27, 27);
    assert_true(vgic_irq_in_flight(&vg, 2, 27, NULL));
    /* Not a PPI, or not a vCPU: nothing, and no crash. */
    assert_false(vgic_irq_in_flight(&vg, 2, 3, &hw));
    assert_false(hw);
    assert_false(vgic_irq_in_flight(&vg, 2, 40, NULL));
    assert_false(vgic_irq_in_flight(&vg, 9, 27, &hw));
    assert_false(hw);
}

static void test_sgi_decode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 4; i++)
        for (unsigned s = 0; s < VGIC_NR_SGIS; s++)
            vg.vcpu[i].priv[s].enabled = true;
    /* TargetList {0,1} in Aff1 = 0, INTID 5, from vCPU 0. */
    vgic_send_sgi(&vg, 0, (5ull << 24) | 0x3);
    assert_true(vg.vcpu[0].priv[5].pending_latch);
    assert_true(vg.vcpu[1].priv[5].pending_latch);
    assert_false(vg.vcpu[2].priv[5].pending_latch);
    assert_int_equal(kick_count[0], 0);
    assert_int_equal(kick_count[1], 1);
    /* Aff1 = 1, TargetList {1}: vCPU 3 only. */
    vgic_send_sgi(&vg, 0, (1ull << 16) | (7ull << 24) | 0x2);
    assert_true(vg.vcpu[3].priv[7].pending_latch);
    assert_false(vg.vcpu[1].priv[7].pending_latch);
    assert_int_equal(kick_count[3], 1);
    /* IRM = 1: everybody but the sender. */
    vgic_send_sgi(&vg, 2, (1ull << 40) | (9ull << 24));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(vg.vcpu[i].priv[9].pending_latch, i != 2);
    assert_int_equal(kick_count[2], 0);
    /* RS = 1 selects Aff0 16-31: nobody here. Aff2/Aff3 mismatch: nobody. */
    for (unsigned k = 0; k < VGIC_MAX_VCPUS; k++) kick_count[k] = 0;
    vgic_send_sgi(&vg, 0, (1ull << 44) | (11ull << 24) | 0xffff);
    vgic_send_sgi(&vg, 0, (1ull << 32) | (11ull << 24) | 0xffff);
    vgic_send_sgi(&vg, 0, (1ull << 48) | (11ull << 24) | 0xffff);
    for (unsigned i = 0; i < 4; i++)
        assert_false(vg.vcpu[i].priv[11].pending_latch);
    /* Garbage everywhere: still only SGI 15 of real targets. */
    vgic_send_sgi(&vg, 0, ~0ull);
    vgic_send_sgi(&vg, 7, ~0ull);
    vgic_send_sgi(&vg, VGIC_NO_VCPU, ~0ull);
    vgic_send_sgi(&vg, 0, 0xfffffffffffeffffull & ~(1ull << 40));
    for (unsigned i = 0; i < 4; i++)
        for (unsigned s = 0; s < 32; s++)
            if (s != 5 && s != 7 && s != 9 && s != 15)
                assert_false(vg.vcpu[i].priv[s].pending_latch);
    assert_true(vg.vcpu[1].priv[15].pending_latch);

    /* A pended SGI reaches the target's LR (GICv3 SGIs carry no source). */
    flush_lrs(&vg, 1);
    assert_true(find_lr(1, 5) >= 0);
}

/* By group (a guest hypervisor's FMO and IMO route them apart): each SPI
 * counts in its own group, only while that group is enabled, in an LR
 * before sync as outside one. */
static void test_pending_groups(void **state)
{
    (void)state;
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), 0);
    vg.spi[8].group1 = false;                       /* INTID 40: Group 0 */
    enable_spi(40, 0x80);
    vgic_inject_edge(&vg, 0, 40);
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), VGIC_PENDING_FIQ);
    enable_spi(41, 0x80);
    vgic_inject_edge(&vg, 0, 41);
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), VGIC_PENDING_FIQ | VGIC_PENDING_IRQ);
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->vmcr = VMCR_OPEN & ~ICH_VMCR_EL2_VENG0;
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), VGIC_PENDING_IRQ);
    cif(0)->vmcr = VMCR_OPEN;
    vg.grp1_enabled = false;
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), VGIC_PENDING_FIQ);
    vg.grp1_enabled = true;
    flush_lrs(&vg, 0);
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), VGIC_PENDING_FIQ | VGIC_PENDING_IRQ);
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 1), 0);
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 99), 0);
}

static void test_has_pending(void **state)
{
    (void)state;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    vgic_inject_edge(&vg, 0, 40);
    assert_false(vgic_vcpu_has_pending(&vg, 0));    /* disabled */
    enable_spi(40, 0x80);
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    assert_false(vgic_vcpu_has_pending(&vg, 1));    /* routed to vCPU 0 */
    vg.grp1_enabled = false;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    vg.grp1_enabled = true;
    cif(0)->vmcr = VMCR_OPEN & ~ICH_VMCR_EL2_VENG1;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->vmcr = ICH_VMCR_EL2_VENG1 | (0x80ull << ICH_VMCR_EL2_VPMR_SHIFT);
    assert_false(vgic_vcpu_has_pending(&vg, 0));    /* not above the mask */
    cif(0)->vmcr = ICH_VMCR_EL2_VENG1 | (0x88ull << ICH_VMCR_EL2_VPMR_SHIFT);
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    /* Running priority 0x80 (APR bit 16 with 5 preemption bits). */
    cif(0)->ap1r[0] = 1u << 16;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->ap1r[0] = 1u << 17;                     /* running at 0x88: 0x80 preempts */
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->ap1r[0] = 0;
    /* Still pending in an LR (not yet synced) counts; active does not. */
    flush_lrs(&vg, 0);
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->lr[0] = (cif(0)->lr[0] & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    vgic_sync_lrs(&vg, 0);
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    assert_false(vgic_vcpu_has_pending(&vg, 99));
}

static void test_kicks_and_ownership(void **state)
{
    int n;

    (void)state;
    /* SPI for vCPU 1 from vCPU 0's device emulation: kick 1, not 0. */
    vg.spi[10].irouter = 1;
    enable_spi(42, 0x40);
    vgic_inject_edge(&vg, 0, 42);
    assert_int_equal(kick_count[1], 1);
    assert_int_equal(kick_count[0], 0);
    /* Not from a vCPU: the target is kicked even if it is vCPU 0. */
    enable_spi(43, 0x40);
    vgic_inject_edge(&vg, VGIC_NO_VCPU, 43);
    assert_int_equal(kick_count[0], 1);
    /* Disabled: nothing to look at, nobody kicked. */
    for (unsigned k = 0; k < VGIC_MAX_VCPUS; k++) kick_count[k] = 0;
    vgic_inject_edge(&vg, 3, 44);
    assert_int_equal(kick_count[0] + kick_count[1] + kick_count[2] + kick_count[3], 0);

    /* SPI 33 is level and sits in vCPU 0's LR; vCPU 2 re-routes it to 1. */
    enable_spi(33, 0x40);
    vgic_set_irq_level(&vg, 0, 33, true);
    flush_lrs(&vg, 0);
    assert_true(find_lr(0, 33) >= 0);
    uint64_t val = 1;
    struct mmio_access acc = { .offset = 0x6000 + 8 * 33, .size = 8, .is_write = true,
                               .value = val };
    assert_true(vgic_v3_dist_mmio(&vg, 2, &acc));
    assert_int_equal(kick_count[0], 1);              /* its LR owner must sync */
    flush_lrs(&vg, 1);
    assert_int_equal(find_lr(1, 33), -1);            /* never in two LRs */
    vgic_sync_lrs(&vg, 0);                          /* still pending in the LR */
    assert_int_equal(kick_count[1], 1);              /* now it is vCPU 1's */
    flush_lrs(&vg, 1);
    n = find_lr(1, 33);
    assert_true(n >= 0);

    /* vCPU 3 clears the pending state of SPI 43 while it sits in vCPU 0's
     * LR: the register write wins at sync. */
    flush_lrs(&vg, 0);
    assert_true(find_lr(0, 43) >= 0);
    acc = (struct mmio_access){ .offset = 0x284, .size = 4, .is_write = true,
                                .value = 1u << 11 };
    assert_true(vgic_v3_dist_mmio(&vg, 3, &acc));
    vgic_sync_lrs(&vg, 0);
    assert_false(vg.spi[11].pending_latch);
    flush_lrs(&vg, 0);
    assert_int_equal(find_lr(0, 43), -1);
}

static void test_active_spi_stays_with_acker(void **state)
{
    int n;

    (void)state;
    enable_spi(45, 0x40);
    vgic_inject_edge(&vg, 0, 45);
    flush_lrs(&vg, 0);
    n = find_lr(0, 45);
    cif(0)->lr[n] = (cif(0)->lr[n] & ~ICH_LR_EL2_State_MASK) | SYSREG_ENUM(ICH_LR_EL2_State, ACTIVE);
    vgic_sync_lrs(&vg, 0);
    vg.spi[13].irouter = 1;                         /* now routed to vCPU 1 */
    vg.spi[13].target = 1;
    flush_lrs(&vg, 1);
    assert_int_equal(find_lr(1, 45), -1);
    flush_lrs(&vg, 0);
    assert_true(find_lr(0, 45) >= 0);
}

/* Random LR contents from a confused world switch or guest must not make
 * sync misbehave: only LRs the flush filled are looked at. */
static void test_sync_ignores_foreign_lrs(void **state)
{
    (void)state;
    for (unsigned i = 0; i < VGIC_V3_MAX_LRS; i++)
        cif(2)->lr[i] = ~0ull;
    vgic_sync_lrs(&vg, 2);
    vgic_sync_lrs(&vg, 42);
    flush_lrs(&vg, 42);
    vgic_set_irq_level(&vg, 0, 5000, true);
    vgic_inject_edge(&vg, 0, 0xffffffffu);
    vgic_inject_edge(&vg, 9, 20);
    vgic_set_irq_level(&vg, 0, 3, true);            /* SGIs have no line */
    assert_false(vg.vcpu[0].priv[3].line_level);
    for (unsigned i = 0; i < 4; i++)
        for (unsigned s = 0; s < 32; s++)
            assert_false(vg.vcpu[i].priv[s].pending_latch);
}

static void *vcpu_thread(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;

    for (unsigned n = 0; n < 20000; n++) {
        run_guest_once(id);
        vgic_send_sgi(&vg, id, (uint64_t)(n % 16) << 24 | (1ull << 40));
        vgic_inject_edge(&vg, id, 32 + (n % 64));
        vgic_set_irq_level(&vg, id, 33, n & 1);
    }
    return NULL;
}

/* Four vCPUs injecting into each other while running their own LR cycles:
 * no deadlock, no sanitizer report, and once quiet, everything drains. */
static void test_concurrent_smoke(void **state)
{
    pthread_t t[4];

    (void)state;
    for (unsigned i = 0; i < 64; i++)
        enable_spi(32 + i, (uint8_t)(i * 8));
    for (unsigned i = 0; i < 4; i++)
        for (unsigned s = 0; s < VGIC_NR_SGIS; s++)
            vg.vcpu[i].priv[s].enabled = true;
    for (unsigned i = 0; i < 64; i++)
        vg.spi[i].irouter = i % 4 == 3 ? 0x101 : i % 4 == 2 ? 0x100 : i % 4;
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, vcpu_thread, (void *)(uintptr_t)i), 0);
    for (unsigned i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 33, false);
    drain_and_check_quiet(4, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cpu_if_init, setup),
        cmocka_unit_test_setup(test_flush_priority_order_and_uie, setup),
        cmocka_unit_test_setup(test_single_lr_overflow_uses_eoi, setup),
        cmocka_unit_test_setup(test_flush_skips_undeliverable, setup),
        cmocka_unit_test_setup(test_sync_states, setup),
        cmocka_unit_test_setup(test_level_repend, setup),
        cmocka_unit_test_setup(test_hw_forwarded, setup),
        cmocka_unit_test_setup(test_irq_in_flight, setup),
        cmocka_unit_test_setup(test_sgi_decode, setup),
        cmocka_unit_test_setup(test_has_pending, setup),
        cmocka_unit_test_setup(test_pending_groups, setup),
        cmocka_unit_test_setup(test_kicks_and_ownership, setup),
        cmocka_unit_test_setup(test_active_spi_stays_with_acker, setup),
        cmocka_unit_test_setup(test_sync_ignores_foreign_lrs, setup),
        cmocka_unit_test_setup(test_concurrent_smoke, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
