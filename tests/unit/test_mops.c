/* Restarting a stopped memory copy or set (FEAT_MOPS) from its prologue.
 * The formats below are the Arm ARM's description of what options A and B
 * keep in the registers part-way through, written out independently of
 * mops.c: for every kind of operation, either option's registers, either
 * CPU, stopped in the main or the epilogue instruction after any progress,
 * the restarted prologue must see exactly the work still to do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host_support.h"
#include "arch/arm64/mops.c"

enum op { OP_SET, OP_CPY_FORWARD, OP_CPY_BACKWARD };

#define RD 3
#define RS 7
#define RN 12
#define DST0 0x80001000ULL
#define SRC0 0x80900000ULL
#define MAIN_PC 0x40081004ULL
#define EPILOGUE_PC 0x40081008ULL
#define PROLOGUE_PC 0x40081000ULL
#define N_FLAG (1ULL << 31)
#define C_FLAG (1ULL << 29)
#define SS_BIT (1ULL << 21)

/* The registers option A or B holds after `done` of `total` bytes. */
static void progress(uint64_t x[31], uint64_t *pstate, enum op op, bool option_a, uint64_t done,
                     uint64_t total)
{
    uint64_t left = total - done;

    memset(x, 0x5a, 31 * sizeof(x[0]));
    *pstate = C_FLAG | SS_BIT | 0x5;
    if (option_a) {
        /* Forward operations count a negative size up to the end address;
         * a backward copy keeps the start addresses and a positive size. */
        if (op == OP_CPY_BACKWARD) {
            x[RD] = DST0, x[RS] = SRC0, x[RN] = left;
        } else {
            x[RD] = DST0 + total, x[RS] = SRC0 + total, x[RN] = -left;
        }
    } else {
        /* Forward operations move the addresses up; a backward copy keeps
         * the end of what is left, with PSTATE.N set. */
        if (op == OP_CPY_BACKWARD) {
            x[RD] = DST0 + left, x[RS] = SRC0 + left, x[RN] = left;
            *pstate |= N_FLAG;
        } else {
            x[RD] = DST0 + done, x[RS] = SRC0 + done, x[RN] = left;
        }
    }
}

static uint64_t syndrome(enum op op, bool cpu_option_a, bool wrong_option, bool from_epilogue)
{
    return (op == OP_SET ? MOPS_ISS_MEMINST : 0) | (cpu_option_a ? MOPS_ISS_OPTION_A : 0) |
           (wrong_option ? MOPS_ISS_WRONG_OPTION : 0) | (from_epilogue ? MOPS_ISS_FROM_EPILOGUE : 0) |
           ((uint64_t)RD << 10) | ((op == OP_SET ? 0ULL : RS) << 5) | RN;
}

static void test_every_case_restarts_the_rest(void **state)
{
    static const uint64_t totals[] = { 1, 64, 4097 };

    for (int op = OP_SET; op <= OP_CPY_BACKWARD; op++)
        for (int regs_a = 0; regs_a < 2; regs_a++)
            for (int cpu_a = 0; cpu_a < 2; cpu_a++)
                for (int epi = 0; epi < 2; epi++)
                    for (unsigned t = 0; t < sizeof(totals) / sizeof(totals[0]); t++)
                        for (uint64_t done = 0; done < totals[t]; done += 1 + totals[t] / 5) {
                            uint64_t x[31], pstate, pc = epi ? EPILOGUE_PC : MAIN_PC;
                            uint64_t left = totals[t] - done;

                            progress(x, &pstate, op, regs_a, done, totals[t]);
                            mops_restart(x, &pc, &pstate,
                                         syndrome(op, cpu_a, regs_a != cpu_a, epi));
                            assert_int_equal(pc, PROLOGUE_PC);
                            assert_int_equal(pstate & SS_BIT, 0);
                            assert_int_equal(x[RN], left);
                            if (op == OP_CPY_BACKWARD) {
                                assert_int_equal(x[RD], DST0);
                                assert_int_equal(x[RS], SRC0);
                            } else {
                                assert_int_equal(x[RD], DST0 + done);
                                if (op == OP_CPY_FORWARD)
                                    assert_int_equal(x[RS], SRC0 + done);
                            }
                            assert_int_equal(x[0], 0x5a5a5a5a5a5a5a5aULL);
                        }
}

/* A set names no source register: ISS.SrcReg 0 must stay untouched. */
static void test_set_leaves_source_field_alone(void **state)
{
    uint64_t x[31], pstate, pc = MAIN_PC;

    progress(x, &pstate, OP_SET, true, 8, 64);
    x[0] = 0x1234;
    mops_restart(x, &pc, &pstate, syndrome(OP_SET, true, false, false));
    assert_int_equal(x[0], 0x1234);
}

/* Register number 31 is XZR in these fields: never written, reads zero. */
static void test_register_31_is_zero(void **state)
{
    uint64_t x[31], pstate = 0, pc = MAIN_PC;
    uint64_t esr = MOPS_ISS_MEMINST | MOPS_ISS_OPTION_A | (31ULL << 10) | RN;

    memset(x, 0, sizeof(x));
    x[RN] = (uint64_t)-16;
    mops_restart(x, &pc, &pstate, esr);
    assert_int_equal(x[RN], 16);
    for (int i = 0; i < 31; i++)
        if (i != RN)
            assert_int_equal(x[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_case_restarts_the_rest),
        cmocka_unit_test(test_set_leaves_source_field_alone),
        cmocka_unit_test(test_register_31_is_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
