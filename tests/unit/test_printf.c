/* elv_snprintf against the C library's snprintf: every supported
 * conversion, flag, width and length modifier, with the output compared at
 * every buffer size from 0 to past the end (truncation, NUL placement and
 * the return value), plus the few places where elvisor differs on purpose. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "host_support.h"
#include "lib/printf.c"

#define BUF 160

static void compare(int line, const char *fmt, const char *a, int ra, const char *b, int rb,
                    size_t size)
{
    if (ra != rb || memcmp(a, b, BUF) != 0)
        print_error("line %d, format \"%s\", size %zu: elv %d \"%.*s\", libc %d \"%.*s\"\n", line,
                    fmt, size, ra, (int)(size ? size : 1), a, rb, (int)(size ? size : 1), b);
    assert_int_equal(ra, rb);
    assert_memory_equal(a, b, BUF);
}

/* Formats with both implementations into buffers of every size from 0 to
 * two past the full length; bytes past the limit must stay untouched. */
#define SAME(fmt, ...)                                                                   \
    do {                                                                                 \
        char a_[BUF], b_[BUF];                                                           \
        int full_ = snprintf(NULL, 0, fmt, __VA_ARGS__);                                 \
        assert_true(full_ >= 0 && full_ + 2 < BUF);                                      \
        assert_int_equal(elv_snprintf(NULL, 0, fmt, __VA_ARGS__), full_);                \
        for (size_t n_ = 0; n_ <= (size_t)full_ + 2; n_++) {                            \
            memset(a_, 'Z', sizeof(a_));                                                 \
            memset(b_, 'Z', sizeof(b_));                                                 \
            int ra_ = elv_snprintf(a_, n_, fmt, __VA_ARGS__);                            \
            int rb_ = snprintf(b_, n_, fmt, __VA_ARGS__);                                \
            compare(__LINE__, fmt, a_, ra_, b_, rb_, n_);                                \
        }                                                                                \
    } while (0)

/* For formats where elvisor and the C library differ by design. */
#define EXPECT(want, fmt, ...)                                                           \
    do {                                                                                 \
        char a_[BUF];                                                                    \
        int ra_ = elv_snprintf(a_, sizeof(a_), fmt, __VA_ARGS__);                        \
        assert_string_equal(a_, want);                                                   \
        assert_int_equal(ra_, (int)strlen(want));                                        \
    } while (0)

static void test_signed_decimal(void **state)
{
    (void)state;
    SAME("%d", 0);
    SAME("%d", 42);
    SAME("%d", -42);
    SAME("%i", -7);
    SAME("%d", INT_MAX);
    SAME("%d", INT_MIN);
    SAME("[%5d]", 42);
    SAME("[%5d]", -42);
    SAME("[%-5d]", 42);
    SAME("[%-5d]", -42);
    SAME("[%05d]", 42);
    SAME("[%05d]", -42);
    SAME("[%03d]", 0);
    SAME("[%-3d]", 0);
    SAME("[%1d]", -12345);
    SAME("[%012d]", INT_MIN);
    SAME("[%40d]", INT_MIN);
}

static void test_length_modifiers(void **state)
{
    (void)state;
    SAME("%ld", LONG_MIN);
    SAME("%ld", LONG_MAX);
    SAME("%li", -1L);
    SAME("%lld", LLONG_MIN);
    SAME("%lld", LLONG_MAX);
    SAME("%lld", (long long)INT64_MIN);
    SAME("[%025lld]", (long long)INT64_MIN);
    SAME("[%-25lld]", (long long)INT64_MIN);
    SAME("%lli", -1234567890123LL);
    SAME("%lu", ULONG_MAX);
    SAME("%llu", ULLONG_MAX);
    SAME("%llx", 0xfedcba9876543210ULL);
    SAME("%llX", 0xfedcba9876543210ULL);
    SAME("%lx", 0x8000000000000000UL);
    SAME("%zu", SIZE_MAX);
    SAME("%zx", (size_t)0xabcdef);
    SAME("%zd", (ssize_t)-1);
    SAME("%zd", (ssize_t)SSIZE_MAX);
    /* h and hh convert the promoted int back to short / char. */
    SAME("%hd", -1);
    SAME("%hd", 70000);
    SAME("%hd", 32768);
    SAME("%hu", 70000);
    SAME("%hx", 0x12345);
    SAME("%hhd", -1);
    SAME("%hhd", 200);
    SAME("%hhd", 127);
    SAME("%hhu", 300);
    SAME("%hhx", 0x1ff);
    SAME("[%5hhd]", 200);
    SAME("[%-6hu]", 65535);
}

static void test_unsigned_hex(void **state)
{
    (void)state;
    SAME("%u", 0u);
    SAME("%u", UINT_MAX);
    SAME("%u", (unsigned)-5);
    SAME("%x", 0u);
    SAME("%x", 0xdeadbeefu);
    SAME("%X", 0xdeadbeefu);
    SAME("%x", -1);
    SAME("[%08x]", 0xbeefu);
    SAME("[%08X]", 0xbeefu);
    SAME("[%8x]", 0xbeefu);
    SAME("[%-8x]", 0xbeefu);
    SAME("[%05x]", 0u);
    SAME("[%2x]", 0x12345u);
    SAME("[%016llx]", 0x1ULL);
    SAME("[%-16lX]", 0xabcUL);
}

static void test_strings_and_chars(void **state)
{
    (void)state;
    SAME("%s", "hello");
    SAME("%s", "");
    SAME("[%10s]", "hello");
    SAME("[%-10s]", "hello");
    SAME("[%3s]", "hello");
    SAME("[%-1s]", "");
    SAME("%c", 'A');
    SAME("[%3c]", 'x');
    SAME("[%-3c]", 'x');
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("%s=%d (0x%08x) %c%%", "key", -3, 0x1234u, '!');
    SAME("100%%%s", "");
    SAME("%%%d%%", 5);
    SAME("no conversions at all%s", "");
    /* A NUL character is output and counted. */
    SAME("a%cb", '\0');
}

static void test_pointers(void **state)
{
    int x;
    void *p = &x;

    (void)state;
    SAME("%p", p);
    SAME("[%p]", (void *)0x1000);
    SAME("[%p]", (void *)UINTPTR_MAX);
    SAME("[%24p]", p);
    SAME("[%-24p]", p);
    SAME("[%3p]", (void *)0xabcdef);
    SAME("[%-20p]", (void *)0x1);
    /* NULL prints as an address, where glibc writes "(nil)". */
    EXPECT("0x0", "%p", (void *)NULL);
    EXPECT("[     0x0]", "[%8p]", (void *)NULL);
}

static void test_null_string(void **state)
{
    /* Through a volatile so the compiler does not complain of NULL. */
    const char *volatile nul = NULL;

    (void)state;
    EXPECT("(null)", "%s", nul);
    EXPECT("[  (null)]", "[%8s]", nul);
    EXPECT("[(null)  ]", "[%-8s]", nul);
}

/* Formats the compiler would reject as literals; passed through a pointer. */
static void test_odd_formats(void **state)
{
    const char *volatile fmt;
    char buf[32];

    (void)state;
    /* '-' beats '0', as in C. */
    fmt = "[%-05d]";
    elv_snprintf(buf, sizeof(buf), fmt, 42);
    assert_string_equal(buf, "[42   ]");
    fmt = "[%-05d]";
    elv_snprintf(buf, sizeof(buf), fmt, -42);
    assert_string_equal(buf, "[-42  ]");
    fmt = "[%0-5x]";
    elv_snprintf(buf, sizeof(buf), fmt, 0xau);
    assert_string_equal(buf, "[a    ]");
    /* An unknown conversion is copied out; a lone '%' at the end is dropped. */
    fmt = "a%qb";
    assert_int_equal(elv_snprintf(buf, sizeof(buf), fmt, 0), 4);
    assert_string_equal(buf, "a%qb");
    fmt = "abc%";
    assert_int_equal(elv_snprintf(buf, sizeof(buf), fmt, 0), 3);
    assert_string_equal(buf, "abc");
    fmt = "abc%-08";
    assert_int_equal(elv_snprintf(buf, sizeof(buf), fmt, 0), 3);
    assert_string_equal(buf, "abc");
    fmt = "%ll";
    assert_int_equal(elv_snprintf(buf, sizeof(buf), fmt, 0), 0);
}

/* Truncation and the return value, spelled out. */
static void test_truncation(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(elv_snprintf(buf, 4, "%s", "abcdef"), 6);
    assert_string_equal(buf, "abc");
    assert_int_equal(buf[4], 'Z');
    assert_int_equal(elv_snprintf(buf, 1, "%d", 12345), 5);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(elv_snprintf(NULL, 0, "%lld", (long long)INT64_MIN), 20);
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(elv_snprintf(buf, 0, "%d", 1), 1);
    assert_int_equal(buf[0], 'Z');
    assert_int_equal(elv_snprintf(buf, sizeof(buf), "%100d", 1), 100);
    assert_string_equal(buf, "       ");
    assert_int_equal(elv_snprintf(buf, sizeof(buf), "%s", ""), 0);
    assert_string_equal(buf, "");
}

/* elv_vsnprintf with a va_list, as log_msg uses it. */
static int via_va(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = elv_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void test_vsnprintf(void **state)
{
    char buf[64];

    (void)state;
    assert_int_equal(via_va(buf, sizeof(buf), "%s:%u:%llx", "vm", 3u, 0xffULL), 7);
    assert_string_equal(buf, "vm:3:ff");
    /* Arguments are consumed in order even when the output is cut. */
    assert_int_equal(via_va(buf, 3, "%d %s %c", 12345, "xyz", 'q'), 11);
    assert_string_equal(buf, "12");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_decimal),
        cmocka_unit_test(test_length_modifiers),
        cmocka_unit_test(test_unsigned_hex),
        cmocka_unit_test(test_strings_and_chars),
        cmocka_unit_test(test_pointers),
        cmocka_unit_test(test_null_string),
        cmocka_unit_test(test_odd_formats),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_vsnprintf),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
