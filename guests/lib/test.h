/* Machine-readable test results:
 *   TEST <guest>.<check>: PASS
 *   TEST <guest>.<check>: FAIL <reason>
 *   GUEST-DONE <guest> passed=N failed=M
 * Lines starting with '#' are informational. Only CPU 0 should report. */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include <stdbool.h>
#include <stdint.h>

/* Each guest defines its name, used as the prefix of every check. */
extern const char guest_name[];

void test_pass(const char *check);
void test_fail(const char *check, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* PASS if cond, else FAIL with the formatted reason. Returns cond. */
bool test_check(bool cond, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool test_expect_eq(const char *check, uint64_t got, uint64_t want);
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "test.quiet" in the bootargs: only failures and GUEST-DONE are printed
 * (a guest sharing the console with others, e.g. in configs/default.dts). */
extern bool test_quiet;

unsigned test_passed(void);
unsigned test_failed(void);
/* Resumes counting after a reset (the psci guest keeps them in RAM). */
void test_set_counts(unsigned passed, unsigned failed);

/* Prints GUEST-DONE and powers off with PSCI SYSTEM_OFF. */
__attribute__((noreturn)) void test_done(void);

/* The guest's own code, run on CPU 0 once the library is up. */
void guest_main(void);

#endif
