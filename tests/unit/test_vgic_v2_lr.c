/* vGIC GICv2 model: GICH_LR encoding, flush/sync, per-source SGIs in LRs,
 * forwarded PPIs, WFI decisions against GICH_VMCR/GICH_APR, SPI
 * retargeting, kicks, hostile LR contents and threads. */
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
#include "vdev/vgic_v2_dist.c"
#include "vdev/vgic_v2_lr.c"
#include "vdev/vgic_lr.c"

#include "vgic_test_util.h"
#include "vgic_lr_test_util.h"

/* GIC-400's GICH_VTR: 5 priority and preemption bits, 4 LRs. */
#define VTR_4LRS        0x90000003u
#define VMCR_OPEN       (GICH_VMCR_VMGRP0EN | GICH_VMCR_VMGRP1EN | GICH_VMCR_VMPRIMASK_MASK)
#define SGIR_VAL(filter, list, sgi) (((uint32_t)(filter) << 24) | ((uint32_t)(list) << 16) | (sgi))
#define GICD_SGIR_OFF   0xf00
#define GICD_CPENDSGIR_OFF 0xf10
#define GICD_ITARGETSR_OFF 0x800
#define GICD_ICPENDR_OFF 0x280

static struct vgic_v2_cpu_if *cif(unsigned id) { return vgic_v2_cpu_if(&vg, id); }

static uint32_t lr_intid(uint32_t lr) { return lr & GICH_LR_VIRTUALID_MASK; }
static unsigned lr_state(uint32_t lr) { return (lr & GICH_LR_STATE_MASK) >> GICH_LR_STATE_SHIFT; }
static unsigned lr_prio(uint32_t lr)
{
    return ((lr & GICH_LR_PRIORITY_MASK) >> GICH_LR_PRIORITY_SHIFT) << 3;
}
static unsigned lr_cpuid(uint32_t lr) { return (lr & GICH_LR_CPUID_MASK) >> GICH_LR_CPUID_SHIFT; }

/* What the guest's virtual CPU interface does to LR n. */
static void lr_set_state(unsigned id, int n, uint32_t state)
{
    assert_true(n >= 0);
    cif(id)->lr[n] = (cif(id)->lr[n] & ~GICH_LR_STATE_MASK) | state;
}

static void sgir(unsigned src, uint32_t val)
{
    struct mmio_access acc = { .offset = GICD_SGIR_OFF, .size = 4, .is_write = true,
                               .value = val };

    assert_true(vgic_v2_dist_mmio(&vg, src, &acc));
}

static void dist_write(unsigned vcpu, uint64_t off, unsigned size, uint32_t val)
{
    struct mmio_access acc = { .offset = off, .size = size, .is_write = true, .value = val };

    assert_true(vgic_v2_dist_mmio(&vg, vcpu, &acc));
}

static void clear_kicks(void)
{
    for (unsigned k = 0; k < VGIC_MAX_VCPUS; k++)
        kick_count[k] = 0;
}

static int setup(void **state)
{
    (void)state;
    clear_kicks();
    assert_int_equal(vgic_init_v2(&vg, 4, 64), 0);
    for (unsigned i = 0; i < 4; i++) {
        vgic_v2_cpu_if_init(cif(i), VTR_4LRS);
        cif(i)->vmcr = VMCR_OPEN;
    }
    vg.grp0_enabled = vg.grp1_enabled = true;
    return 0;
}

/* Ownership is consistent: an IRQ with an owner sits in exactly one of the
 * owner's LRs, and every LR entry names an IRQ owned by that vCPU. */
static void check_ownership(void)
{
    for (unsigned i = 0; i < vg.nr_vcpus; i++) {
        struct vgic_vcpu *vc = &vg.vcpu[i];

        for (unsigned n = 0; n < VGIC_MAX_LRS; n++) {
            /* lr_used mirrors lr_irq: sync walks the bitmap alone. */
            assert_int_equal(!!(vc->lr_used & (1ull << n)), vc->lr_irq[n] != NULL);
            if (!vc->lr_irq[n])
                continue;
            assert_true(n < cif(i)->nr_lrs);
            assert_int_equal(vc->lr_irq[n]->lr_owner, i);
            for (unsigned m = n + 1; m < VGIC_MAX_LRS; m++)
                assert_ptr_not_equal(vc->lr_irq[n], vc->lr_irq[m]);
        }
    }
    for (unsigned i = 0; i < vg.nr_vcpus + 1; i++) {
        for (unsigned n = 0; n < (i < vg.nr_vcpus ? VGIC_NR_PRIVATE_IRQS : vg.nr_spis); n++) {
            const struct vgic_irq *irq = i < vg.nr_vcpus ? &vg.vcpu[i].priv[n] : &vg.spi[n];
            unsigned found = 0;

            if (irq->intid < VGIC_NR_SGIS) {
                assert_int_equal(irq->pending_latch, irq->sgi_sources != 0);
                assert_int_equal(irq->sgi_sources & ~vgic_vcpu_mask(&vg), 0);
            }
            if (irq->lr_owner == VGIC_NONE8)
                continue;
            assert_true(irq->lr_owner < vg.nr_vcpus);
            for (unsigned m = 0; m < VGIC_MAX_LRS; m++)
                found += vg.vcpu[irq->lr_owner].lr_irq[m] == irq;
            assert_int_equal(found, 1);
        }
    }
}

static void test_cpu_if_init(void **state)
{
    struct vgic_v2_cpu_if c;

    (void)state;
    memset(&c, 0xff, sizeof(c));
    vgic_v2_cpu_if_init(&c, VTR_4LRS);
    assert_int_equal(c.nr_lrs, 4);
    assert_int_equal(c.hcr, GICH_HCR_EN);
    assert_int_equal(c.vmcr | c.apr, 0);
    for (unsigned i = 0; i < VGIC_V2_MAX_LRS; i++)
        assert_int_equal(c.lr[i], 0);
    vgic_v2_cpu_if_init(&c, 0x3f);
    assert_int_equal(c.nr_lrs, 64);
    vgic_v2_cpu_if_init(&c, 0xffffffffu);
    assert_int_equal(c.nr_lrs, 64);
    vgic_v2_cpu_if_init(&c, 0);
    assert_int_equal(c.nr_lrs, 1);
    assert_null(vgic_v2_cpu_if(&vg, 4));
}

static void test_flush_order_encoding_uie(void **state)
{
    static const uint8_t prio[6] = { 0xa0, 0x20, 0x80, 0x20, 0xf0, 0x40 };

    (void)state;
    for (unsigned i = 0; i < 6; i++) {
        enable_spi(40 + i, prio[i]);
        vg.spi[8 + i].edge = true;
        vgic_inject_edge(&vg, 0, 40 + i);
    }
    vg.spi[8 + 5].group1 = true;                    /* SPI 45: Group 1 */
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 4);
    /* 41 and 43 (0x20, lower INTID first), then 45 (0x40), 42 (0x80). */
    assert_int_equal(cif(0)->lr[0], GICH_LR_STATE_PENDING | (0x20u >> 3) << 23 | 41);
    assert_int_equal(cif(0)->lr[1], GICH_LR_STATE_PENDING | (0x20u >> 3) << 23 | 43);
    assert_int_equal(cif(0)->lr[2],
                     GICH_LR_STATE_PENDING | GICH_LR_GRP1 | (0x40u >> 3) << 23 | 45);
    assert_int_equal(lr_intid(cif(0)->lr[3]), 42);
    assert_int_equal(lr_prio(cif(0)->lr[3]), 0x80);
    assert_true(cif(0)->hcr & GICH_HCR_EN);
    assert_true(cif(0)->hcr & GICH_HCR_UIE);
    for (unsigned i = 4; i < VGIC_V2_MAX_LRS; i++)
        assert_int_equal(cif(0)->lr[i], 0);

    /* The guest takes and completes everything. */
    for (unsigned i = 0; i < 4; i++)
        lr_set_state(0, (int)i, 0);
    vgic_sync_lrs(&vg, 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(cif(0)->lr[i], 0);
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 2);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 40);
    assert_int_equal(lr_intid(cif(0)->lr[1]), 44);
    assert_false(cif(0)->hcr & GICH_HCR_UIE);
    assert_true(cif(0)->hcr & GICH_HCR_EN);
    assert_int_equal(kick_count[1] + kick_count[2] + kick_count[3], 0);
    check_ownership();
}

/* UIE only when more candidates than free LRs, with two LRs as well. */
static void test_uie_when_scarce(void **state)
{
    int n;

    (void)state;
    vgic_v2_cpu_if_init(cif(1), 1);                 /* 2 LRs */
    cif(1)->vmcr = VMCR_OPEN;
    cif(1)->hcr |= GICH_HCR_UIE;                    /* stale from last time */
    for (unsigned i = 0; i < 3; i++) {
        enable_spi(50 + i, (uint8_t)(0x10 * i));
        vg.spi[18 + i].itargets = 0x2;
        vg.spi[18 + i].target = 1;
    }
    vgic_inject_edge(&vg, 0, 50);
    flush_lrs(&vg, 1);
    assert_false(cif(1)->hcr & GICH_HCR_UIE);
    n = find_lr(1, 50);
    lr_set_state(1, n, GICH_LR_STATE_ACTIVE);       /* acked, running its handler */
    vgic_sync_lrs(&vg, 1);
    vgic_inject_edge(&vg, 0, 51);
    vgic_inject_edge(&vg, 0, 52);
    flush_lrs(&vg, 1);
    /* The active one keeps its LR; one of the two new ones waits. */
    assert_int_equal(lr_state(cif(1)->lr[find_lr(1, 50)]), 2);
    assert_true(find_lr(1, 51) >= 0);
    assert_int_equal(find_lr(1, 52), -1);
    assert_true(cif(1)->hcr & GICH_HCR_UIE);
    check_ownership();
}

static void test_single_lr_eoi(void **state)
{
    (void)state;
    vgic_v2_cpu_if_init(cif(0), 0);                 /* 1 LR */
    cif(0)->vmcr = VMCR_OPEN;
    enable_spi(40, 0x10);
    vg.spi[8].edge = true;
    enable_spi(41, 0x20);
    vg.spi[9].edge = true;
    vgic_inject_edge(&vg, 0, 40);
    vgic_inject_edge(&vg, 0, 41);
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 1);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 40);
    assert_false(cif(0)->hcr & GICH_HCR_UIE);       /* would fire forever */
    assert_true(cif(0)->lr[0] & GICH_LR_EOI);
    assert_int_equal(cif(0)->lr[1], 0);
    /* Done with 40: the EOI exit lets 41 in. */
    lr_set_state(0, 0, 0);
    vgic_sync_lrs(&vg, 0);
    flush_lrs(&vg, 0);
    assert_int_equal(lr_intid(cif(0)->lr[0]), 41);
    assert_false(cif(0)->lr[0] & GICH_LR_EOI);      /* nothing else waits */
}

/* GICv2 SGIs: one LR per SGI, one source at a time, CPUID = source; sync
 * puts back only the source whose instance the LR held. */
static void test_sgi_sources_in_lrs(void **state)
{
    const struct vgic_irq *sgi3 = &vg.vcpu[0].priv[3];
    int n;

    (void)state;
    sgir(1, SGIR_VAL(0, 0x1, 3));
    sgir(2, SGIR_VAL(0, 0x1, 3));
    sgir(3, SGIR_VAL(0, 0x1, 3));
    assert_int_equal(kick_count[0], 3);
    assert_int_equal(sgi3->sgi_sources, 0x0e);
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 1);
    n = find_lr(0, 3);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 1);
    assert_int_equal(lr_state(cif(0)->lr[n]), 1);
    assert_true(cif(0)->lr[n] & GICH_LR_EOI);       /* two more sources wait */
    assert_false(cif(0)->lr[n] & GICH_LR_HW);
    assert_int_equal(sgi3->sgi_sources, 0x0c);
    assert_false(cif(0)->hcr & GICH_HCR_UIE);

    /* Not taken before the exit: source 1 goes back, nothing is lost. */
    vgic_sync_lrs(&vg, 0);
    assert_int_equal(sgi3->sgi_sources, 0x0e);
    flush_lrs(&vg, 0);
    n = find_lr(0, 3);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 1);

    /* Acknowledged: active from source 1; only source 1 is consumed. */
    lr_set_state(0, n, GICH_LR_STATE_ACTIVE);
    vgic_sync_lrs(&vg, 0);
    assert_true(sgi3->active);
    assert_int_equal(sgi3->sgi_sources, 0x0c);
    /* Re-flushed: still the active instance from 1, not pending (1 is not),
     * EOI so that 2 follows. */
    flush_lrs(&vg, 0);
    n = find_lr(0, 3);
    assert_int_equal(lr_state(cif(0)->lr[n]), 2);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 1);
    assert_true(cif(0)->lr[n] & GICH_LR_EOI);
    /* Source 1 sends again meanwhile: active+pending, same CPUID. */
    vgic_sync_lrs(&vg, 0);
    sgir(1, SGIR_VAL(0, 0x1, 3));
    flush_lrs(&vg, 0);
    n = find_lr(0, 3);
    assert_int_equal(lr_state(cif(0)->lr[n]), 3);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 1);
    assert_int_equal(sgi3->sgi_sources, 0x0c);
    /* Deactivated; the pending instance from 1 is acked and completed too. */
    lr_set_state(0, n, 0);
    vgic_sync_lrs(&vg, 0);
    assert_false(sgi3->active);
    assert_int_equal(sgi3->sgi_sources, 0x0c);

    /* Then 2, then 3 (no EOI: the last one). */
    flush_lrs(&vg, 0);
    n = find_lr(0, 3);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 2);
    assert_true(cif(0)->lr[n] & GICH_LR_EOI);
    lr_set_state(0, n, 0);
    vgic_sync_lrs(&vg, 0);
    flush_lrs(&vg, 0);
    n = find_lr(0, 3);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 3);
    assert_false(cif(0)->lr[n] & GICH_LR_EOI);
    assert_int_equal(sgi3->sgi_sources, 0);
    assert_false(sgi3->pending_latch);
    lr_set_state(0, n, 0);
    vgic_sync_lrs(&vg, 0);
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 0);
    check_ownership();
}

/* Several SGIs to several targets: each target sees its own sources. */
static void test_sgi_filters_to_lrs(void **state)
{
    int n;

    (void)state;
    sgir(2, SGIR_VAL(1, 0, 0));                     /* 2 -> everyone else, SGI 0 */
    sgir(0, SGIR_VAL(2, 0, 15));                    /* 0 -> itself, SGI 15 */
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 2);
    assert_int_equal(lr_cpuid(cif(0)->lr[find_lr(0, 0)]), 2);
    assert_int_equal(lr_cpuid(cif(0)->lr[find_lr(0, 15)]), 0);
    for (unsigned t = 1; t < 4; t++) {
        flush_lrs(&vg, t);
        n = find_lr(t, 0);
        assert_int_equal(n >= 0, t != 2);
        if (n >= 0)
            assert_int_equal(cif(t)->lr[n], GICH_LR_STATE_PENDING | 2u << 10 | 0);
    }
    /* A vgic_inject_edge()'d SGI comes from the target itself. */
    vgic_inject_edge(&vg, 3, 9);
    flush_lrs(&vg, 3);
    assert_int_equal(lr_cpuid(cif(3)->lr[find_lr(3, 9)]), 3);
    /* The GICv3 SGI path does nothing on a GICv2 model. */
    vgic_send_sgi(&vg, 1, (1ull << 40) | (4ull << 24));
    for (unsigned t = 0; t < 4; t++)
        assert_int_equal(vg.vcpu[t].priv[4].sgi_sources, 0);
    check_ownership();
}

/* C/SPENDSGIR written while the SGI sits in the writer's own LR (before
 * sync): the register write wins for that source only. */
static void test_sgi_pending_written(void **state)
{
    const struct vgic_irq *sgi4 = &vg.vcpu[0].priv[4];
    int n;

    (void)state;
    sgir(1, SGIR_VAL(0, 0x1, 4));
    sgir(2, SGIR_VAL(0, 0x1, 4));
    flush_lrs(&vg, 0);
    n = find_lr(0, 4);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 1);
    dist_write(0, GICD_CPENDSGIR_OFF + 4, 1, 0x02);  /* clear (4, source 1) */
    vgic_sync_lrs(&vg, 0);                           /* LR still says pending */
    assert_int_equal(sgi4->sgi_sources, 0x04);
    /* Clearing another source while in the LR leaves the LR's alone. */
    flush_lrs(&vg, 0);
    n = find_lr(0, 4);
    assert_int_equal(lr_cpuid(cif(0)->lr[n]), 2);
    sgir(3, SGIR_VAL(0, 0x1, 4));
    dist_write(0, GICD_CPENDSGIR_OFF + 4, 1, 0x08);
    vgic_sync_lrs(&vg, 0);
    assert_int_equal(sgi4->sgi_sources, 0x04);
    /* ICPENDR0 cannot clear SGIs. */
    dist_write(0, GICD_ICPENDR_OFF, 4, 0xffffffffu);
    assert_int_equal(sgi4->sgi_sources, 0x04);
    check_ownership();
}

static void test_hw_ppi27(void **state)
{
    struct vgic_irq *vt = &vg.vcpu[1].priv[27];
    int n;

    (void)state;
    vt->enabled = true;
    vt->priority = 0xa0;
    vgic_inject_hw(&vg, 1, 27, 27);
    assert_int_equal(kick_count[1], 0);
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_true(n >= 0);
    /* HW, PhysicalID 27, priority 0xa0 >> 3, pending, Group 0, no EOI. */
    assert_int_equal(cif(1)->lr[n], GICH_LR_HW | GICH_LR_STATE_PENDING | (0xa0u >> 3) << 23 |
                                        27u << 10 | 27);
    /* Acked; a stray injection must not give pending+active. */
    lr_set_state(1, n, GICH_LR_STATE_ACTIVE);
    vgic_sync_lrs(&vg, 1);
    vgic_inject_hw(&vg, 1, 27, 27);
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_int_equal(lr_state(cif(1)->lr[n]), 2);
    assert_true(cif(1)->lr[n] & GICH_LR_HW);
    /* Deactivated by the guest (and the hardware deactivates pINTID 27). */
    lr_set_state(1, n, 0);
    vgic_sync_lrs(&vg, 1);
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_int_equal(lr_state(cif(1)->lr[n]), 1);

    /* The EL1 physical timer, PPI 30, Group 1. */
    vg.vcpu[1].priv[30].enabled = true;
    vg.vcpu[1].priv[30].group1 = true;
    vgic_inject_hw(&vg, 1, 30, 30);
    flush_lrs(&vg, 1);
    n = find_lr(1, 30);
    assert_int_equal(cif(1)->lr[n],
                     GICH_LR_HW | GICH_LR_GRP1 | GICH_LR_STATE_PENDING | 30u << 10 | 30);

    /* Software emulation again: no HW bit, EOI maintenance for the level. */
    for (unsigned i = 0; i < 4; i++)
        cif(1)->lr[i] &= ~GICH_LR_STATE_MASK;
    vgic_sync_lrs(&vg, 1);
    vgic_unmap_hw(&vg, 1, 27);
    vgic_set_irq_level(&vg, 1, 27, true);
    flush_lrs(&vg, 1);
    n = find_lr(1, 27);
    assert_false(cif(1)->lr[n] & GICH_LR_HW);
    assert_true(cif(1)->lr[n] & GICH_LR_EOI);
    assert_int_equal(lr_cpuid(cif(1)->lr[n]), 0);
    assert_int_equal(lr_state(cif(1)->lr[n]), 1);
    /* A single LR holding a HW IRQ cannot carry an EOI request. */
    vgic_sync_lrs(&vg, 1);
    vgic_set_irq_level(&vg, 1, 27, false);
    vgic_v2_cpu_if_init(cif(1), 0);
    cif(1)->vmcr = VMCR_OPEN;
    vt->priority = 0;
    vgic_inject_hw(&vg, 1, 27, 27);
    enable_spi(60, 0x80);
    vg.spi[28].itargets = 0x2;
    vg.spi[28].target = 1;
    vgic_inject_edge(&vg, 0, 60);
    flush_lrs(&vg, 1);
    assert_int_equal(lr_intid(cif(1)->lr[0]), 27);
    assert_int_equal(cif(1)->lr[0] & GICH_LR_PHYSID_MASK, 27u << 10);  /* bit 19 untouched */
    assert_false(cif(1)->hcr & GICH_HCR_UIE);
}

static void test_level_repend(void **state)
{
    (void)state;
    check_level_repends_while_line_high();
}

static void test_has_pending_vmcr_apr(void **state)
{
    (void)state;
    cif(0)->vmcr = 0;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    enable_spi(40, 0x80);                           /* Group 0 */
    vgic_inject_edge(&vg, 0, 40);
    assert_false(vgic_vcpu_has_pending(&vg, 0));    /* VMGrp0En off */
    cif(0)->vmcr = GICH_VMCR_VMGRP1EN | GICH_VMCR_VMPRIMASK_MASK;
    assert_false(vgic_vcpu_has_pending(&vg, 0));    /* wrong group */
    cif(0)->vmcr = GICH_VMCR_VMGRP0EN | GICH_VMCR_VMPRIMASK_MASK;
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    assert_false(vgic_vcpu_has_pending(&vg, 1));    /* ITARGETSR: vCPU 0 */
    /* Group 0 is an IRQ unless VMFIQEn makes it a FIQ. */
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), VGIC_PENDING_IRQ);
    cif(0)->vmcr |= GICH_VMCR_VMFIQEN;
    assert_int_equal(vgic_vcpu_pending_groups(&vg, 0), VGIC_PENDING_FIQ);
    cif(0)->vmcr = GICH_VMCR_VMGRP0EN | GICH_VMCR_VMPRIMASK_MASK;
    /* VMPriMask holds mask bits [7:3]: 0x10 = 0x80, not above 0x80. */
    cif(0)->vmcr = GICH_VMCR_VMGRP0EN | 0x10u << GICH_VMCR_VMPRIMASK_SHIFT;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->vmcr = GICH_VMCR_VMGRP0EN | 0x11u << GICH_VMCR_VMPRIMASK_SHIFT;
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    /* GICH_APR bit 16: running at 0x80, which 0x80 does not preempt. */
    cif(0)->apr = 1u << 16;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->apr = (1u << 17) | (1u << 30);          /* running at 0x88 */
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->apr = 0;
    /* The distributor's group enable counts too. */
    vg.grp0_enabled = false;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    vg.grp0_enabled = true;
    /* Group 1 needs VMGrp1En. */
    vg.spi[8].group1 = true;
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->vmcr |= GICH_VMCR_VMGRP1EN;
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    /* Pending in an LR (not synced yet) counts, active does not. */
    flush_lrs(&vg, 0);
    assert_true(vgic_vcpu_has_pending(&vg, 0));
    lr_set_state(0, find_lr(0, 40), GICH_LR_STATE_ACTIVE);
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    vgic_sync_lrs(&vg, 0);
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    /* An SGI waiting for its source behind an active instance does not
     * wake (same priority as the running one). */
    sgir(1, SGIR_VAL(0, 0x1, 2));
    sgir(2, SGIR_VAL(0, 0x1, 2));
    flush_lrs(&vg, 0);
    lr_set_state(0, find_lr(0, 2), GICH_LR_STATE_ACTIVE);
    cif(0)->apr = 1u;                               /* running at 0x00 */
    assert_false(vgic_vcpu_has_pending(&vg, 0));
    cif(0)->apr = 0;
    vgic_sync_lrs(&vg, 0);
    assert_false(vgic_vcpu_has_pending(&vg, 0));    /* 40 and SGI 2 active */
    assert_false(vgic_vcpu_has_pending(&vg, 99));
}

static void test_itargetsr_retarget(void **state)
{
    int n;

    (void)state;
    /* SPI 42: level, in vCPU 0's LR; vCPU 2 retargets it to vCPU 1. */
    enable_spi(42, 0x40);
    vgic_set_irq_level(&vg, 0, 42, true);
    flush_lrs(&vg, 0);
    assert_true(find_lr(0, 42) >= 0);
    clear_kicks();
    dist_write(2, GICD_ITARGETSR_OFF + 42, 1, 0x02);
    assert_int_equal(kick_count[0], 1);              /* the LR owner syncs */
    flush_lrs(&vg, 1);
    assert_int_equal(find_lr(1, 42), -1);            /* never in two LRs */
    vgic_sync_lrs(&vg, 0);
    assert_int_equal(kick_count[1], 1);              /* now it is vCPU 1's */
    flush_lrs(&vg, 1);
    assert_true(find_lr(1, 42) >= 0);
    flush_lrs(&vg, 0);
    assert_int_equal(find_lr(0, 42), -1);
    vgic_set_irq_level(&vg, 0, 42, false);

    /* An active SPI stays with the vCPU that acknowledged it. */
    enable_spi(45, 0x40);
    vgic_inject_edge(&vg, 0, 45);
    flush_lrs(&vg, 0);
    n = find_lr(0, 45);
    lr_set_state(0, n, GICH_LR_STATE_ACTIVE);
    vgic_sync_lrs(&vg, 0);
    dist_write(0, GICD_ITARGETSR_OFF + 44, 4, 0x08u << 8);   /* SPI 45 -> vCPU 3 */
    assert_int_equal(vg.spi[13].target, 3);
    flush_lrs(&vg, 3);
    assert_int_equal(find_lr(3, 45), -1);
    flush_lrs(&vg, 0);
    assert_true(find_lr(0, 45) >= 0);
    /* New edges after deactivation go to the new target. */
    lr_set_state(0, find_lr(0, 45), 0);
    vgic_sync_lrs(&vg, 0);
    clear_kicks();
    vgic_inject_edge(&vg, 0, 45);
    assert_int_equal(kick_count[3], 1);
    flush_lrs(&vg, 3);
    assert_true(find_lr(3, 45) >= 0);

    /* Several targets: the lowest-numbered gets it; none: nobody. */
    enable_spi(46, 0x40);
    dist_write(1, GICD_ITARGETSR_OFF + 46, 1, 0x0c);
    vgic_inject_edge(&vg, VGIC_NO_VCPU, 46);
    flush_lrs(&vg, 3);
    assert_int_equal(find_lr(3, 46), -1);
    flush_lrs(&vg, 2);
    assert_true(find_lr(2, 46) >= 0);
    lr_set_state(2, find_lr(2, 46), 0);
    vgic_sync_lrs(&vg, 2);
    dist_write(1, GICD_ITARGETSR_OFF + 46, 1, 0x00);
    vgic_inject_edge(&vg, VGIC_NO_VCPU, 46);
    for (unsigned i = 0; i < 4; i++) {
        flush_lrs(&vg, i);
        assert_int_equal(find_lr(i, 46), -1);
    }
    check_ownership();
}

/* Garbage in the shadow (a confused world switch) and out-of-range calls
 * must not make flush/sync misbehave: only LRs the flush filled count. */
static void test_sync_ignores_foreign_lrs(void **state)
{
    (void)state;
    for (unsigned i = 0; i < VGIC_V2_MAX_LRS; i++)
        cif(2)->lr[i] = 0xffffffffu;
    cif(2)->nr_lrs = 0xffffffffu;
    cif(2)->apr = 0xffffffffu;
    vgic_sync_lrs(&vg, 2);
    assert_false(vgic_vcpu_has_pending(&vg, 2));
    flush_lrs(&vg, 2);
    vgic_sync_lrs(&vg, 42);
    flush_lrs(&vg, 42);
    vgic_set_irq_level(&vg, 0, 5000, true);
    vgic_inject_edge(&vg, 0, 0xffffffffu);
    vgic_inject_edge(&vg, 9, 3);
    vgic_inject_edge(&vg, VGIC_NO_VCPU, 3);
    vgic_set_irq_level(&vg, 0, 3, true);
    for (unsigned i = 0; i < 4; i++)
        for (unsigned s = 0; s < 32; s++)
            assert_false(vg.vcpu[i].priv[s].pending_latch);
    /* An LR rewritten by "hardware" with another VirtualID or CPUID does
     * not change which interrupt or source sync credits. */
    sgir(1, SGIR_VAL(0, 0x1, 5));
    flush_lrs(&vg, 0);
    cif(0)->lr[find_lr(0, 5)] = GICH_LR_STATE_PENDING | 7u << 10 | 9;
    vgic_sync_lrs(&vg, 0);
    assert_int_equal(vg.vcpu[0].priv[5].sgi_sources, 0x02);
    assert_int_equal(vg.vcpu[0].priv[9].sgi_sources, 0);
    check_ownership();
}

/* The v3 model still builds ICH_LRs and leaves the GICv2 shadow alone. */
static void test_model_dispatch(void **state)
{
    static const uint64_t mpidrs[2] = { 0, 1 };

    (void)state;
    assert_int_equal(vgic_init(&vg, 2, mpidrs, 64), 0);
    vgic_v3_cpu_if_init(vgic_v3_cpu_if(&vg, 0), 3);
    vg.grp1_enabled = true;
    enable_spi(40, 0x80);
    vg.spi[8].edge = true;
    vgic_inject_edge(&vg, 0, 40);
    flush_lrs(&vg, 0);
    assert_int_equal(vg.vcpu[0].cpu_if.lr[0],
                     SYSREG_ENUM(ICH_LR_EL2_State, PENDING) | ICH_LR_EL2_Group | (0x80ull << ICH_LR_EL2_Priority_SHIFT) | 40);
    assert_int_equal(vg.vcpu[0].cpu_if_v2.lr[0], 0);
    assert_int_equal(vg.vcpu[0].cpu_if_v2.hcr, 0);
}

/* Random guest-visible activity: distributor accesses, injections and LR
 * cycles with random LR state changes, checking ownership throughout. */
static void test_random_with_lrs(void **state)
{
    uint64_t x = 0x243f6a8885a308d3ull;

    (void)state;
    for (unsigned i = 0; i < 4; i++)
        vgic_v2_cpu_if_init(cif(i), i);             /* 1..4 LRs */
    for (unsigned n = 0; n < 100000; n++) {
        unsigned id, what;
        struct mmio_access acc;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        id = (unsigned)(x >> 60) % 5;
        what = (unsigned)(x >> 56) % 8;
        switch (what) {
        case 0:
        case 1:
            acc = (struct mmio_access){ .offset = (x >> 8) % 0x1000 & ~3ull, .size = 4,
                                        .is_write = (x >> 4) & 1,
                                        .value = x * 0x2545f4914f6cdd1dull };
            if ((x & 0x30) == 0)
                acc.offset = GICD_SGIR_OFF;
            (void)vgic_v2_dist_mmio(&vg, id, &acc);
            break;
        case 2:
            vgic_inject_edge(&vg, id, (uint32_t)(x >> 20) % 100);
            break;
        case 3:
            vgic_set_irq_level(&vg, id, (uint32_t)(x >> 20) % 100, (x >> 30) & 1);
            break;
        case 4:
            vgic_inject_hw(&vg, id, 27, 27);
            break;
        case 5:
            flush_lrs(&vg, id);
            break;
        case 6:
            if (id < 4)
                for (unsigned l = 0; l < cif(id)->nr_lrs; l++)
                    if (((x >> l) & 3) == 0)
                        cif(id)->lr[l] = (cif(id)->lr[l] & ~GICH_LR_STATE_MASK) |
                                         ((uint32_t)(x >> (8 + 2 * l)) & 3u) << 28;
            break;
        default:
            vgic_sync_lrs(&vg, id);
            break;
        }
        if ((n & 255) == 0)
            check_ownership();
    }
    check_ownership();
}

static void *vcpu_thread(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;

    for (unsigned n = 0; n < 20000; n++) {
        run_guest_once(id);
        sgir(id, SGIR_VAL(n % 3, n & 0xf, n % 16));
        vgic_inject_edge(&vg, id, 32 + (n % 64));
        vgic_set_irq_level(&vg, id, 33, n & 1);
        if ((n & 63) == 0)
            dist_write(id, GICD_ITARGETSR_OFF + 32 + (n % 64), 1, (uint8_t)(n >> 6));
    }
    return NULL;
}

/* Four vCPUs sending SGIs and injecting into each other while running
 * their own LR cycles: no deadlock, no sanitizer report, and once quiet,
 * everything drains. */
static void test_concurrent_smoke(void **state)
{
    pthread_t t[4];

    (void)state;
    for (unsigned i = 0; i < 64; i++) {
        enable_spi(32 + i, (uint8_t)(i * 8));
        vg.spi[i].itargets = (uint8_t)(1u << (i % 4));
        vg.spi[i].target = (uint8_t)(i % 4);
    }
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, vcpu_thread, (void *)(uintptr_t)i), 0);
    for (unsigned i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 33, false);
    for (unsigned i = 0; i < 64; i++)
        dist_write(0, GICD_ITARGETSR_OFF + 32 + i, 1, 0x0f);
    drain_and_check_quiet(4, 200);
    check_ownership();
    for (unsigned i = 0; i < 4; i++)
        for (unsigned s = 0; s < VGIC_NR_PRIVATE_IRQS; s++)
            assert_int_equal(vg.vcpu[i].priv[s].sgi_sources, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cpu_if_init, setup),
        cmocka_unit_test_setup(test_flush_order_encoding_uie, setup),
        cmocka_unit_test_setup(test_uie_when_scarce, setup),
        cmocka_unit_test_setup(test_single_lr_eoi, setup),
        cmocka_unit_test_setup(test_sgi_sources_in_lrs, setup),
        cmocka_unit_test_setup(test_sgi_filters_to_lrs, setup),
        cmocka_unit_test_setup(test_sgi_pending_written, setup),
        cmocka_unit_test_setup(test_hw_ppi27, setup),
        cmocka_unit_test_setup(test_level_repend, setup),
        cmocka_unit_test_setup(test_has_pending_vmcr_apr, setup),
        cmocka_unit_test_setup(test_itargetsr_retarget, setup),
        cmocka_unit_test_setup(test_sync_ignores_foreign_lrs, setup),
        cmocka_unit_test_setup(test_model_dispatch, setup),
        cmocka_unit_test_setup(test_random_with_lrs, setup),
        cmocka_unit_test_setup(test_concurrent_smoke, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
