/* The fake register file and the log (arch/fake/fake.h). Host C library. */
#include "arch/fake/fake.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_NAME_MAX   32
#define FAKE_NR_REGS    512

static struct {
    char name[FAKE_NAME_MAX];
    uint64_t value;
} regs[FAKE_NR_REGS];
static unsigned nr_regs;

static char **log_lines;
static unsigned log_len, log_cap;

void fake_log(const char *fmt, ...)
{
    char line[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (log_len == log_cap) {
        log_cap = log_cap ? 2 * log_cap : 256;
        log_lines = realloc(log_lines, log_cap * sizeof(*log_lines));
        if (!log_lines)
            abort();
    }
    size_t n = strlen(line) + 1;
    log_lines[log_len] = malloc(n);
    if (!log_lines[log_len])
        abort();
    memcpy(log_lines[log_len++], line, n);
}

void fake_log_clear(void)
{
    for (unsigned i = 0; i < log_len; i++)
        free(log_lines[i]);
    log_len = 0;
}

unsigned fake_log_len(void)
{
    return log_len;
}

const char *fake_log_at(unsigned i)
{
    return i < log_len ? log_lines[i] : NULL;
}

int fake_log_find(const char *prefix, unsigned from)
{
    for (unsigned i = from; i < log_len; i++)
        if (strncmp(log_lines[i], prefix, strlen(prefix)) == 0)
            return (int)i;
    return -1;
}

unsigned fake_log_count(const char *prefix)
{
    unsigned n = 0;

    for (int i = fake_log_find(prefix, 0); i >= 0; i = fake_log_find(prefix, (unsigned)i + 1))
        n++;
    return n;
}

void fake_sysreg_reset(void)
{
    nr_regs = 0;
}

static unsigned slot_index(const char *name)
{
    char canon[FAKE_NAME_MAX];
    size_t n = strlen(name);

    if (n >= sizeof(canon)) {
        fprintf(stderr, "fake arch: register name too long: %s\n", name);
        abort();
    }
    for (size_t i = 0; i <= n; i++)
        canon[i] = (char)tolower((unsigned char)name[i]);
    for (unsigned i = 0; i < nr_regs; i++)
        if (strcmp(regs[i].name, canon) == 0)
            return i;
    if (nr_regs == FAKE_NR_REGS) {
        fprintf(stderr, "fake arch: more than %u registers\n", FAKE_NR_REGS);
        abort();
    }
    memcpy(regs[nr_regs].name, canon, n + 1);
    regs[nr_regs].value = 0;
    return nr_regs++;
}

uint64_t *fake_sysreg_slot(const char *name)
{
    return &regs[slot_index(name)].value;
}

uint64_t fake_read_sysreg(const char *name)
{
    return *fake_sysreg_slot(name);
}

void fake_write_sysreg(const char *name, uint64_t v)
{
    unsigned i = slot_index(name);

    regs[i].value = v;
    fake_log("msr %s 0x%llx", regs[i].name, (unsigned long long)v);
}

void fake_insn(const char *what)
{
    fake_log("%s", what);
}

void fake_at(const char *what, uint64_t va)
{
    fake_log("%s 0x%llx", what, (unsigned long long)va);
}
