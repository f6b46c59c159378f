/* Exits to elvisor per exit of its guest a guest hypervisor handles
 * (src/nested/exit_stats.c): the span, the buckets, the summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nested/exit_stats.c"

static struct nested_xstats xs;

/* A forwarded exit at exit number `at` resumed by the ERET at exit `eret`. */
static void span(enum nested_xkind k, uint64_t at, uint64_t eret)
{
    nested_xstats_open(&xs, k, at);
    nested_xstats_close(&xs, eret);
}

static void test_span_counts_both_ends(void **state)
{
    struct nested_xsummary s;

    (void)state;
    memset(&xs, 0, sizeof(xs));
    span(NESTED_X_HVC, 100, 101);               /* the exit and the ERET right after it */
    nested_xstats_summary(&xs, NESTED_X_HVC, &s);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.min, 2);
    assert_int_equal(s.max, 2);
    /* an ERET with nothing open (L1's first entry of its guest) counts nothing */
    nested_xstats_close(&xs, 500);
    nested_xstats_summary(&xs, NESTED_X_HVC, &s);
    assert_int_equal(s.count, 1);
    nested_xstats_summary(&xs, NESTED_X_IRQ, &s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.median, 0);
}

static void test_summary_and_clamp(void **state)
{
    struct nested_xsummary s;

    (void)state;
    memset(&xs, 0, sizeof(xs));
    /* 15, 15, 17, 40 and one that waited past the last bucket */
    span(NESTED_X_HVC, 10, 24);
    span(NESTED_X_HVC, 30, 44);
    span(NESTED_X_HVC, 50, 66);
    span(NESTED_X_HVC, 70, 109);
    span(NESTED_X_HVC, 200, 200 + 10000);
    span(NESTED_X_OTHER, 1, 3);
    nested_xstats_summary(&xs, NESTED_X_HVC, &s);
    assert_int_equal(s.count, 5);
    assert_int_equal(s.min, 15);
    assert_int_equal(s.median, 17);
    assert_int_equal(s.max, NESTED_X_BUCKETS - 1);
    nested_xstats_summary(&xs, NESTED_X_OTHER, &s);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.median, 3);
    /* even count: the lower median */
    span(NESTED_X_OTHER, 1, 5);
    nested_xstats_summary(&xs, NESTED_X_OTHER, &s);
    assert_int_equal(s.median, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_span_counts_both_ends),
        cmocka_unit_test(test_summary_and_clamp),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
