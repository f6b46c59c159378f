/* The vGIC register-file decoder (vdev/vgic_mmio.c) on a frame of its own,
 * then the real frames' tables: the access rules of the Arm GIC
 * architecture (a 32-bit access everywhere, bytes and 64 bits only where
 * a register allows them, never 16 bits, nothing unaligned; reserved
 * offsets RAZ/WI) and which handler sees which INTIDs. */
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

#include "vgic_test_util.h"

static const uint64_t mpidrs[2] = { 0x80000000, 0x80000001 };

/* What the test frame's handlers saw. */
static struct {
    unsigned reads, writes;
    struct vgic_mmio_op op;
    uint64_t written;
    bool lock_held;
} seen;

static bool lock_is_held(struct vgic *v)
{
    bool held = atomic_flag_test_and_set(&v->lock.flag);

    if (!held)
        atomic_flag_clear(&v->lock.flag);
    return held;
}

static uint64_t probe_read(const struct vgic_mmio_op *op)
{
    seen.reads++;
    seen.op = *op;
    seen.lock_held = lock_is_held(op->v);
    return 0x1122334455667788ull >> ((64 - 8 * op->size) % 64);
}

static void probe_write(const struct vgic_mmio_op *op, uint64_t val)
{
    seen.writes++;
    seen.op = *op;
    seen.written = val;
    seen.lock_held = lock_is_held(op->v);
}

#define PROBE_W32   VGIC_MMIO_32BIT
#define PROBE_W8_32 (VGIC_MMIO_8BIT | VGIC_MMIO_32BIT)
#define PROBE_W32_64 (VGIC_MMIO_32BIT | VGIC_MMIO_64BIT)

static const struct vgic_mmio_region probe_rows[] = {
    VGIC_MMIO_REG(0x0000, 4, PROBE_W32, 0, probe_read, probe_write),
    VGIC_MMIO_REG(0x0004, 4, PROBE_W32, VGIC_MMIO_FIXED, probe_read, 0),
    VGIC_MMIO_REG(0x0008, 8, PROBE_W32_64, 0, probe_read, probe_write),
    VGIC_MMIO_PER_IRQ(0x0080, 1, PROBE_W32, 5, probe_read, probe_write),
    VGIC_MMIO_PER_IRQ(0x0400, 8, PROBE_W8_32, 0, probe_read, probe_write),
    VGIC_MMIO_PER_IRQ(0x0c00, 2, PROBE_W32, 0, probe_read, probe_write),
    VGIC_MMIO_PER_IRQ(0x6000, 64, PROBE_W32_64, 0, probe_read, probe_write),
};

static const struct vgic_mmio_frame probe = {
    .name = "probe",
    .rows = probe_rows,
    .nr_rows = sizeof(probe_rows) / sizeof(probe_rows[0]),
    .size = 0x10000,
    .model = VGIC_MODEL_V3,
    .first_intid = 32,
    .end_intid = 1024,
};

static int setup(void **state)
{
    (void)state;
    memset(&seen, 0, sizeof(seen));
    memset(kick_count, 0, sizeof(kick_count));
    assert_int_equal(vgic_init(&vg, 2, mpidrs, 64), 0);
    return 0;
}

/* One access through the probe frame from vCPU 1 on bank 0; a read starts
 * from garbage. */
static bool probe_do(uint64_t off, unsigned size, bool write, uint64_t *val)
{
    struct mmio_access acc = { .offset = off, .size = size, .is_write = write,
                               .value = write ? *val : 0xdeadbeefdeadbeefull };
    bool ok = vgic_mmio_dispatch(&probe, &vg, 0, 1, &acc);

    if (!write)
        *val = acc.value;
    return ok;
}

static bool probe_ok(uint64_t off, unsigned size)
{
    const struct vgic_mmio_region *row;

    return vgic_mmio_decode(&probe, off, size, &row);
}

static void test_find_takes_the_row_holding_the_offset(void **state)
{
    (void)state;
    assert_ptr_equal(vgic_mmio_find(&probe, 0x0), &probe_rows[0]);
    assert_ptr_equal(vgic_mmio_find(&probe, 0x3), &probe_rows[0]);
    assert_ptr_equal(vgic_mmio_find(&probe, 0xc), &probe_rows[2]);
    assert_null(vgic_mmio_find(&probe, 0x10));              /* just past a row */
    assert_null(vgic_mmio_find(&probe, 0x7f));              /* just before one */
    assert_ptr_equal(vgic_mmio_find(&probe, 0x80), &probe_rows[3]);
    assert_ptr_equal(vgic_mmio_find(&probe, 0xff), &probe_rows[3]);
    assert_ptr_equal(vgic_mmio_find(&probe, 0x7ff), &probe_rows[4]);
    assert_null(vgic_mmio_find(&probe, 0x800));
    assert_ptr_equal(vgic_mmio_find(&probe, 0x7fff), &probe_rows[6]);
    assert_null(vgic_mmio_find(&probe, 0x8000));
    assert_null(vgic_mmio_find(&probe, ~0ull));
}

static void test_unaligned_is_refused(void **state)
{
    uint64_t val = 0;

    (void)state;
    assert_false(probe_ok(0x2, 4));
    assert_false(probe_ok(0x404, 8));
    assert_false(probe_ok(0xc, 8));                         /* the 64-bit row's high half */
    assert_false(probe_ok(0x6004, 8));
    assert_false(probe_ok(0x401, 4));
    assert_true(probe_ok(0x401, 1));
    assert_true(probe_ok(0x6004, 4));
    assert_false(probe_do(0x2, 4, true, &val));
    assert_int_equal(seen.writes, 0);
}

static void test_wrong_width_is_refused(void **state)
{
    (void)state;
    /* Never 16 bits, nor sizes that are no access at all. */
    for (uint64_t off = 0; off < 0x8000; off += 0x200) {
        assert_false(probe_ok(off, 2));
        assert_false(probe_ok(off, 3));
        assert_false(probe_ok(off, 16));
        assert_false(probe_ok(off, 0));
    }
    assert_false(probe_ok(0x0, 1));                         /* a word register */
    assert_false(probe_ok(0x0, 8));
    assert_true(probe_ok(0x8, 8));                          /* a 64-bit register */
    assert_true(probe_ok(0x8, 4));
    assert_true(probe_ok(0xc, 4));
    assert_false(probe_ok(0x80, 1));                        /* bit banks: words only */
    assert_false(probe_ok(0xc00, 1));
    assert_true(probe_ok(0x6000, 8));
    assert_false(probe_ok(0x6000, 1));
}

static void test_out_of_range_is_refused(void **state)
{
    uint64_t val = 0;

    (void)state;
    assert_true(probe_ok(0xfffc, 4));
    assert_false(probe_ok(0x10000, 4));
    assert_false(probe_ok(0x10000, 1));
    assert_false(probe_ok(~0ull - 3, 4));
    assert_false(probe_do(0x10000, 4, false, &val));
}

static void test_holes_are_raz_wi_to_words_only(void **state)
{
    uint64_t val = 0xffffffff;
    uint32_t gen = vg.gen;

    (void)state;
    assert_true(probe_do(0x4100, 4, true, &val));
    assert_true(probe_do(0x4100, 4, false, &val));
    assert_int_equal(val, 0);
    assert_int_equal(seen.reads + seen.writes, 0);
    assert_int_equal(vg.gen, gen + 1);      /* a write moves it, as every write does */
    assert_false(probe_ok(0x4100, 1));
    assert_false(probe_ok(0x4100, 8));
    assert_false(probe_ok(0x10, 1));
    assert_true(probe_ok(0xfffc, 4));
}

static void test_per_irq_rows_give_the_first_intid(void **state)
{
    uint64_t val = 0xab;

    (void)state;
    assert_true(probe_do(0x400 + 40, 1, true, &val));       /* 8 bits: byte n = INTID n */
    assert_int_equal(seen.op.intid, 40);
    assert_int_equal(seen.op.off, 40);
    assert_int_equal(seen.op.size, 1);
    assert_true(probe_do(0x80 + 4 * 3, 4, false, &val));    /* 1 bit: word n = INTID 32n */
    assert_int_equal(seen.op.intid, 96);
    assert_int_equal(seen.op.row->arg, 5);
    assert_true(probe_do(0xc00 + 4 * 5, 4, false, &val));   /* 2 bits: word n = INTID 16n */
    assert_int_equal(seen.op.intid, 80);
    assert_true(probe_do(0x6000 + 8 * 1019 + 4, 4, false, &val));  /* 64 bits, high half */
    assert_int_equal(seen.op.intid, 1019);
    assert_int_equal(seen.op.off, 8 * 1019 + 4);
    assert_int_equal(seen.op.bank, 0);
    assert_int_equal(seen.op.caller, 1);
    assert_true(seen.lock_held);
}

static void test_intids_outside_the_frame_are_raz_wi(void **state)
{
    uint64_t val = 0xffffffff;

    (void)state;
    /* first_intid 32: the registers of INTIDs 0-31 read as zero. */
    assert_true(probe_do(0x400 + 28, 4, true, &val));
    assert_true(probe_do(0x400 + 28, 4, false, &val));
    assert_int_equal(val, 0);
    assert_true(probe_do(0x80, 4, false, &val));
    assert_true(probe_do(0xc04, 4, false, &val));
    assert_true(probe_do(0x6000 + 8 * 31, 8, false, &val));
    assert_int_equal(val, 0);
    assert_int_equal(seen.reads + seen.writes, 0);
    assert_true(probe_do(0x400 + 32, 4, false, &val));
    assert_int_equal(seen.reads, 1);
}

static void test_write_value_is_cut_to_the_access(void **state)
{
    uint64_t val = 0xfedcba9876543210ull;

    (void)state;
    assert_true(probe_do(0x0, 4, true, &val));
    assert_int_equal(seen.written, 0x76543210u);
    assert_true(probe_do(0x423, 1, true, &val));
    assert_int_equal(seen.written, 0x10u);
    assert_true(probe_do(0x8, 8, true, &val));
    assert_int_equal(seen.written, 0xfedcba9876543210ull);
    assert_true(probe_do(0x8, 4, false, &val));
    assert_int_equal(val, 0x11223344u);
}

static void test_fixed_rows_read_without_the_lock(void **state)
{
    uint64_t val = 0;

    (void)state;
    assert_true(probe_do(0x4, 4, false, &val));
    assert_int_equal(seen.reads, 1);
    assert_false(seen.lock_held);
    assert_true(probe_do(0x0, 4, false, &val));
    assert_true(seen.lock_held);
    val = 1;
    assert_true(probe_do(0x4, 4, true, &val));              /* read-only: WI */
    assert_int_equal(seen.writes, 0);
}

static void test_other_model_is_raz_wi(void **state)
{
    uint64_t val = 0xffffffff;

    (void)state;
    assert_int_equal(vgic_init_v2(&vg, 2, 64), 0);
    assert_true(probe_do(0x0, 4, true, &val));
    assert_true(probe_do(0x4, 4, false, &val));
    assert_int_equal(val, 0);
    assert_true(probe_do(0x400 + 40, 1, false, &val));
    assert_int_equal(val, 0);
    assert_int_equal(seen.reads + seen.writes, 0);
    assert_false(probe_do(0x1, 4, false, &val));            /* still refused */
}

/* ---- The real frames' tables ---- */

static const struct vgic_mmio_frame *const frames[] = {
    &dist_frame, &rd_frame, &rd_sgi_frame, &v2_dist_frame,
};

static void test_tables_are_sorted_disjoint_and_in_the_frame(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
        const struct vgic_mmio_frame *f = frames[i];
        uint32_t end = 0;

        for (unsigned r = 0; r < f->nr_rows; r++) {
            const struct vgic_mmio_region *row = &f->rows[r];
            unsigned widest = row->widths & VGIC_MMIO_64BIT ? 8 : 4;

            if (row->offset < end || row->offset + row->len > f->size)
                fail_msg("%s: row %u at 0x%x overlaps or leaves the frame", f->name, r,
                         row->offset);
            assert_int_equal(row->offset % widest, 0);
            assert_int_equal(row->len % 4, 0);
            assert_true(row->widths & VGIC_MMIO_32BIT);     /* words go everywhere */
            assert_false(row->widths & VGIC_MMIO_16BIT);
            if (row->bits_per_irq)
                assert_int_equal(row->len, VGIC_MMIO_INTIDS * row->bits_per_irq / 8);
            if (row->flags & VGIC_MMIO_FIXED)
                assert_null(row->write);
            end = row->offset + row->len;
        }
    }
}

/* The fixed-register fast path ahead of the table answers exactly what
 * the table's rows answer. */
static void test_fast_path_agrees_with_the_rows(void **state)
{
    static const uint64_t v3_offs[] = { 0x4, 0x8, 0xffd0, 0xffe0, 0xffe8, 0xfff0, 0xfffc };
    static const uint64_t v2_offs[] = { 0x4, 0x8, 0xfd0, 0xfe8, 0xff0, 0xff4, 0xffc };
    struct mmio_access fast, table;

    (void)state;
    for (unsigned i = 0; i < sizeof(v3_offs) / sizeof(v3_offs[0]); i++) {
        fast = (struct mmio_access){ .offset = v3_offs[i], .size = 4, .value = 1 };
        table = fast;
        assert_true(vgic_v3_dist_mmio(&vg, 0, &fast));
        assert_true(vgic_mmio_dispatch(&dist_frame, &vg, 0, 0, &table));
        assert_int_equal(fast.value, table.value);
    }
    assert_int_equal(vgic_init_v2(&vg, 2, 64), 0);
    for (unsigned i = 0; i < sizeof(v2_offs) / sizeof(v2_offs[0]); i++) {
        fast = (struct mmio_access){ .offset = v2_offs[i], .size = 4, .value = 1 };
        table = fast;
        assert_true(vgic_v2_dist_mmio(&vg, 0, &fast));
        assert_true(vgic_mmio_dispatch(&v2_dist_frame, &vg, 0, 0, &table));
        assert_int_equal(fast.value, table.value);
    }
    /* Misaligned or past the frame, the fast path refuses as the table does. */
    fast = (struct mmio_access){ .offset = 0xfd2, .size = 4 };
    assert_false(vgic_v2_dist_mmio(&vg, 0, &fast));
}

/* GICD_SGIR's write ahead of the table does what its row does. */
static void test_sgir_fast_path_agrees_with_its_row(void **state)
{
    static const uint32_t sgirs[] = {
        0x00020005,     /* list: CPU interface 1, SGI 5 */
        0x01000007,     /* all but the requester, SGI 7 */
        0x02000003,     /* the requester only, SGI 3 */
        0x03030001,     /* reserved filter: nothing */
    };

    (void)state;
    for (unsigned i = 0; i < sizeof(sgirs) / sizeof(sgirs[0]); i++) {
        struct mmio_access fast = { .offset = 0xf00, .size = 4, .is_write = true,
                                    .value = sgirs[i] };
        struct mmio_access table = fast;
        uint8_t sources[2][VGIC_NR_SGIS];

        assert_int_equal(vgic_init_v2(&vg, 2, 64), 0);
        assert_true(vgic_v2_dist_mmio(&vg, 0, &fast));
        for (unsigned c = 0; c < 2; c++)
            for (unsigned n = 0; n < VGIC_NR_SGIS; n++)
                sources[c][n] = vg.vcpu[c].priv[n].sgi_sources;
        if (i == 0)
            assert_int_equal(sources[1][5], 1u << 0);      /* from vCPU 0 */
        assert_int_equal(vgic_init_v2(&vg, 2, 64), 0);
        assert_true(vgic_mmio_dispatch(&v2_dist_frame, &vg, 0, 0, &table));
        for (unsigned c = 0; c < 2; c++)
            for (unsigned n = 0; n < VGIC_NR_SGIS; n++)
                assert_int_equal(vg.vcpu[c].priv[n].sgi_sources, sources[c][n]);
    }
    assert_int_equal(vg.vcpu[0].priv[3].sgi_sources, 0);   /* the last: reserved */
}

static bool v3_ok(mmio_handler_fn fn, uint64_t off, unsigned size)
{
    uint64_t val = 0;

    return mmio_do(fn, 0, off, size, false, &val);
}

/* A few rows of each frame, width by width. */
static void test_real_rows_take_the_widths_the_gic_allows(void **state)
{
    (void)state;
    assert_true(v3_ok(vgic_v3_dist_mmio, 0x6000 + 8 * 40, 8));     /* GICD_IROUTER40 */
    assert_true(v3_ok(vgic_v3_dist_mmio, 0x6000 + 8 * 40 + 4, 4));
    assert_false(v3_ok(vgic_v3_dist_mmio, 0x0, 8));                /* GICD_CTLR */
    assert_false(v3_ok(vgic_v3_dist_mmio, 0x0, 1));
    assert_true(v3_ok(vgic_v3_dist_mmio, 0x800 + 33, 1));          /* ITARGETSR: RAZ/WI */
    assert_true(v3_ok(vgic_v3_dist_mmio, 0xf1f, 1));               /* CPENDSGIR */
    assert_false(v3_ok(vgic_v3_dist_mmio, 0xf00, 1));              /* GICD_SGIR hole */
    assert_false(v3_ok(vgic_v3_dist_mmio, 0x400, 2));
    assert_true(v3_ok(vgic_v3_redist_mmio, 0x8, 8));               /* GICR_TYPER */
    assert_true(v3_ok(vgic_v3_redist_mmio, 0x70, 8));              /* GICR_PROPBASER */
    assert_false(v3_ok(vgic_v3_redist_mmio, 0x14, 8));             /* GICR_WAKER */
    assert_false(v3_ok(vgic_v3_redist_mmio, 0x10000 + 0x100, 8));  /* SGI_base: no 64-bit */
    assert_true(v3_ok(vgic_v3_redist_mmio, 0x10000 + 0x7ff, 1));   /* priority space */
    assert_false(v3_ok(vgic_v3_redist_mmio, 0x10000 + 0x800, 1));
    assert_false(v3_ok(vgic_v3_redist_mmio, 0x4, 1));
}

static void test_redist_priority_past_intid_31_is_raz_wi(void **state)
{
    uint64_t val = 0xff;

    (void)state;
    assert_true(mmio_do(vgic_v3_redist_mmio, 0, 0x10000 + 0x400 + 40, 1, true, &val));
    assert_true(mmio_do(vgic_v3_redist_mmio, 0, 0x10000 + 0x400 + 40, 1, false, &val));
    assert_int_equal(val, 0);
    val = 0xff;
    assert_true(mmio_do(vgic_v3_redist_mmio, 0, 0x10000 + 0x400 + 31, 1, true, &val));
    assert_true(mmio_do(vgic_v3_redist_mmio, 0, 0x10000 + 0x400 + 31, 1, false, &val));
    assert_int_equal(val, 0xf8);
    assert_int_equal(vg.vcpu[0].priv[31].priority, 0xf8);
}

static void test_v2_rows(void **state)
{
    uint64_t val = 0;

    (void)state;
    assert_int_equal(vgic_init_v2(&vg, 2, 64), 0);
    assert_false(v3_ok(vgic_v2_dist_mmio, 0x6000, 8));             /* no 64-bit at all */
    assert_false(v3_ok(vgic_v2_dist_mmio, 0x0, 2));
    assert_false(v3_ok(vgic_v2_dist_mmio, 0xf00, 1));              /* GICD_SGIR: words */
    assert_true(v3_ok(vgic_v2_dist_mmio, 0xf00, 4));               /* write-only: RAZ */
    assert_true(v3_ok(vgic_v2_dist_mmio, 0x1000, 4));              /* past the map: RAZ/WI */
    assert_false(v3_ok(vgic_v2_dist_mmio, 0x1000, 1));
    /* ITARGETSR of a private INTID: the accessor's own CPU interface. */
    assert_true(mmio_do(vgic_v2_dist_mmio, 1, 0x800 + 3, 1, false, &val));
    assert_int_equal(val, 0x2);
    assert_true(mmio_do(vgic_v2_dist_mmio, 1, 0x800, 4, false, &val));
    assert_int_equal(val, 0x02020202);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_find_takes_the_row_holding_the_offset, setup),
        cmocka_unit_test_setup(test_unaligned_is_refused, setup),
        cmocka_unit_test_setup(test_wrong_width_is_refused, setup),
        cmocka_unit_test_setup(test_out_of_range_is_refused, setup),
        cmocka_unit_test_setup(test_holes_are_raz_wi_to_words_only, setup),
        cmocka_unit_test_setup(test_per_irq_rows_give_the_first_intid, setup),
        cmocka_unit_test_setup(test_intids_outside_the_frame_are_raz_wi, setup),
        cmocka_unit_test_setup(test_write_value_is_cut_to_the_access, setup),
        cmocka_unit_test_setup(test_fixed_rows_read_without_the_lock, setup),
        cmocka_unit_test_setup(test_other_model_is_raz_wi, setup),
        cmocka_unit_test_setup(test_tables_are_sorted_disjoint_and_in_the_frame, setup),
        cmocka_unit_test_setup(test_fast_path_agrees_with_the_rows, setup),
        cmocka_unit_test_setup(test_sgir_fast_path_agrees_with_its_row, setup),
        cmocka_unit_test_setup(test_real_rows_take_the_widths_the_gic_allows, setup),
        cmocka_unit_test_setup(test_redist_priority_past_intid_31_is_raz_wi, setup),
        cmocka_unit_test_setup(test_v2_rows, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
