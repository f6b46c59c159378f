/* The round-robin time-slice policy of a shared physical CPU
 * (core/sched_policy.c): who runs, for how long, and when the EL2 timer
 * must interrupt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/sched_policy.c"

#define SLICE   100u
#define ALL3    0x7u

static struct sched_rr rr;
static uint64_t tick;

static unsigned pick(unsigned nr, uint32_t runnable, uint64_t now)
{
    return sched_rr_pick(&rr, nr, runnable, now, SLICE, &tick);
}

static int setup(void **state)
{
    (void)state;
    sched_rr_init(&rr);
    tick = 0;
    return 0;
}

static void test_alone_no_tick(void **state)
{
    (void)state;
    /* One runnable vCPU among three: it keeps running, nothing to preempt. */
    assert_int_equal(pick(3, 0x2, 0), 1);
    assert_int_equal(tick, SCHED_NO_TICK);
    assert_int_equal(pick(3, 0x2, 10 * SLICE), 1);
    assert_int_equal(tick, SCHED_NO_TICK);
    /* Nobody runnable. */
    assert_int_equal(pick(3, 0, 11 * SLICE), SCHED_NONE);
    assert_int_equal(tick, SCHED_NO_TICK);
    assert_int_equal(pick(0, 0, 0), SCHED_NONE);
}

static void test_slice_kept_then_rotates(void **state)
{
    (void)state;
    assert_int_equal(pick(3, ALL3, 1000), 0);
    assert_int_equal(tick, 1000 + SLICE);
    /* Exits within the slice do not change the owner or the tick. */
    assert_int_equal(pick(3, ALL3, 1001), 0);
    assert_int_equal(pick(3, ALL3, 1000 + SLICE - 1), 0);
    assert_int_equal(tick, 1000 + SLICE);
    /* Expired: the next one, with a fresh slice, in runq order. */
    assert_int_equal(pick(3, ALL3, 1000 + SLICE), 1);
    assert_int_equal(tick, 1000 + 2 * SLICE);
    assert_int_equal(pick(3, ALL3, 1000 + 2 * SLICE + 7), 2);
    assert_int_equal(tick, 1000 + 3 * SLICE + 7);
    assert_int_equal(pick(3, ALL3, 1000 + 4 * SLICE), 0);
}

static void test_blocked_owner_yields(void **state)
{
    (void)state;
    assert_int_equal(pick(3, ALL3, 0), 0);
    /* 0 waits in WFI: 1 gets a whole slice from now. */
    assert_int_equal(pick(3, 0x6, 10), 1);
    assert_int_equal(tick, 10 + SLICE);
    /* 0 wakes: it waits for 1's slice to end. */
    assert_int_equal(pick(3, ALL3, 20), 1);
    assert_int_equal(tick, 10 + SLICE);
    /* Then 2 (after 1 in runq order), then 0. */
    assert_int_equal(pick(3, ALL3, 10 + SLICE), 2);
    assert_int_equal(pick(3, ALL3, 10 + 2 * SLICE), 0);
}

static void test_tick_only_with_others(void **state)
{
    (void)state;
    assert_int_equal(pick(2, 0x1, 0), 0);
    assert_int_equal(tick, SCHED_NO_TICK);
    /* 1 becomes runnable during 0's slice: the slice's end is the tick. */
    assert_int_equal(pick(2, 0x3, 50), 0);
    assert_int_equal(tick, SLICE);
    /* 0 ran alone past its slice: 1 gets the CPU at the next pick. */
    sched_rr_init(&rr);
    assert_int_equal(pick(2, 0x1, 0), 0);
    assert_int_equal(pick(2, 0x3, 5 * SLICE), 1);
    assert_int_equal(tick, 6 * SLICE);
    /* 0 goes back to sleep: 1 alone, the tick goes off. */
    assert_int_equal(pick(2, 0x2, 5 * SLICE + 1), 1);
    assert_int_equal(tick, SCHED_NO_TICK);
}

/* Every runnable vCPU gets the CPU within one round, whatever the mask. */
static void test_round_robin_is_fair(void **state)
{
    unsigned runs[SCHED_MAX_RUNQ];
    const unsigned nr = 16;

    (void)state;
    for (uint32_t mask = 1; mask < (1u << 6); mask++) {
        uint32_t spread = mask | (mask << 10);
        uint64_t now = 0;
        unsigned n = (unsigned)__builtin_popcount(spread);

        sched_rr_init(&rr);
        for (unsigned i = 0; i < nr; i++)
            runs[i] = 0;
        for (unsigned k = 0; k < 3 * n; k++, now += SLICE) {
            unsigned idx = pick(nr, spread, now);
            assert_true(idx < nr);
            assert_true(spread & (1u << idx));
            assert_int_equal(tick, n > 1 ? now + SLICE : SCHED_NO_TICK);
            runs[idx]++;
        }
        for (unsigned i = 0; i < nr; i++)
            assert_int_equal(runs[i], spread & (1u << i) ? 3 : 0);
    }
}

static void test_odd_inputs(void **state)
{
    (void)state;
    /* Bits past nr are ignored; a cursor or owner past a smaller nr is reset. */
    assert_int_equal(pick(2, 0xfc, 0), SCHED_NONE);
    assert_int_equal(pick(8, 0x80, 0), 7);
    assert_int_equal(pick(3, ALL3, 1), 0);
    assert_int_equal(pick(SCHED_MAX_RUNQ + 1, ALL3, 2), SCHED_NONE);
    sched_rr_init(&rr);
    assert_int_equal(pick(SCHED_MAX_RUNQ, 0x80000000u, 0), SCHED_MAX_RUNQ - 1);
    assert_int_equal(pick(SCHED_MAX_RUNQ, 0x80000001u, SLICE), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_alone_no_tick, setup),
        cmocka_unit_test_setup(test_slice_kept_then_rotates, setup),
        cmocka_unit_test_setup(test_blocked_owner_yields, setup),
        cmocka_unit_test_setup(test_tick_only_with_others, setup),
        cmocka_unit_test_setup(test_round_robin_is_fair, setup),
        cmocka_unit_test_setup(test_odd_inputs, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
