#include "test.h"

#include <stdarg.h>

#include "console.h"
#include "psci.h"
#include "sysreg.h"

static volatile unsigned passed, failed;
bool test_quiet;

void test_pass(const char *check)
{
    passed++;
    if (!test_quiet)
        gprintf("TEST %s.%s: PASS\n", guest_name, check);
}

static void vfail(const char *check, const char *fmt, va_list ap)
{
    failed++;
    gprintf("TEST %s.%s: FAIL ", guest_name, check);
    gvprintf(fmt, ap);
    console_puts("\n");
}

void test_fail(const char *check, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(check, fmt, ap);
    va_end(ap);
}

bool test_check(bool cond, const char *check, const char *fmt, ...)
{
    if (cond) {
        test_pass(check);
    } else {
        va_list ap;
        va_start(ap, fmt);
        vfail(check, fmt, ap);
        va_end(ap);
    }
    return cond;
}

bool test_expect_eq(const char *check, uint64_t got, uint64_t want)
{
    return test_check(got == want, check, "got 0x%lx, want 0x%lx", got, want);
}

void test_note(const char *fmt, ...)
{
    va_list ap;

    if (test_quiet)
        return;
    console_puts("# ");
    va_start(ap, fmt);
    gvprintf(fmt, ap);
    va_end(ap);
    console_puts("\n");
}

unsigned test_passed(void) { return passed; }
unsigned test_failed(void) { return failed; }

void test_set_counts(unsigned p, unsigned f)
{
    passed = p;
    failed = f;
}

void test_done(void)
{
    gprintf("GUEST-DONE %s passed=%u failed=%u\n", guest_name, passed, failed);
    irq_disable();
    int64_t ret = psci_system_off();
    gprintf("# SYSTEM_OFF returned %ld\n", (long)ret);
    for (;;)
        wfi();
}
