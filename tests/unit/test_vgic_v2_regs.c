/* vGIC GICv2 model: distributor register semantics as a GICv2 guest driver
 * sees them (banking, byte/word rules, read-only and write-ignored bits,
 * SGIR, per-source SGI pending registers), a Linux-like probe, and hostile
 * accesses. */
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
#include "vdev/vgic_v3_lr.c"
#include "vdev/vgic_v2_dist.c"
#include "vdev/vgic_v2_lr.c"
#include "vdev/vgic_lr.c"

#include "vgic_test_util.h"

#define CTLR        0x000
#define TYPER       0x004
#define IIDR        0x008
#define IGROUPR(n)  (0x080 + 4 * (n))
#define ISENABLER(n) (0x100 + 4 * (n))
#define ICENABLER(n) (0x180 + 4 * (n))
#define ISPENDR(n)  (0x200 + 4 * (n))
#define ICPENDR(n)  (0x280 + 4 * (n))
#define ISACTIVER(n) (0x300 + 4 * (n))
#define ICACTIVER(n) (0x380 + 4 * (n))
#define IPRIORITYR  0x400
#define ITARGETSR   0x800
#define ICFGR(n)    (0xc00 + 4 * (n))
#define SGIR        0xf00
#define CPENDSGIR   0xf10
#define SPENDSGIR   0xf20
#define PIDR2       0xfe8
#define CIDR0       0xff0

#define SGIR_VAL(filter, list, sgi) (((uint32_t)(filter) << 24) | ((uint32_t)(list) << 16) | (sgi))


static uint64_t rd_as(unsigned vcpu, uint64_t off, unsigned size)
{
    uint64_t val;

    assert_true(mmio_do(vgic_v2_dist_mmio, vcpu, off, size, false, &val));
    return val;
}

static void wr_as(unsigned vcpu, uint64_t off, unsigned size, uint64_t val)
{
    assert_true(mmio_do(vgic_v2_dist_mmio, vcpu, off, size, true, &val));
}

static uint32_t d32(uint64_t off) { return (uint32_t)rd_as(0, off, 4); }
static void dw32(uint64_t off, uint32_t val) { wr_as(0, off, 4, val); }
static uint32_t d32_as(unsigned vcpu, uint64_t off) { return (uint32_t)rd_as(vcpu, off, 4); }
static void dw32_as(unsigned vcpu, uint64_t off, uint32_t val) { wr_as(vcpu, off, 4, val); }
static uint8_t d8_as(unsigned vcpu, uint64_t off) { return (uint8_t)rd_as(vcpu, off, 1); }
static void dw8_as(unsigned vcpu, uint64_t off, uint8_t val) { wr_as(vcpu, off, 1, val); }

static struct vgic_irq *spi(uint32_t intid) { return &vg.spi[intid - 32]; }

static void clear_kicks(void) { memset(kick_count, 0, sizeof(kick_count)); }

static int setup(void **state)
{
    (void)state;
    clear_kicks();
    assert_int_equal(vgic_init_v2(&vg, 4, 64), 0);
    return 0;
}

/* What every register write, however hostile, must leave true. */
static void check_invariants(void)
{
    uint32_t mask = vgic_vcpu_mask(&vg);

    for (unsigned i = 0; i < vg.nr_vcpus; i++) {
        for (unsigned n = 0; n < VGIC_NR_PRIVATE_IRQS; n++) {
            const struct vgic_irq *irq = &vg.vcpu[i].priv[n];

            assert_int_equal(irq->intid, n);
            assert_int_equal(irq->target, i);
            assert_int_equal(irq->priority & ~VGIC_PRIO_MASK, 0);
            if (n < VGIC_NR_SGIS) {
                assert_true(irq->enabled);
                assert_true(irq->edge);
                assert_int_equal(irq->sgi_sources & ~mask, 0);
                assert_int_equal(irq->pending_latch, irq->sgi_sources != 0);
            }
        }
    }
    for (unsigned n = 0; n < vg.nr_spis; n++) {
        const struct vgic_irq *irq = &vg.spi[n];
        uint32_t t = irq->itargets & mask;

        assert_int_equal(irq->intid, 32 + n);
        assert_int_equal(irq->itargets & ~mask, 0);
        assert_int_equal(irq->priority & ~VGIC_PRIO_MASK, 0);
        if (irq->lr_owner == VGIC_NONE8)
            assert_int_equal(irq->target, t ? (unsigned)__builtin_ctz(t) : VGIC_NONE8);
    }
}

static void test_init_v2(void **state)
{
    static const uint64_t mpidrs[2] = { 0, 1 };

    (void)state;
    assert_int_equal(vgic_init_v2(NULL, 1, 0), -1);
    assert_int_equal(vgic_init_v2(&vg, 0, 64), -1);
    assert_int_equal(vgic_init_v2(&vg, 9, 64), -1);
    assert_int_equal(vgic_init_v2(&vg, 1, VGIC_MAX_SPIS + 1), -1);
    assert_int_equal(vgic_init_v2(&vg, 8, 0), 0);
    assert_int_equal(vg.nr_spis, VGIC_DEFAULT_SPIS);
    assert_int_equal(vg.model, VGIC_MODEL_V2);
    assert_int_equal(vgic_init_v2(&vg, 1, VGIC_MAX_SPIS), 0);
    assert_int_equal(vgic_init_v2(&vg, 4, 64), 0);

    /* Each model hands out only its own shadow. */
    assert_non_null(vgic_v2_cpu_if(&vg, 3));
    assert_ptr_equal(vgic_v2_cpu_if(&vg, 3), &vg.vcpu[3].cpu_if_v2);
    assert_null(vgic_v2_cpu_if(&vg, 4));
    assert_null(vgic_v2_cpu_if(&vg, VGIC_NO_VCPU));
    assert_null(vgic_v3_cpu_if(&vg, 0));
    assert_int_equal(vgic_init(&vg, 2, mpidrs, 64), 0);
    assert_null(vgic_v2_cpu_if(&vg, 0));
    assert_non_null(vgic_v3_cpu_if(&vg, 0));
    assert_int_equal(vgic_init_v2(&vg, 4, 64), 0);

    /* Reset: Group 0, SGIs enabled, the rest disabled, priority 0, SPIs
     * level and aimed at CPU interface 0. */
    for (unsigned i = 0; i < 4; i++) {
        for (unsigned n = 0; n < 32; n++) {
            assert_false(vg.vcpu[i].priv[n].group1);
            assert_int_equal(vg.vcpu[i].priv[n].enabled, n < 16);
            assert_int_equal(vg.vcpu[i].priv[n].edge, n < 16);
        }
        assert_int_equal(vg.vcpu[i].cpu_if_v2.nr_lrs, 0);
    }
    for (unsigned n = 0; n < 64; n++) {
        assert_false(vg.spi[n].group1 || vg.spi[n].enabled || vg.spi[n].edge);
        assert_int_equal(vg.spi[n].itargets, 1);
        assert_int_equal(vg.spi[n].target, 0);
    }
    assert_false(vg.grp0_enabled || vg.grp1_enabled);
    check_invariants();
}

static void test_ctlr(void **state)
{
    (void)state;
    assert_int_equal(d32(CTLR), 0);
    dw32(CTLR, 0xffffffffu);
    assert_int_equal(d32(CTLR), 0x3);
    assert_true(vg.grp0_enabled && vg.grp1_enabled);
    /* Enabling makes the other vCPUs rescan, never the writer. */
    assert_int_equal(kick_count[0], 0);
    assert_int_equal(kick_count[1] + kick_count[2] + kick_count[3], 3);
    dw32(CTLR, 1);                                  /* what Linux writes */
    assert_int_equal(d32(CTLR), 1);
    assert_true(vg.grp0_enabled);
    assert_false(vg.grp1_enabled);
    dw32_as(2, CTLR, 2);
    assert_int_equal(d32_as(3, CTLR), 2);
    dw32(CTLR, 0);
    assert_int_equal(d32(CTLR), 0);
}

static void test_typer_iidr_ids(void **state)
{
    (void)state;
    /* 64 SPIs: ITLinesNumber 2; CPUNumber 3; no SecurityExtn, LSPI 0. */
    assert_int_equal(d32(TYPER), 2u | (3u << 5));
    dw32(TYPER, 0xffffffffu);
    assert_int_equal(d32(TYPER), 2u | (3u << 5));
    assert_int_equal(d32(IIDR), VGIC_V2_IIDR);
    assert_int_equal(d32(IIDR) & 0xfff, 0);         /* no JEP106 implementer */
    assert_int_equal((d32(PIDR2) >> 4) & 0xf, 2);   /* ArchRev: GICv2 */
    assert_int_equal(d32(CIDR0), 0x0d);
    assert_int_equal(d32(CIDR0 + 4), 0xf0);
    assert_int_equal(d32(CIDR0 + 8), 0x05);
    assert_int_equal(d32(CIDR0 + 12), 0xb1);
    assert_int_equal(d32(0xfd0), 0);
    dw32(PIDR2, 0);
    assert_int_equal((d32(PIDR2) >> 4) & 0xf, 2);

    assert_int_equal(vgic_init_v2(&vg, 1, 988), 0);
    assert_int_equal(d32(TYPER), 31);
    assert_int_equal(vgic_init_v2(&vg, 8, 1), 0);
    assert_int_equal(d32(TYPER), 1u | (7u << 5));
}

static void test_igroupr(void **state)
{
    (void)state;
    assert_int_equal(d32(IGROUPR(0)), 0);
    assert_int_equal(d32(IGROUPR(1)), 0);
    dw32_as(1, IGROUPR(0), 0xffffffffu);            /* banked */
    assert_int_equal(d32_as(1, IGROUPR(0)), 0xffffffffu);
    assert_int_equal(d32_as(0, IGROUPR(0)), 0);
    assert_true(vg.vcpu[1].priv[0].group1 && vg.vcpu[1].priv[27].group1);
    assert_false(vg.vcpu[0].priv[27].group1);
    dw32(IGROUPR(1), 0x80000001u);
    assert_int_equal(d32(IGROUPR(1)), 0x80000001u);
    assert_true(spi(32)->group1 && spi(63)->group1 && !spi(33)->group1);
    dw32(IGROUPR(1), 0);
    assert_false(spi(32)->group1);
    /* SPIs past nr_spis (INTIDs 96+): RAZ/WI. */
    dw32(IGROUPR(3), 0xffffffffu);
    assert_int_equal(d32(IGROUPR(3)), 0);
}

static void test_enable(void **state)
{
    (void)state;
    /* SGIs: always enabled, writes ignored. */
    assert_int_equal(d32(ISENABLER(0)), 0x0000ffffu);
    assert_int_equal(d32(ICENABLER(0)), 0x0000ffffu);
    dw32(ICENABLER(0), 0xffffffffu);
    assert_int_equal(d32(ISENABLER(0)), 0x0000ffffu);
    /* PPIs: banked. */
    dw32_as(2, ISENABLER(0), 1u << 27);
    assert_int_equal(d32_as(2, ISENABLER(0)), 0x0000ffffu | (1u << 27));
    assert_int_equal(d32_as(1, ISENABLER(0)), 0x0000ffffu);
    assert_true(vg.vcpu[2].priv[27].enabled);
    dw32_as(2, ICENABLER(0), 0xffff0000u);
    assert_int_equal(d32_as(2, ISENABLER(0)), 0x0000ffffu);
    /* SPIs. */
    dw32(ISENABLER(1), 0x5);
    assert_int_equal(d32(ISENABLER(1)), 0x5);
    assert_int_equal(d32_as(3, ICENABLER(1)), 0x5);
    dw32_as(3, ICENABLER(1), 0x1);
    assert_int_equal(d32(ISENABLER(1)), 0x4);
    assert_true(spi(34)->enabled && !spi(32)->enabled);
    dw32(ISENABLER(3), 0xffffffffu);
    assert_int_equal(d32(ISENABLER(3)), 0);
}

static void test_pending(void **state)
{
    (void)state;
    /* SGI set/clear-pending bits are read-only: S/CPENDSGIR do that. */
    dw32(ISPENDR(0), 0xffffu);
    assert_int_equal(d32(ISPENDR(0)), 0);
    dw32_as(1, SGIR, SGIR_VAL(0, 0x1, 3));          /* vCPU 1 -> vCPU 0, SGI 3 */
    assert_int_equal(d32(ISPENDR(0)), 1u << 3);
    assert_int_equal(d32(ICPENDR(0)), 1u << 3);
    dw32(ICPENDR(0), 0xffffffffu);
    assert_int_equal(d32(ISPENDR(0)), 1u << 3);
    assert_int_equal(d32_as(1, ISPENDR(0)), 0);     /* banked */
    /* PPIs: banked, writable. */
    dw32_as(3, ISPENDR(0), 1u << 20);
    assert_int_equal(d32_as(3, ISPENDR(0)), 1u << 20);
    assert_int_equal(d32_as(2, ISPENDR(0)), 0);
    dw32_as(3, ICPENDR(0), 1u << 20);
    assert_int_equal(d32_as(3, ISPENDR(0)), 0);
    /* SPIs. */
    dw32(ISPENDR(1), 1u << 3);
    assert_int_equal(d32(ISPENDR(1)), 1u << 3);
    dw32(ICPENDR(1), 1u << 3);
    assert_int_equal(d32(ISPENDR(1)), 0);
    /* A level line reads as pending and ICPENDR cannot clear it. */
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 33, true);
    dw32(ICPENDR(1), 1u << 1);
    assert_int_equal(d32(ISPENDR(1)), 1u << 1);
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 33, false);
    assert_int_equal(d32(ISPENDR(1)), 0);
    check_invariants();
}

static void test_active(void **state)
{
    (void)state;
    dw32_as(1, ISACTIVER(0), (1u << 1) | (1u << 27));
    assert_int_equal(d32_as(1, ISACTIVER(0)), (1u << 1) | (1u << 27));
    assert_int_equal(d32_as(1, ICACTIVER(0)), (1u << 1) | (1u << 27));
    assert_int_equal(d32_as(0, ISACTIVER(0)), 0);
    dw32_as(1, ICACTIVER(0), 0xffffffffu);
    assert_int_equal(d32_as(1, ISACTIVER(0)), 0);
    dw32(ISACTIVER(2), 1u << 4);                    /* SPI 68 */
    assert_true(spi(68)->active);
    assert_int_equal(d32(ICACTIVER(2)), 1u << 4);
    dw32(ICACTIVER(2), 1u << 4);
    assert_false(spi(68)->active);
}

static void test_priority(void **state)
{
    (void)state;
    dw8_as(0, IPRIORITYR + 33, 0xa7);
    assert_int_equal(spi(33)->priority, 0xa0);      /* 5 bits kept */
    assert_int_equal(d8_as(0, IPRIORITYR + 33), 0xa0);
    dw32(IPRIORITYR + 32, 0x11223344u);
    assert_int_equal(d32(IPRIORITYR + 32), 0x10203040u);
    assert_int_equal(d8_as(2, IPRIORITYR + 34), 0x20);
    /* SGIs and PPIs: banked, writable (unlike the GICv3 distributor). */
    dw8_as(1, IPRIORITYR + 27, 0x80);
    dw32_as(1, IPRIORITYR + 4, 0xf8f8f8f8u);
    assert_int_equal(vg.vcpu[1].priv[27].priority, 0x80);
    assert_int_equal(vg.vcpu[1].priv[7].priority, 0xf8);
    assert_int_equal(vg.vcpu[0].priv[27].priority, 0);
    assert_int_equal(d32_as(1, IPRIORITYR + 24), 0x80000000u);
    assert_int_equal(d32_as(0, IPRIORITYR + 24), 0);
    /* Missing SPIs and the reserved 1020-1023: RAZ/WI. */
    dw32(IPRIORITYR + 96, 0xffffffffu);
    assert_int_equal(d32(IPRIORITYR + 96), 0);
    dw32(IPRIORITYR + 1020, 0xffffffffu);
    assert_int_equal(d32(IPRIORITYR + 1020), 0);
}

static void test_itargetsr(void **state)
{
    (void)state;
    /* 0-31: read-only, every byte the accessor's own CPU interface. */
    for (unsigned i = 0; i < 4; i++) {
        uint32_t m = 1u << i;

        for (unsigned r = 0; r < 8; r++)
            assert_int_equal(d32_as(i, ITARGETSR + 4 * r), m | m << 8 | m << 16 | m << 24);
        assert_int_equal(d8_as(i, ITARGETSR + 31), m);
    }
    dw32_as(1, ITARGETSR + 24, 0);
    dw8_as(1, ITARGETSR + 27, 0xff);
    assert_int_equal(d32_as(1, ITARGETSR + 24), 0x02020202u);
    assert_int_equal(d32_as(7, ITARGETSR), 0);      /* accessor without an interface */

    /* SPIs: reset 0x01, byte and word, bits of absent interfaces dropped. */
    assert_int_equal(d32(ITARGETSR + 32), 0x01010101u);
    dw8_as(2, ITARGETSR + 40, 0xff);
    assert_int_equal(d8_as(0, ITARGETSR + 40), 0x0f);
    assert_int_equal(spi(40)->target, 0);           /* lowest targeted */
    dw8_as(2, ITARGETSR + 40, 0x0c);
    assert_int_equal(spi(40)->target, 2);
    dw32(ITARGETSR + 36, 0x08040201u);
    assert_int_equal(spi(36)->target, 0);
    assert_int_equal(spi(37)->target, 1);
    assert_int_equal(spi(38)->target, 2);
    assert_int_equal(spi(39)->target, 3);
    assert_int_equal(d32(ITARGETSR + 36), 0x08040201u);
    dw32(ITARGETSR + 36, 0xf0f0f0f0u);               /* nobody that exists */
    assert_int_equal(d32(ITARGETSR + 36), 0);
    assert_int_equal(spi(36)->target, VGIC_NONE8);
    /* Missing SPIs: RAZ/WI. */
    dw32(ITARGETSR + 96, 0x0f0f0f0fu);
    assert_int_equal(d32(ITARGETSR + 96), 0);
    assert_int_equal(d8_as(0, ITARGETSR + 1023), 0);

    /* An SPI targeted at nobody is not delivered. */
    dw32(CTLR, 1);
    dw32(ISENABLER(1), 1u << 4);
    dw32(ISPENDR(1), 1u << 4);
    for (unsigned i = 0; i < 4; i++) {
        vgic_v2_cpu_if_init(vgic_v2_cpu_if(&vg, i), 3);
        vgic_v2_cpu_if(&vg, i)->vmcr = GICH_VMCR_VMGRP0EN | GICH_VMCR_VMPRIMASK_MASK;
        vgic_flush_lrs(&vg, i);
        assert_int_equal(vgic_v2_cpu_if(&vg, i)->lr[0], 0);
        assert_false(vgic_vcpu_has_pending(&vg, i));
    }
    /* Retargeting it to vCPU 3 kicks vCPU 3. */
    clear_kicks();
    dw8_as(0, ITARGETSR + 36, 0x08);
    assert_int_equal(kick_count[3], 1);
    assert_true(vgic_vcpu_has_pending(&vg, 3));
    check_invariants();
}

static void test_icfgr(void **state)
{
    (void)state;
    /* SGIs: edge, read-only. */
    assert_int_equal(d32(ICFGR(0)), 0xaaaaaaaau);
    dw32(ICFGR(0), 0);
    assert_int_equal(d32(ICFGR(0)), 0xaaaaaaaau);
    /* PPIs: banked and programmable. */
    assert_int_equal(d32_as(1, ICFGR(1)), 0);
    dw32_as(1, ICFGR(1), 0x2u << 22);               /* PPI 27 edge */
    assert_int_equal(d32_as(1, ICFGR(1)), 0x2u << 22);
    assert_true(vg.vcpu[1].priv[27].edge);
    assert_false(vg.vcpu[0].priv[27].edge);
    /* SPIs; the low bit of each pair is reserved. */
    dw32(ICFGR(2), 0xffffffffu);
    assert_int_equal(d32(ICFGR(2)), 0xaaaaaaaau);
    assert_true(spi(32)->edge && spi(47)->edge && !spi(48)->edge);
    dw32(ICFGR(6), 0xffffffffu);                    /* INTIDs 96+: missing */
    assert_int_equal(d32(ICFGR(6)), 0);
}

static void test_sgir(void **state)
{
    (void)state;
    /* With Group 0 off nobody needs a kick; the SGI still pends. */
    dw32(SGIR, SGIR_VAL(0, 0x02, 4));
    assert_int_equal(vg.vcpu[1].priv[4].sgi_sources, 1u << 0);
    assert_int_equal(kick_count[1], 0);
    dw32(CTLR, 1);
    clear_kicks();
    /* Filter 0: the target list, one bit per CPU interface. */
    dw32(SGIR, SGIR_VAL(0, 0x06, 5));
    assert_int_equal(vg.vcpu[1].priv[5].sgi_sources, 1u << 0);
    assert_int_equal(vg.vcpu[2].priv[5].sgi_sources, 1u << 0);
    assert_int_equal(vg.vcpu[0].priv[5].sgi_sources, 0);
    assert_int_equal(vg.vcpu[3].priv[5].sgi_sources, 0);
    assert_int_equal(kick_count[1], 1);
    assert_int_equal(kick_count[2], 1);
    assert_int_equal(kick_count[0] + kick_count[3], 0);
    /* Interfaces that do not exist are not targets. */
    dw32(SGIR, SGIR_VAL(0, 0xf0, 6));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(vg.vcpu[i].priv[6].sgi_sources, 0);
    /* Filter 1: all but the requester. */
    dw32_as(2, SGIR, SGIR_VAL(1, 0x00, 7));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(vg.vcpu[i].priv[7].sgi_sources, i == 2 ? 0 : 1u << 2);
    /* Filter 2: the requester only, whatever the list says; no self-kick. */
    clear_kicks();
    dw32_as(3, SGIR, SGIR_VAL(2, 0x0f, 9) | (1u << 15));    /* NSATT ignored */
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(vg.vcpu[i].priv[9].sgi_sources, i == 3 ? 1u << 3 : 0);
    assert_int_equal(kick_count[3], 0);
    /* Filter 3 is reserved: nothing. Nor from an accessor that is no CPU. */
    dw32(SGIR, SGIR_VAL(3, 0x0f, 10));
    dw32_as(9, SGIR, SGIR_VAL(1, 0x0f, 10));
    dw32_as(VGIC_NO_VCPU, SGIR, SGIR_VAL(0, 0x0f, 10));
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(vg.vcpu[i].priv[10].sgi_sources, 0);
    /* Bits [14:4] are not part of the SGI number. */
    dw32(SGIR, SGIR_VAL(0, 0x02, 0x7ff1));
    assert_int_equal(vg.vcpu[1].priv[1].sgi_sources, 1);
    /* Write-only. */
    assert_int_equal(d32(SGIR), 0);
    /* Two sources of one SGI are two pending interrupts. */
    dw32_as(3, SGIR, SGIR_VAL(0, 0x02, 5));
    assert_int_equal(vg.vcpu[1].priv[5].sgi_sources, (1u << 0) | (1u << 3));
    check_invariants();
}

static void test_sgi_pending_regs(void **state)
{
    (void)state;
    dw32_as(1, SGIR, SGIR_VAL(0, 0x01, 6));
    dw32_as(2, SGIR, SGIR_VAL(0, 0x01, 6));
    /* Byte n of SPENDSGIR<n/4> is SGI n, bit s its source s. */
    assert_int_equal(d32(SPENDSGIR + 4), 0x06u << 16);
    assert_int_equal(d32(CPENDSGIR + 4), 0x06u << 16);
    assert_int_equal(d8_as(0, SPENDSGIR + 6), 0x06);
    assert_int_equal(d32_as(1, SPENDSGIR + 4), 0); /* banked */
    /* Clearing one source leaves the other pending. */
    dw8_as(0, CPENDSGIR + 6, 0x02);
    assert_int_equal(d8_as(0, SPENDSGIR + 6), 0x04);
    assert_int_equal(d32(ISPENDR(0)), 1u << 6);
    dw8_as(0, CPENDSGIR + 6, 0x04);
    assert_int_equal(d32(ISPENDR(0)), 0);
    /* Set-pending; sources past nr_vcpus are RAZ/WI. */
    dw8_as(0, SPENDSGIR + 3, 0xff);
    assert_int_equal(d8_as(0, SPENDSGIR + 3), 0x0f);
    assert_int_equal(d32(ISPENDR(0)), 1u << 3);
    dw32_as(2, SPENDSGIR + 12, 0x01020408u);        /* SGIs 12-15 of vCPU 2 */
    assert_int_equal(d32_as(2, SPENDSGIR + 12), 0x01020408u);
    assert_int_equal(vg.vcpu[2].priv[12].sgi_sources, 0x08);
    assert_int_equal(vg.vcpu[2].priv[15].sgi_sources, 0x01);
    dw32_as(2, CPENDSGIR + 12, 0xffffffffu);
    assert_int_equal(d32_as(2, SPENDSGIR + 12), 0);
    /* Accessor without an interface: RAZ/WI. */
    dw32_as(6, SPENDSGIR, 0xffffffffu);
    assert_int_equal(d32_as(6, SPENDSGIR), 0);
    check_invariants();
}

static void test_bad_accesses(void **state)
{
    static const uint64_t mpidrs[2] = { 0, 1 };
    uint64_t val = 0;

    (void)state;
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, CTLR, 2, false, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, CTLR, 8, false, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, CTLR, 0, false, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, CTLR, 3, false, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, CTLR, 1, false, &val));           /* word-only register */
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, ISENABLER(1) + 1, 1, true, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, IPRIORITYR + 2, 4, false, &val)); /* misaligned */
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, IPRIORITYR + 2, 2, false, &val)); /* no halfwords */
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, ITARGETSR, 8, false, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, SGIR + 1, 1, true, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, 0x1000, 1, false, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, 0x10000, 4, false, &val));
    assert_false(mmio_do(vgic_v2_dist_mmio, 0, ~0ull - 3, 4, false, &val));
    /* Reserved, IMPLEMENTATION DEFINED and NSACR space, and 0x1000+: RAZ/WI. */
    static const uint64_t raz[] = { 0x00c, 0x07c, 0xd00, 0xdfc, 0xe00, 0xefc, 0xf04,
                                    0xf30, 0xfcc, 0x1000, 0x5000, 0xfffc };
    for (unsigned i = 0; i < sizeof(raz) / sizeof(raz[0]); i++) {
        dw32(raz[i], 0xffffffffu);
        assert_int_equal(d32(raz[i]), 0);
    }
    assert_int_equal(d32(CTLR), 0);

    /* One model's handlers are RAZ/WI on the other's vgic. */
    struct mmio_access acc = { .offset = 0x100, .size = 4, .is_write = true,
                               .value = 0xffffffffu };
    assert_true(vgic_v3_dist_mmio(&vg, 0, &acc));
    acc.offset = 0x10100;
    assert_true(vgic_v3_redist_mmio(&vg, 0, &acc));
    assert_false(vg.vcpu[0].priv[20].enabled || vg.spi[0].enabled);
    acc = (struct mmio_access){ .offset = 0x8, .size = 4, .value = 1 };
    assert_true(vgic_v3_dist_mmio(&vg, 0, &acc));
    assert_int_equal(acc.value, 0);
    assert_int_equal(vgic_init(&vg, 2, mpidrs, 64), 0);
    wr_as(0, ISENABLER(1), 4, 0xffffffffu);
    assert_false(vg.spi[0].enabled);
    assert_int_equal(rd_as(0, TYPER, 4), 0);
    assert_int_equal(rd_as(0, ITARGETSR, 4), 0);
}

/* Every offset and size, read and write, from every accessor id: must never
 * crash (sanitizers watch) and must leave the model consistent. */
static void test_sweep_no_crash(void **state)
{
    static const unsigned sizes[] = { 1, 2, 4, 8, 3, 0 };
    static const unsigned ids[] = { 0, 1, 2, 3, 4, 9, VGIC_NO_VCPU };
    uint64_t val;

    (void)state;
    for (uint64_t off = 0; off < 0x10000 + 64; off++) {
        for (unsigned s = 0; s < 6; s++) {
            unsigned id = ids[(off >> 2) % 7];

            if ((off & 3) && sizes[s] == 4 && (off & 0x7f) != 1)
                continue;       /* misaligned words: sample a few only */
            val = 0xffffffffffffffffull;
            (void)mmio_do(vgic_v2_dist_mmio, id, off, sizes[s], true, &val);
            if (mmio_do(vgic_v2_dist_mmio, ids[off % 7], off, sizes[s], false, &val))
                assert_true(val <= (sizes[s] == 1 ? 0xffu : 0xffffffffu));
        }
    }
    check_invariants();
    assert_int_equal(d32(ISENABLER(0)) & 0xffff, 0xffff);
    assert_int_equal(d32(TYPER), 2u | (3u << 5));
}

/* Random accesses: offsets anywhere (mostly inside), random sizes, values
 * and accessors; the model must stay consistent after each one. */
static void test_random_accesses(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;

    (void)state;
    for (unsigned n = 0; n < 200000; n++) {
        uint64_t off, val;
        unsigned size, id;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        off = (x >> 8) % 0x1100;
        if ((x & 0xff) == 0)
            off = x;                                /* anywhere at all */
        else if ((x & 0xff) < 16)
            off = 0x10000 - 64 + (x >> 40) % 128;
        size = (unsigned)((x >> 32) % 9);
        id = (unsigned)((x >> 36) % 6);
        if (((x >> 44) & 7) == 0)
            id = VGIC_NO_VCPU;
        val = x * 0x2545f4914f6cdd1dull;
        (void)mmio_do(vgic_v2_dist_mmio, id, off, size, (x >> 50) & 1, &val);
        if ((n & 1023) == 0)
            check_invariants();
    }
    check_invariants();
}

/* The order of Linux's GICv2 driver (drivers/irqchip/irq-gic.c):
 * gic_dist_init on the boot CPU, then gic_cpu_init on each CPU. */
static void test_linux_style_probe(void **state)
{
    uint32_t gic_irqs, cpumask = 0;

    (void)state;
    gic_irqs = ((d32(TYPER) & 0x1f) + 1) * 32;
    assert_int_equal(gic_irqs, 96);
    dw32(CTLR, 0);
    /* Find the boot CPU's mask in ITARGETSR0-7. */
    for (unsigned i = 0; i < 32; i += 4) {
        cpumask = d32(ITARGETSR + i);
        cpumask |= cpumask >> 16;
        cpumask |= cpumask >> 8;
        if (cpumask)
            break;
    }
    assert_int_equal(cpumask & 0xff, 0x01);
    cpumask &= 0xff;
    cpumask |= cpumask << 8;
    cpumask |= cpumask << 16;
    for (unsigned i = 32; i < gic_irqs; i += 4)
        dw32(ITARGETSR + i, cpumask);
    /* gic_dist_config: level, default priority, deactivate, disable. */
    for (unsigned i = 32; i < gic_irqs; i += 16)
        dw32(ICFGR(i / 16), 0);
    for (unsigned i = 32; i < gic_irqs; i += 4)
        dw32(IPRIORITYR + i, 0xa0a0a0a0u);
    for (unsigned i = 32; i < gic_irqs; i += 32) {
        dw32(ICACTIVER(i / 32), 0xffffffffu);
        dw32(ICENABLER(i / 32), 0xffffffffu);
    }
    dw32(CTLR, 1);
    /* gic_cpu_init on every CPU. */
    for (unsigned cpu = 0; cpu < 4; cpu++) {
        uint32_t mask = d32_as(cpu, ITARGETSR) & 0xff;

        assert_int_equal(mask, 1u << cpu);
        dw32_as(cpu, ICACTIVER(0), 0xffffffffu);
        dw32_as(cpu, ICENABLER(0), 0xffff0000u);
        dw32_as(cpu, ISENABLER(0), 0x0000ffffu);
        for (unsigned i = 0; i < 32; i += 4)
            dw32_as(cpu, IPRIORITYR + i, 0xa0a0a0a0u);
        assert_int_equal(d32_as(cpu, ISENABLER(0)), 0x0000ffffu);
    }
    assert_int_equal(d32(CTLR), 1);
    for (unsigned n = 0; n < 64; n++) {
        assert_false(vg.spi[n].enabled || vg.spi[n].edge || vg.spi[n].group1);
        assert_int_equal(vg.spi[n].priority, 0xa0);
        assert_int_equal(vg.spi[n].target, 0);
    }
    /* An IPI from CPU 0 to CPU 2 (gic_ipi_send_mask), then irq_set_affinity
     * of SPI 33 to CPU 3 and enabling it. */
    dw32(SGIR, SGIR_VAL(0, 0x04, 1));
    assert_int_equal(vg.vcpu[2].priv[1].sgi_sources, 0x01);
    dw8_as(0, ITARGETSR + 33, 0x08);
    dw32(ISENABLER(1), 1u << 1);
    assert_int_equal(spi(33)->target, 3);
    check_invariants();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_v2, setup),
        cmocka_unit_test_setup(test_ctlr, setup),
        cmocka_unit_test_setup(test_typer_iidr_ids, setup),
        cmocka_unit_test_setup(test_igroupr, setup),
        cmocka_unit_test_setup(test_enable, setup),
        cmocka_unit_test_setup(test_pending, setup),
        cmocka_unit_test_setup(test_active, setup),
        cmocka_unit_test_setup(test_priority, setup),
        cmocka_unit_test_setup(test_itargetsr, setup),
        cmocka_unit_test_setup(test_icfgr, setup),
        cmocka_unit_test_setup(test_sgir, setup),
        cmocka_unit_test_setup(test_sgi_pending_regs, setup),
        cmocka_unit_test_setup(test_bad_accesses, setup),
        cmocka_unit_test_setup(test_sweep_no_crash, setup),
        cmocka_unit_test_setup(test_random_accesses, setup),
        cmocka_unit_test_setup(test_linux_style_probe, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
