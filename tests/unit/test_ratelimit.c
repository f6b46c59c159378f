/* The log rate limit (lib/ratelimit.h) that keeps a guest from flooding
 * elvisor's console: at most `burst` lines per window, the rest counted and
 * handed back once, when the next window opens or the VM stops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/ratelimit.h"

#define WINDOW  1000
#define BURST   10

static void test_burst_then_held_back(void **state)
{
    struct ratelimit rl = { 0 };
    unsigned report, allowed = 0;

    (void)state;
    for (unsigned i = 0; i < 100000; i++) {
        allowed += ratelimit_allow(&rl, 5 + i / 1000, WINDOW, BURST, &report);
        assert_int_equal(report, 0);       /* still the first window */
    }
    assert_int_equal(allowed, BURST);
    assert_int_equal(rl.total_dropped, 100000 - BURST);
}

static void test_next_window_reports_once(void **state)
{
    struct ratelimit rl = { 0 };
    unsigned report;

    (void)state;
    for (unsigned i = 0; i < 25; i++)
        ratelimit_allow(&rl, 10, WINDOW, BURST, &report);
    /* the next window: the 15 held back are reported, the line goes out */
    assert_true(ratelimit_allow(&rl, 10 + WINDOW, WINDOW, BURST, &report));
    assert_int_equal(report, 15);
    assert_true(ratelimit_allow(&rl, 11 + WINDOW, WINDOW, BURST, &report));
    assert_int_equal(report, 0);
    assert_int_equal(ratelimit_take_dropped(&rl), 0);
}

static void test_take_at_stop(void **state)
{
    struct ratelimit rl = { 0 };
    unsigned report;

    (void)state;
    for (unsigned i = 0; i < BURST + 7; i++)
        ratelimit_allow(&rl, 3, WINDOW, BURST, &report);
    assert_int_equal(ratelimit_take_dropped(&rl), 7);
    assert_int_equal(ratelimit_take_dropped(&rl), 0);      /* reported once */
    assert_true(ratelimit_allow(&rl, 3 + WINDOW, WINDOW, BURST, &report));
    assert_int_equal(report, 0);
}

static void test_counter_wraps(void **state)
{
    struct ratelimit rl = { .window_start = UINT64_MAX - 10 };
    unsigned report;

    (void)state;
    rl.printed = BURST;
    assert_false(ratelimit_allow(&rl, UINT64_MAX - 5, WINDOW, BURST, &report));
    /* the window ends WINDOW ticks later, across the wrap */
    assert_true(ratelimit_allow(&rl, WINDOW - 11, WINDOW, BURST, &report));
    assert_int_equal(report, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_held_back),
        cmocka_unit_test(test_next_window_reports_once),
        cmocka_unit_test(test_take_at_stop),
        cmocka_unit_test(test_counter_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
