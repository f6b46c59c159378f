/* A VM's device regions (core/io_bus.c): kept sorted and disjoint, at most
 * IO_BUS_MAX; the lookup (a scan up to IO_BUS_SCAN_MAX regions, a binary
 * search beyond) finds exactly the region an address lies in, checked
 * against a linear scan over random layouts of every size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/io_bus.c"

static struct mmio_region reg(uint64_t base, uint64_t size)
{
    return (struct mmio_region){ "r", base, size, NULL, NULL };
}

static void test_add_sorted_and_find(void **state)
{
    struct io_bus bus = { 0 };
    struct mmio_region a = reg(0x09000000, 0x1000), b = reg(0x08000000, 0x10000),
                       c = reg(0x080a0000, 0x40000);

    (void)state;
    assert_int_equal(io_bus_add(&bus, &a), IO_BUS_OK);
    assert_int_equal(io_bus_add(&bus, &b), IO_BUS_OK);
    assert_int_equal(io_bus_add(&bus, &c), IO_BUS_OK);
    assert_int_equal(bus.n, 3);
    assert_true(bus.r[0].base == 0x08000000 && bus.r[1].base == 0x080a0000 && bus.r[2].base == 0x09000000);
    assert_true(io_bus_find(&bus, 0x08000000) == &bus.r[0]);
    assert_true(io_bus_find(&bus, 0x0800ffff) == &bus.r[0]);
    assert_null(io_bus_find(&bus, 0x08010000));
    assert_true(io_bus_find(&bus, 0x080dffff) == &bus.r[1]);
    assert_null(io_bus_find(&bus, 0x080e0000));
    assert_true(io_bus_find(&bus, 0x09000fff) == &bus.r[2]);
    assert_null(io_bus_find(&bus, 0x09001000));
    assert_null(io_bus_find(&bus, 0));
    assert_null(io_bus_find(&bus, UINT64_MAX));
}

/* The last hit is tried first, and is only a hint: a miss on it, an add
 * that moves the regions, or a lookup of nothing must not return it. */
static void test_last_hit_hint(void **state)
{
    struct io_bus bus = { 0 };
    struct mmio_region a = reg(0x09000000, 0x1000), b = reg(0x08000000, 0x10000),
                       c = reg(0x0a000000, 0x4000);

    (void)state;
    assert_null(io_bus_find(&bus, 0));          /* empty bus: the zeroed slot never matches */
    assert_int_equal(io_bus_add(&bus, &a), IO_BUS_OK);
    assert_int_equal(io_bus_add(&bus, &c), IO_BUS_OK);
    assert_true(io_bus_find(&bus, 0x0a000010) == &bus.r[1]);
    assert_ptr_equal(bus.last, &bus.r[1]);
    assert_true(io_bus_find(&bus, 0x0a003ffc) == &bus.r[1]);
    assert_null(io_bus_find(&bus, 0x0a004000));
    assert_ptr_equal(bus.last, &bus.r[1]);              /* a miss keeps the hint */
    assert_int_equal(io_bus_add(&bus, &b), IO_BUS_OK);     /* a and c move up */
    assert_true(io_bus_find(&bus, 0x08000004) == &bus.r[0]);
    assert_true(io_bus_find(&bus, 0x09000000) == &bus.r[1]);
    assert_ptr_equal(bus.last, &bus.r[1]);
    assert_true(io_bus_find(&bus, 0x0a000000) == &bus.r[2]);
    assert_true(bus.r[2].base == 0x0a000000);
    bus.last = &bus.r[1];                       /* a stale hint: checked, not trusted */
    assert_true(io_bus_find(&bus, 0x0a000000) == &bus.r[2]);
}

static void test_refusals(void **state)
{
    struct io_bus bus = { 0 };
    struct mmio_region r = reg(0x1000, 0x1000);

    (void)state;
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_OK);
    r = reg(0x1fff, 1);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_OVERLAP);     /* last byte */
    r = reg(0x0800, 0x801);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_OVERLAP);     /* first byte */
    r = reg(0, 0x10000);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_OVERLAP);     /* around it */
    r = reg(0x0800, 0x800);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_OK);          /* just below */
    r = reg(0x2000, 0);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_EMPTY);
    r = reg(UINT64_MAX - 0xff, 0x200);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_EMPTY);       /* wraps */
    r = reg(UINT64_MAX - 0xff, 0x100);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_OK);          /* ends at the top */
    assert_true(io_bus_find(&bus, UINT64_MAX) == &bus.r[2]);
    for (unsigned i = bus.n; i < IO_BUS_MAX; i++) {
        r = reg(0x100000 * (i + 1), 0x1000);
        assert_int_equal(io_bus_add(&bus, &r), IO_BUS_OK);
    }
    r = reg(0x7000000000, 0x1000);
    assert_int_equal(io_bus_add(&bus, &r), IO_BUS_FULL);
    assert_int_equal(bus.n, IO_BUS_MAX);
}

static void test_random_against_scan(void **state)
{
    (void)state;
    srand(11);
    for (unsigned round = 0; round < 2000; round++) {
        struct io_bus bus = { 0 };
        struct mmio_region want[64];
        unsigned n = 0;

        for (unsigned k = 0, nk = 1 + round % 40; k < nk; k++) {
            struct mmio_region r = reg((uint64_t)(rand() % 256) << 12, (uint64_t)(1 + rand() % 8) << 12);
            bool clash = false;
            for (unsigned i = 0; i < n; i++)
                clash |= r.base < want[i].base + want[i].size && want[i].base < r.base + r.size;
            enum io_bus_err e = io_bus_add(&bus, &r);
            if (n == IO_BUS_MAX)
                assert_int_equal(e, IO_BUS_FULL);
            else
                assert_int_equal(e, clash ? IO_BUS_OVERLAP : IO_BUS_OK);
            if (e == IO_BUS_OK)
                want[n++] = r;
        }
        for (unsigned t = 0; t < 300; t++) {
            uint64_t ipa = (uint64_t)(rand() % (300 << 12));
            const struct mmio_region *got = io_bus_find(&bus, ipa);
            const struct mmio_region *scan = NULL;
            for (unsigned i = 0; i < n; i++)
                if (ipa >= want[i].base && ipa - want[i].base < want[i].size)
                    scan = &want[i];
            if (!scan)
                assert_null(got);
            else
                assert_true(got && got->base == scan->base && got->size == scan->size);
        }
        for (unsigned i = 1; i < bus.n; i++)
            assert_true(bus.r[i - 1].base + bus.r[i - 1].size <= bus.r[i].base);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_sorted_and_find),
        cmocka_unit_test(test_last_hit_hint),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_random_against_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
