/* The guest-time arithmetic of the emulated EL1 physical timer
 * (vdev/vtimer_calc.c): counts and compare values between the guest's view
 * and the hardware's, and the TimerValue view. Expected values follow the
 * Arm ARM's definitions (CNTP_TVAL_EL0: reads (CVAL - count)[31:0], a write
 * sets CVAL = count + SignExtend(TVAL[31:0]); CNTP_CTL_EL0.ISTATUS is
 * read-only), written out here independently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vdev/vtimer_calc.c"

#define ARM_CTL_ENABLE      0x1ULL
#define ARM_CTL_IMASK       0x2ULL
#define ARM_CTL_ISTATUS     0x4ULL

/* A boot-time offset as a VM would get it, and ones near the edges. */
static const uint64_t offsets[] = {
    0, 1, 123456789012ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
};

static void test_count_subtracts_offset(void **state)
{
    (void)state;
    assert_int_equal(vtimer_count(1000, 0), 1000);
    assert_int_equal(vtimer_count(5000000, 4995000), 5000);
    assert_int_equal(vtimer_count(4995000, 4995000), 0);
    /* Modulo 2^64, like the counters: a count just below the offset wraps. */
    assert_int_equal(vtimer_count(10, 11), ~0ULL);
}

/* The hardware's condition (hardware count >= its CVAL) must be the
 * guest's (guest count = hardware count - offset >= guest CVAL) for every
 * CVAL, including those past what guest time can reach (no wrap into the
 * past: ~0 means "never" to a guest). */
static void test_cval_to_hw(void **state)
{
    static const uint64_t cvals[] = { 0, 1, 4242, 0x7fffffffULL, 0x80000000ULL, 1ULL << 40,
                                      0x8000000000000000ULL, ~0ULL - 1, ~0ULL };

    (void)state;
    assert_int_equal(vtimer_cval_to_hw(5000, 4995000), 5000000);
    assert_int_equal(vtimer_cval_to_hw(~0ULL, 1), ~0ULL);
    assert_int_equal(vtimer_cval_to_hw(~0ULL - 5, 5), ~0ULL);
    assert_int_equal(vtimer_cval_to_hw(~0ULL - 5, 0), ~0ULL - 5);
    for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
        for (size_t c = 0; c < sizeof(cvals) / sizeof(cvals[0]); c++) {
            uint64_t hw = vtimer_cval_to_hw(cvals[c], offsets[o]);
            /* Hardware counts from the offset (the VM's boot) on, below 2^64 - 1
             * (which a 1 GHz counter reaches after 584 years). */
            static const uint64_t guest_counts[] = { 0, 1, 4242, 1ULL << 40, 0x8000000000000000ULL };
            for (size_t g = 0; g < sizeof(guest_counts) / sizeof(guest_counts[0]); g++) {
                uint64_t gc = guest_counts[g];
                if (gc >= ~0ULL - offsets[o])
                    continue;
                uint64_t hc = gc + offsets[o];
                assert_int_equal(hc >= hw, gc >= cvals[c]);
            }
        }
}

static void test_ptimer_hw_offset(void **state)
{
    (void)state;
    for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
        assert_int_equal(vtimer_ptimer_hw_offset(true, offsets[o]), offsets[o]);
        /* CNTPOFF_EL2 offsets the comparison: the register holds the guest's CVAL. */
        assert_int_equal(vtimer_ptimer_hw_offset(false, offsets[o]), 0);
    }
}

/* The hardware timer fires when its count reaches its CVAL; with CVAL +
 * offset that is when the guest's count reaches the guest's CVAL. */
static void test_hw_fires_at_guest_deadline(void **state)
{
    const uint64_t off = 987654321ULL;
    const uint64_t cval = 2000000;

    (void)state;
    for (uint64_t g = cval - 3; g <= cval + 3; g++) {
        uint64_t hw_count = g + off;
        bool hw_met = hw_count >= vtimer_cval_to_hw(cval, off);
        assert_int_equal(hw_met, g >= cval);
        assert_int_equal(vtimer_count(hw_count, off), g);
    }
}

static void test_tval_read(void **state)
{
    (void)state;
    assert_int_equal(vtimer_tval_read(1500, 1000), 500);
    assert_int_equal(vtimer_tval_read(1000, 1000), 0);
    /* Past the deadline: a negative 32-bit value, bits [63:32] zero. */
    assert_int_equal(vtimer_tval_read(1000, 1001), 0xffffffffULL);
    assert_int_equal(vtimer_tval_read(1000, 1000 + 0x80000000ULL), 0x80000000ULL);
    /* Further than 32 bits away: only the low 32 bits of the difference. */
    assert_int_equal(vtimer_tval_read((1ULL << 32) + 1005, 1000), 5);
    assert_int_equal(vtimer_tval_read(~0ULL, 0), 0xffffffffULL);
    /* Wrapping counts: CVAL just past 2^64 - 1. */
    assert_int_equal(vtimer_tval_read(3, ~0ULL - 1), 5);
}

static void test_tval_write(void **state)
{
    (void)state;
    assert_int_equal(vtimer_tval_to_cval(500, 1000), 1500);
    assert_int_equal(vtimer_tval_to_cval(0, 1000), 1000);
    assert_int_equal(vtimer_tval_to_cval(0x7fffffffULL, 1000), 1000 + 0x7fffffffULL);
    /* Bit 31 is the sign. */
    assert_int_equal(vtimer_tval_to_cval(0xffffffffULL, 1000), 999);
    assert_int_equal(vtimer_tval_to_cval(0x80000000ULL, 1ULL << 40), (1ULL << 40) - 0x80000000ULL);
    /* Bits [63:32] of the written value are ignored, whatever they hold. */
    assert_int_equal(vtimer_tval_to_cval(0xdeadbeef00000010ULL, 1000), 1016);
    assert_int_equal(vtimer_tval_to_cval(0x00000001fffffff0ULL, 1000), 984);
    /* Negative from a small count wraps modulo 2^64. */
    assert_int_equal(vtimer_tval_to_cval(0xfffffff6ULL, 4), ~0ULL - 5);
}

/* TVAL written and read at the same count reads back its low 32 bits, and
 * the guest's TVAL is the hardware's: the offset cancels out. */
static void test_tval_roundtrip_and_offset_free(void **state)
{
    static const uint64_t tvals[] = { 0, 1, 1000, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL,
                                      0x123456789ULL };
    static const uint64_t counts[] = { 0, 77, 1ULL << 33, ~0ULL - 10 };

    (void)state;
    for (size_t t = 0; t < sizeof(tvals) / sizeof(tvals[0]); t++)
        for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
            uint64_t cval = vtimer_tval_to_cval(tvals[t], counts[c]);
            assert_int_equal(vtimer_tval_read(cval, counts[c]), tvals[t] & 0xffffffffULL);
            for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
                uint64_t hw_cval = vtimer_cval_to_hw(cval, offsets[o]);
                uint64_t hw_count = counts[c] + offsets[o];
                /* Unless saturated, the hardware's own TVAL view agrees. */
                if (hw_cval - offsets[o] == cval)
                    assert_int_equal(vtimer_tval_read(cval, vtimer_count(hw_count, offsets[o])),
                                     vtimer_tval_read(hw_cval, hw_count));
            }
        }
}

static void test_ctl_write_value(void **state)
{
    (void)state;
    assert_int_equal(vtimer_ctl_write_value(0), 0);
    assert_int_equal(vtimer_ctl_write_value(ARM_CTL_ENABLE), ARM_CTL_ENABLE);
    assert_int_equal(vtimer_ctl_write_value(ARM_CTL_ENABLE | ARM_CTL_IMASK),
                     ARM_CTL_ENABLE | ARM_CTL_IMASK);
    /* ISTATUS is read-only and the rest RES0. */
    assert_int_equal(vtimer_ctl_write_value(ARM_CTL_ISTATUS), 0);
    assert_int_equal(vtimer_ctl_write_value(~0ULL), ARM_CTL_ENABLE | ARM_CTL_IMASK);
}

/* The output line is high only while enabled, unmasked and met: what the
 * vGIC reports as the pending state of a forwarded timer PPI. */
static void test_ctl_line(void **state)
{
    (void)state;
    assert_true(vtimer_ctl_line(ARM_CTL_ENABLE | ARM_CTL_ISTATUS));
    assert_false(vtimer_ctl_line(ARM_CTL_ENABLE));
    assert_false(vtimer_ctl_line(ARM_CTL_ENABLE | ARM_CTL_IMASK | ARM_CTL_ISTATUS));
    assert_false(vtimer_ctl_line(ARM_CTL_ISTATUS));
    assert_false(vtimer_ctl_line(0));
}

/* A saved timer fires at hardware count CVAL + offset, when enabled and
 * not masked; never when the guest's count cannot reach CVAL. */
static void test_hw_deadline(void **state)
{
    static const uint64_t cvals[] = { 0, 1, 4242, 1ULL << 40, 0x8000000000000000ULL, ~0ULL - 1,
                                      ~0ULL };

    (void)state;
    assert_int_equal(vtimer_hw_deadline(ARM_CTL_ENABLE, 5000, 4995000), 5000000);
    assert_int_equal(vtimer_hw_deadline(ARM_CTL_ENABLE | ARM_CTL_ISTATUS, 5000, 4995000), 5000000);
    assert_int_equal(vtimer_hw_deadline(0, 5000, 4995000), VTIMER_NEVER);
    assert_int_equal(vtimer_hw_deadline(ARM_CTL_ENABLE | ARM_CTL_IMASK, 5000, 4995000),
                     VTIMER_NEVER);
    assert_int_equal(vtimer_hw_deadline(ARM_CTL_IMASK, 5000, 4995000), VTIMER_NEVER);
    for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
        for (size_t c = 0; c < sizeof(cvals) / sizeof(cvals[0]); c++) {
            uint64_t at = vtimer_hw_deadline(ARM_CTL_ENABLE, cvals[c], offsets[o]);
            if (cvals[c] > ~0ULL - offsets[o]) {
                /* Past the end of the hardware count: it never gets there. */
                assert_int_equal(at, VTIMER_NEVER);
                continue;
            }
            assert_int_equal(at, cvals[c] + offsets[o]);
            /* At that hardware count the guest's count has reached CVAL, one
             * tick earlier it has not. */
            assert_true(vtimer_count(at, offsets[o]) >= cvals[c]);
            if (at > offsets[o])
                assert_true(vtimer_count(at - 1, offsets[o]) < cvals[c]);
        }
}

/* The timer contexts: each timer's INTID as the virt board wires it (EL1
 * physical 30, EL1 virtual 27, EL2 physical 26, EL2 virtual 28), and the
 * plain guest's map (each hardware EL1 timer runs the guest's timer of the
 * same name, the EL2 timers run on none). */
static void test_timer_contexts(void **state)
{
    const struct vtimer_map m = VTIMER_MAP_EL1;

    (void)state;
    assert_int_equal(vtimer_ppi(VTIMER_EL1_PHYS), 30);
    assert_int_equal(vtimer_ppi(VTIMER_EL1_VIRT), 27);
    assert_int_equal(vtimer_ppi(VTIMER_EL2_PHYS), 26);
    assert_int_equal(vtimer_ppi(VTIMER_EL2_VIRT), 28);
    assert_int_equal(hw_timer_ppi(HW_TIMER_EL1_PHYS), 30);
    assert_int_equal(hw_timer_ppi(HW_TIMER_EL1_VIRT), 27);
    for (unsigned intid = 0; intid < 1020; intid++) {
        enum hw_timer t = hw_timer_of_ppi(intid);
        if (intid == 30 || intid == 27)
            assert_int_equal(hw_timer_ppi(t), intid);
        else
            assert_int_equal(t, HW_TIMER_NR);
    }
    assert_int_equal(m.hw[HW_TIMER_EL1_PHYS], VTIMER_EL1_PHYS);
    assert_int_equal(m.hw[HW_TIMER_EL1_VIRT], VTIMER_EL1_VIRT);
    assert_int_equal(vtimer_map_hw_of(&m, VTIMER_EL1_PHYS), HW_TIMER_EL1_PHYS);
    assert_int_equal(vtimer_map_hw_of(&m, VTIMER_EL1_VIRT), HW_TIMER_EL1_VIRT);
    assert_int_equal(vtimer_map_hw_of(&m, VTIMER_EL2_PHYS), HW_TIMER_NR);
    assert_int_equal(vtimer_map_hw_of(&m, VTIMER_EL2_VIRT), HW_TIMER_NR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_subtracts_offset),
        cmocka_unit_test(test_cval_to_hw),
        cmocka_unit_test(test_ptimer_hw_offset),
        cmocka_unit_test(test_hw_fires_at_guest_deadline),
        cmocka_unit_test(test_tval_read),
        cmocka_unit_test(test_tval_write),
        cmocka_unit_test(test_tval_roundtrip_and_offset_free),
        cmocka_unit_test(test_ctl_write_value),
        cmocka_unit_test(test_ctl_line),
        cmocka_unit_test(test_hw_deadline),
        cmocka_unit_test(test_timer_contexts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
