/* The physical-interrupt routing table (core/irq_route.c): rows stay sorted
 * and disjoint, every INTID finds the row that covers it and no other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/irq_route.c"

static bool handled_true(const struct irq_route *r, unsigned intid) { return true; }

static struct irq_route row(uint32_t first, uint32_t last, const char *name)
{
    struct irq_route r = { .first = first, .last = last, .handle = handled_true, .name = name };
    return r;
}

static void add_ok(struct irq_routes *t, uint32_t first, uint32_t last, const char *name)
{
    struct irq_route r = row(first, last, name);
    assert_int_equal(irq_route_add(t, &r), IRQ_ROUTE_OK);
}

static void test_rows_found_by_intid(void **state)
{
    struct irq_routes t = { .n = 0 };

    (void)state;
    /* Added out of order, as boot adds them: own PPIs, then SPIs. */
    add_ok(&t, 26, 26, "hyp timer");
    add_ok(&t, 0, 0, "kick");
    add_ok(&t, 33, 33, "uart");
    add_ok(&t, 74, 77, "smmu");
    add_ok(&t, 27, 27, "vtimer");
    add_ok(&t, 35, 35, "edu INTx");
    for (unsigned i = 1; i < t.n; i++)
        assert_true(t.r[i - 1].last < t.r[i].first);
    assert_string_equal(irq_route_find(&t, 0)->name, "kick");
    assert_string_equal(irq_route_find(&t, 26)->name, "hyp timer");
    assert_string_equal(irq_route_find(&t, 27)->name, "vtimer");
    assert_string_equal(irq_route_find(&t, 35)->name, "edu INTx");
    for (uint32_t i = 74; i <= 77; i++)
        assert_string_equal(irq_route_find(&t, i)->name, "smmu");
    assert_null(irq_route_find(&t, 1));
    assert_null(irq_route_find(&t, 25));
    assert_null(irq_route_find(&t, 34));
    assert_null(irq_route_find(&t, 73));
    assert_null(irq_route_find(&t, 78));
    assert_null(irq_route_find(&t, 1023));
}

static void test_overlap_refused(void **state)
{
    struct irq_routes t = { .n = 0 };
    struct irq_route r;

    (void)state;
    add_ok(&t, 40, 49, "a");
    add_ok(&t, 60, 60, "b");
    r = row(49, 50, "x");
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_OVERLAP);
    r = row(30, 40, "x");
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_OVERLAP);
    r = row(45, 45, "x");
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_OVERLAP);
    r = row(0, 1000, "x");
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_OVERLAP);
    r = row(60, 60, "x");
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_OVERLAP);
    assert_int_equal(t.n, 2);
    add_ok(&t, 50, 59, "between");
    assert_string_equal(irq_route_find(&t, 55)->name, "between");
}

static void test_bad_rows_and_full(void **state)
{
    struct irq_routes t = { .n = 0 };
    struct irq_route r = row(5, 4, "backwards");

    (void)state;
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_EMPTY);
    r = row(5, 5, "no handler");
    r.handle = NULL;
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_EMPTY);
    for (uint32_t i = 0; i < IRQ_ROUTE_MAX; i++)
        add_ok(&t, 1000 - 2 * i, 1000 - 2 * i, "row");
    r = row(2000, 2000, "one more");
    assert_int_equal(irq_route_add(&t, &r), IRQ_ROUTE_FULL);
    assert_int_equal(t.n, IRQ_ROUTE_MAX);
    assert_string_equal(irq_route_strerror(IRQ_ROUTE_FULL), "the interrupt routing table is full");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_found_by_intid),
        cmocka_unit_test(test_overlap_refused),
        cmocka_unit_test(test_bad_rows_and_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
