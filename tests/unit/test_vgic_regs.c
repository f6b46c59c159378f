/* vGIC register files: GICv3 distributor and redistributor semantics as a
 * guest driver sees them, and hostile accesses. */
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
#include "vdev/vgic_v2_lr.c"
#include "vdev/vgic_lr.c"

#include "vgic_test_util.h"
static const uint64_t mpidrs[4] = { 0x80000000, 0x80000001, 0x80000100, 0x100000002ull };

#define GICD_CTLR_OFF       0x0000
#define GICD_TYPER_OFF      0x0004
#define GICD_IIDR_OFF       0x0008
#define GICD_TYPER2_OFF     0x000c
#define GICD_IROUTER_OFF(n) (0x6000 + 8 * (n))
#define RD(frame)           ((uint64_t)(frame) * 0x20000)
#define SGI(frame)          (RD(frame) + 0x10000)
#define PIDR2_OFF           0xffe8


static uint64_t rd(mmio_handler_fn fn, uint64_t off, unsigned size)
{
    uint64_t val;

    assert_true(mmio_do(fn, 0, off, size, false, &val));
    return val;
}

static void wr(mmio_handler_fn fn, uint64_t off, unsigned size, uint64_t val)
{
    assert_true(mmio_do(fn, 0, off, size, true, &val));
}

static uint32_t d32(uint64_t off) { return (uint32_t)rd(vgic_v3_dist_mmio, off, 4); }
static void dw32(uint64_t off, uint32_t val) { wr(vgic_v3_dist_mmio, off, 4, val); }
static uint32_t r32(uint64_t off) { return (uint32_t)rd(vgic_v3_redist_mmio, off, 4); }
static void rw32(uint64_t off, uint32_t val) { wr(vgic_v3_redist_mmio, off, 4, val); }

static int setup(void **state)
{
    (void)state;
    memset(kick_count, 0, sizeof(kick_count));
    assert_int_equal(vgic_init(&vg, 4, mpidrs, 64), 0);
    return 0;
}

static void test_init_rejects_bad_arguments(void **state)
{
    static const uint64_t dup[2] = { 0x1, 0x80000001 };   /* same affinity, other RES1 bit */
    uint64_t many[VGIC_MAX_VCPUS + 1] = { 0 };

    (void)state;
    for (unsigned i = 0; i <= VGIC_MAX_VCPUS; i++)
        many[i] = i;
    assert_int_equal(vgic_init(&vg, 0, mpidrs, 64), -1);
    assert_int_equal(vgic_init(&vg, VGIC_MAX_VCPUS + 1, many, 64), -1);
    assert_int_equal(vgic_init(&vg, 1, NULL, 64), -1);
    assert_int_equal(vgic_init(&vg, 1, mpidrs, VGIC_MAX_SPIS + 1), -1);
    assert_int_equal(vgic_init(&vg, 2, dup, 64), -1);
    assert_int_equal(vgic_init(&vg, VGIC_MAX_VCPUS, many, 0), 0);
    assert_int_equal(vg.nr_spis, VGIC_DEFAULT_SPIS);
    assert_int_equal(vgic_init(&vg, 1, mpidrs, VGIC_MAX_SPIS), 0);
}

static void test_ctlr(void **state)
{
    (void)state;
    /* ARE and DS fixed at 1, RWP (bit 31) never set. */
    assert_int_equal(d32(GICD_CTLR_OFF), (1u << 4) | (1u << 6));
    dw32(GICD_CTLR_OFF, 0x80000013u);
    assert_int_equal(d32(GICD_CTLR_OFF), 0x53u);
    assert_true(vg.grp0_enabled && vg.grp1_enabled);
    /* Enabling groups makes the other vCPUs rescan. */
    assert_int_equal(kick_count[0], 0);
    assert_int_equal(kick_count[1], 1);
    dw32(GICD_CTLR_OFF, 0);
    assert_int_equal(d32(GICD_CTLR_OFF), 0x50u);
}

static void test_typer_and_ids(void **state)
{
    uint32_t typer = d32(GICD_TYPER_OFF);

    (void)state;
    assert_int_equal(typer & 0x1f, 2);              /* 64 SPIs: INTIDs up to 95 */
    assert_int_equal((typer >> 19) & 0x1f, 9);      /* 10 INTID bits */
    assert_int_equal(typer & ((1u << 17) | (1u << 16) | (1u << 8)), 0);  /* no LPI/MBIS/ESPI */
    assert_int_equal(typer & (1u << 26), 0);        /* Aff0 < 16: no RSS */
    assert_int_equal(d32(GICD_TYPER2_OFF), 0);
    assert_int_equal(d32(GICD_IIDR_OFF), VGIC_V3_IIDR);
    assert_int_equal((d32(PIDR2_OFF) >> 4) & 0xf, 3);
    assert_int_equal((r32(RD(2) + PIDR2_OFF) >> 4) & 0xf, 3);
    assert_int_equal(r32(RD(1) + 0x4), VGIC_V3_IIDR);
    assert_int_equal(d32(0xfff0), 0x0d);

    assert_int_equal(vgic_init(&vg, 1, mpidrs, 988), 0);
    assert_int_equal(d32(GICD_TYPER_OFF) & 0x1f, 31);

    static const uint64_t big_aff0[2] = { 0x0, 0x20 };
    assert_int_equal(vgic_init(&vg, 2, big_aff0, 64), 0);
    assert_true(d32(GICD_TYPER_OFF) & (1u << 26));
}

static void test_enable_pairs(void **state)
{
    (void)state;
    dw32(0x104, 0x00000005u);                       /* ISENABLER1: SPIs 32 and 34 */
    assert_int_equal(d32(0x104), 5);
    assert_int_equal(d32(0x184), 5);                /* ICENABLER reads the same state */
    dw32(0x184, 0x00000001u);
    assert_int_equal(d32(0x104), 4);
    assert_true(vg.spi[2].enabled && !vg.spi[0].enabled);
    /* ARE = 1: the distributor's bank for INTIDs 0-31 is RAZ/WI. */
    dw32(0x100, 0xffffffffu);
    assert_int_equal(d32(0x100), 0);
    assert_false(vg.vcpu[0].priv[5].enabled);
    /* SPIs beyond nr_spis (64 -> INTIDs 96+) do not exist. */
    dw32(0x10c, 0xffffffffu);
    assert_int_equal(d32(0x10c), 0);
}

static void test_group_pending_active(void **state)
{
    (void)state;
    /* Reset: every implemented interrupt is Group 1. */
    assert_int_equal(d32(0x84), 0xffffffffu);
    assert_int_equal(d32(0x88), 0xffffffffu);
    assert_int_equal(d32(0x8c), 0);
    dw32(0x84, 0xfffffffeu);
    assert_false(vg.spi[0].group1);

    dw32(0x204, 1u << 3);                           /* ISPENDR: SPI 35 */
    assert_int_equal(d32(0x204), 1u << 3);
    assert_int_equal(d32(0x284), 1u << 3);
    dw32(0x284, 1u << 3);
    assert_int_equal(d32(0x204), 0);

    dw32(0x304, 1u << 4);                           /* ISACTIVER: SPI 36 */
    assert_int_equal(d32(0x384), 1u << 4);
    dw32(0x384, 1u << 4);
    assert_int_equal(d32(0x304), 0);

    /* A level line reads as pending and cannot be cleared by ICPENDR. */
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 33, true);
    dw32(0x284, 1u << 1);
    assert_int_equal(d32(0x204), 1u << 1);
    vgic_set_irq_level(&vg, VGIC_NO_VCPU, 33, false);
    assert_int_equal(d32(0x204), 0);
}

static void test_priority_byte_and_word(void **state)
{
    (void)state;
    wr(vgic_v3_dist_mmio, 0x400 + 33, 1, 0xa7);
    assert_int_equal(vg.spi[1].priority, 0xa0);     /* 5 bits kept */
    assert_int_equal(rd(vgic_v3_dist_mmio, 0x400 + 33, 1), 0xa0);
    dw32(0x420, 0x11223344u);                       /* INTIDs 32..35 */
    assert_int_equal(vg.spi[0].priority, 0x40);
    assert_int_equal(vg.spi[3].priority, 0x10);
    assert_int_equal(d32(0x420), 0x10203040u);
    assert_int_equal(rd(vgic_v3_dist_mmio, 0x422, 1), 0x20);
    /* Distributor priorities of private INTIDs: RAZ/WI (ARE = 1). */
    dw32(0x400, 0xffffffffu);
    assert_int_equal(d32(0x400), 0);
    /* Redistributor priorities, frame 2 accessed by vCPU 0. */
    wr(vgic_v3_redist_mmio, SGI(2) + 0x400 + 27, 1, 0x80);
    assert_int_equal(vg.vcpu[2].priv[27].priority, 0x80);
    assert_int_equal(vg.vcpu[0].priv[27].priority, 0);
    rw32(SGI(2) + 0x404, 0xf8f8f8f8u);
    assert_int_equal(r32(SGI(2) + 0x404), 0xf8f8f8f8u);
    assert_int_equal(vg.vcpu[2].priv[7].priority, 0xf8);
    /* 2-byte accesses are not allowed anywhere. */
    uint64_t val = 0;
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, 0x420, 2, false, &val));
}

static void test_icfgr(void **state)
{
    (void)state;
    /* Reset: SPIs level. */
    assert_int_equal(d32(0xc08), 0);
    dw32(0xc08, 0x2u << 2);                         /* SPI 33 edge */
    assert_true(vg.spi[1].edge);
    assert_int_equal(d32(0xc08), 0x8);
    /* SGIs always edge, write ignored; PPIs programmable. */
    assert_int_equal(r32(SGI(1) + 0xc00), 0xaaaaaaaau);
    rw32(SGI(1) + 0xc00, 0);
    assert_int_equal(r32(SGI(1) + 0xc00), 0xaaaaaaaau);
    assert_int_equal(r32(SGI(1) + 0xc04), 0);
    rw32(SGI(1) + 0xc04, 0x2u << 22);               /* PPI 27 edge */
    assert_int_equal(r32(SGI(1) + 0xc04), 0x2u << 22);
    assert_true(vg.vcpu[1].priv[27].edge);
    /* Distributor ICFGR0/1 are RAZ/WI. */
    dw32(0xc04, 0xffffffffu);
    assert_int_equal(d32(0xc04), 0);
}

static void test_irouter(void **state)
{
    (void)state;
    /* Reset routes to affinity 0.0.0.0 = vCPU 0. */
    assert_int_equal(vg.spi[0].target, 0);
    wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(40), 8, 0x0000000100000002ull);
    assert_int_equal(rd(vgic_v3_dist_mmio, GICD_IROUTER_OFF(40), 8), 0x100000002ull);
    assert_int_equal(vg.spi[8].target, 3);          /* Aff3 = 1, Aff0 = 2 */
    /* 32-bit halves; RES0 bits dropped. */
    wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(41), 4, 0x7f000100u);
    wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(41) + 4, 4, 0xffffff00u);
    assert_int_equal(rd(vgic_v3_dist_mmio, GICD_IROUTER_OFF(41), 8), 0x0000000000000100ull);
    assert_int_equal(rd(vgic_v3_dist_mmio, GICD_IROUTER_OFF(41), 4), 0x100);
    assert_int_equal(rd(vgic_v3_dist_mmio, GICD_IROUTER_OFF(41) + 4, 4), 0);
    assert_int_equal(vg.spi[9].target, 2);
    /* Affinity nobody has: no target. */
    wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(42), 8, 0x5);
    assert_int_equal(vg.spi[10].target, VGIC_NONE8);
    /* IRM = 1 goes to an awake vCPU. */
    rw32(RD(2) + 0x14, 0);
    wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(43), 8, 1ull << 31);
    assert_int_equal(vg.spi[11].target, 2);
    /* IROUTER of SGIs/PPIs and of missing SPIs is RAZ/WI. */
    wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(5), 8, 0x3);
    assert_int_equal(rd(vgic_v3_dist_mmio, GICD_IROUTER_OFF(5), 8), 0);
    wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(1019), 8, 0x3);
    assert_int_equal(rd(vgic_v3_dist_mmio, GICD_IROUTER_OFF(1019), 8), 0);
}

static void test_gicr_typer_last(void **state)
{
    (void)state;
    for (unsigned f = 0; f < 4; f++) {
        uint64_t typer = rd(vgic_v3_redist_mmio, RD(f) + 8, 8);

        assert_int_equal(typer >> 32, vgic_mpidr_affinity(mpidrs[f]));
        assert_int_equal((typer >> 8) & 0xffff, f);
        assert_int_equal(!!(typer & (1u << 4)), f == 3);
        assert_int_equal(typer & 1, 0);             /* no physical LPIs */
        assert_int_equal(rd(vgic_v3_redist_mmio, RD(f) + 8, 4), typer & 0xffffffffu);
        assert_int_equal(rd(vgic_v3_redist_mmio, RD(f) + 0xc, 4), typer >> 32);
    }
    assert_int_equal(rd(vgic_v3_redist_mmio, RD(3) + 8, 8) >> 32, 0x01000002u);
    /* A frame past the last one reads as zero. */
    assert_int_equal(rd(vgic_v3_redist_mmio, RD(4) + 8, 8), 0);
}

static void test_waker(void **state)
{
    (void)state;
    assert_int_equal(r32(RD(1) + 0x14), 0x6);       /* ProcessorSleep + ChildrenAsleep */
    rw32(RD(1) + 0x14, 0);
    assert_int_equal(r32(RD(1) + 0x14), 0);
    assert_false(vg.vcpu[1].processor_sleep);
    assert_true(vg.vcpu[0].processor_sleep);
    rw32(RD(1) + 0x14, 0x2);
    assert_int_equal(r32(RD(1) + 0x14), 0x6);
}

static void test_redist_sgi_base(void **state)
{
    (void)state;
    rw32(SGI(1) + 0x100, (1u << 27) | (1u << 3));
    assert_true(vg.vcpu[1].priv[27].enabled);
    assert_false(vg.vcpu[0].priv[27].enabled);
    assert_int_equal(r32(SGI(1) + 0x180), (1u << 27) | (1u << 3));
    rw32(SGI(1) + 0x180, 1u << 3);
    assert_int_equal(r32(SGI(1) + 0x100), 1u << 27);
    rw32(SGI(1) + 0x200, 1u << 5);
    assert_int_equal(r32(SGI(1) + 0x200), 1u << 5);
    rw32(SGI(1) + 0x280, 1u << 5);
    assert_int_equal(r32(SGI(1) + 0x200), 0);
    rw32(SGI(1) + 0x300, 1u << 6);
    assert_int_equal(r32(SGI(1) + 0x380), 1u << 6);
    rw32(SGI(1) + 0x380, 1u << 6);
    assert_int_equal(r32(SGI(1) + 0x300), 0);
    assert_int_equal(r32(SGI(1) + 0x80), 0xffffffffu);
    rw32(SGI(1) + 0x80, 0);
    assert_false(vg.vcpu[1].priv[0].group1);
    /* IGRPMODR0, NSACR, extended PPI registers: RAZ/WI. */
    rw32(SGI(1) + 0xd00, 0xffffffffu);
    assert_int_equal(r32(SGI(1) + 0xd00), 0);
    rw32(SGI(1) + 0x104, 0xffffffffu);
    assert_int_equal(r32(SGI(1) + 0x104), 0);
}

static void test_bad_sizes_and_offsets(void **state)
{
    uint64_t val = 0;

    (void)state;
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, GICD_CTLR_OFF, 1, false, &val));
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, GICD_CTLR_OFF, 8, false, &val));
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, GICD_TYPER_OFF, 2, false, &val));
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, 0x102, 4, true, &val));       /* misaligned */
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, GICD_IROUTER_OFF(40) + 4, 8, false, &val));
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, 0x10000, 4, false, &val));
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, ~0ull - 3, 4, false, &val));
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, 0x0, 3, false, &val));
    assert_false(mmio_do(vgic_v3_dist_mmio, 0, 0x0, 0, false, &val));
    assert_false(mmio_do(vgic_v3_redist_mmio, 0, RD(0) + 0x14, 8, false, &val));
    assert_false(mmio_do(vgic_v3_redist_mmio, 0, RD(0) + 0x14, 1, false, &val));
    assert_false(mmio_do(vgic_v3_redist_mmio, 0, SGI(0) + 0x100, 8, false, &val));
    assert_false(mmio_do(vgic_v3_redist_mmio, 0, RD(0) + 0x9, 4, false, &val));
    /* Reserved offsets: RAZ/WI. */
    assert_int_equal(d32(0x5000), 0);
    dw32(0x5000, 0xffffffffu);
    assert_int_equal(d32(0xf00), 0);                /* GICD_SGIR, ARE = 1 */
    dw32(0xf00, 0xffffffffu);
    assert_int_equal(rd(vgic_v3_dist_mmio, 0x800, 1), 0);   /* ITARGETSR */
    assert_int_equal(r32(RD(0) + 0x70), 0);
    assert_int_equal(rd(vgic_v3_redist_mmio, RD(0) + 0x70, 8), 0);
    assert_true(mmio_do(vgic_v3_redist_mmio, 0, ~0ull - 3, 4, false, &val));
    assert_int_equal(val, 0);
    assert_true(mmio_do(vgic_v3_redist_mmio, 7, SGI(3) + 0x100, 4, true, &(uint64_t){ ~0ull }));
}

/* Every offset and size, read and write, from every accessor id: must never
 * crash (sanitizers watch) and must leave reads defined. */
static void test_sweep_no_crash(void **state)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    uint64_t val;

    (void)state;
    for (uint64_t off = 0; off < 0x10000 + 64; off += 4) {
        for (unsigned s = 0; s < 4; s++) {
            val = 0xffffffffffffffffull;
            (void)mmio_do(vgic_v3_dist_mmio, (unsigned)(off >> 2) % 10, off, sizes[s], true, &val);
            (void)mmio_do(vgic_v3_dist_mmio, 0, off, sizes[s], false, &val);
            val = 0xffffffffffffffffull;
            (void)mmio_do(vgic_v3_redist_mmio, 9, off * 2 + (off & 4) * 0x4000, sizes[s], true,
                         &val);
            (void)mmio_do(vgic_v3_redist_mmio, 1, off * 5, sizes[s], false, &val);
        }
    }
    assert_int_equal(d32(GICD_CTLR_OFF) & 0x50, 0x50);
}

/* The probe sequence of Linux's GICv3 driver, in order. */
static void test_linux_style_probe(void **state)
{
    unsigned frames = 0;

    (void)state;
    assert_int_equal((d32(PIDR2_OFF) >> 4) & 0xf, 3);
    dw32(GICD_CTLR_OFF, 0);
    /* Configure SPIs: group 1, level, default priority, disabled. */
    for (unsigned i = 32; i < 96; i += 32) {
        dw32(0x80 + i / 8, 0xffffffffu);
        dw32(0x380 + i / 8, 0xffffffffu);
        dw32(0x180 + i / 8, 0xffffffffu);
    }
    for (unsigned i = 32; i < 96; i += 4)
        dw32(0x400 + i, 0xa0a0a0a0u);
    dw32(GICD_CTLR_OFF, (1u << 4) | 0x3);
    for (unsigned i = 32; i < 96; i++)
        wr(vgic_v3_dist_mmio, GICD_IROUTER_OFF(i), 8, 0x0);
    /* Find each CPU's redistributor by walking to the Last frame. */
    for (unsigned f = 0;; f++) {
        uint64_t typer;

        assert_int_equal((r32(RD(f) + PIDR2_OFF) >> 4) & 0xf, 3);
        typer = rd(vgic_v3_redist_mmio, RD(f) + 8, 8);
        frames++;
        rw32(RD(f) + 0x14, r32(RD(f) + 0x14) & ~0x2u);
        assert_int_equal(r32(RD(f) + 0x14) & 0x4, 0);
        if (typer & (1u << 4))
            break;
        assert_true(f < 8);
    }
    assert_int_equal(frames, 4);
    assert_int_equal(d32(GICD_CTLR_OFF) & 0x3, 0x3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_rejects_bad_arguments, setup),
        cmocka_unit_test_setup(test_ctlr, setup),
        cmocka_unit_test_setup(test_typer_and_ids, setup),
        cmocka_unit_test_setup(test_enable_pairs, setup),
        cmocka_unit_test_setup(test_group_pending_active, setup),
        cmocka_unit_test_setup(test_priority_byte_and_word, setup),
        cmocka_unit_test_setup(test_icfgr, setup),
        cmocka_unit_test_setup(test_irouter, setup),
        cmocka_unit_test_setup(test_gicr_typer_last, setup),
        cmocka_unit_test_setup(test_waker, setup),
        cmocka_unit_test_setup(test_redist_sgi_base, setup),
        cmocka_unit_test_setup(test_bad_sizes_and_offsets, setup),
        cmocka_unit_test_setup(test_sweep_no_crash, setup),
        cmocka_unit_test_setup(test_linux_style_probe, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
