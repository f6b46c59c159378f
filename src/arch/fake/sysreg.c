/* The fake register file and the log (arch/fake/fake.h). Host C library. */
#include "arch/fake/fake.h"

#include <ctype.h>
#include <stdbool.h>
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

static void lower_name(const char *name, char canon[FAKE_NAME_MAX])
{
    size_t n = strlen(name);

    if (n >= FAKE_NAME_MAX) {
        fprintf(stderr, "fake arch: register name too long: %s\n", name);
        abort();
    }
    for (size_t i = 0; i <= n; i++)
        canon[i] = (char)tolower((unsigned char)name[i]);
}

static unsigned slot_of_storage(const char *storage)
{
    for (unsigned i = 0; i < nr_regs; i++)
        if (strcmp(regs[i].name, storage) == 0)
            return i;
    if (nr_regs == FAKE_NR_REGS) {
        fprintf(stderr, "fake arch: more than %u registers\n", FAKE_NR_REGS);
        abort();
    }
    snprintf(regs[nr_regs].name, FAKE_NAME_MAX, "%s", storage);
    regs[nr_regs].value = 0;
    return nr_regs++;
}

/* The register a test names: an alias names its register whatever E2H is. */
static unsigned slot_index(const char *name)
{
    char canon[FAKE_NAME_MAX];

    lower_name(name, canon);
    return slot_of_storage(fake_storage_name(canon));
}

/* The register an MRS/MSR at EL2 reaches, after E2H's redirection. */
static unsigned access_index(const char *name)
{
    char canon[FAKE_NAME_MAX];

    lower_name(name, canon);
    return slot_of_storage(fake_access_name(canon));
}

uint64_t *fake_sysreg_slot(const char *name)
{
    return &regs[slot_index(name)].value;
}

/* The generic timers: CTL.ISTATUS is the hardware's condition, read-only,
 * computed at each read from the count the timer compares (the physical
 * count, minus CNTVOFF_EL2 for the EL1 virtual timer; the EL2 virtual
 * timer compares the count with no offset) and its CVAL. By register,
 * whatever name reached it (arch/fake/vhe.c). */
static const struct {
    const char *ctl, *cval;
    bool virt;
} timers[] = {
    { "cntp_ctl_el0", "cntp_cval_el0", false },
    { "cntv_ctl_el0", "cntv_cval_el0", true },
    { "cnthp_ctl_el2", "cnthp_cval_el2", false },
    { "cnthv_ctl_el2", "cnthv_cval_el2", false },
};

#define CTL_ENABLE      1ULL
#define CTL_ISTATUS     4ULL

static int timer_of_ctl(const char *canon)
{
    for (unsigned i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
        if (strcmp(timers[i].ctl, canon) == 0)
            return (int)i;
    return -1;
}

static uint64_t read_slot(unsigned i)
{
    int t = timer_of_ctl(regs[i].name);
    uint64_t count, ctl = regs[i].value & ~CTL_ISTATUS, computed;

    if (fake_vgic_read(regs[i].name, &computed))
        return computed;
    if (t < 0)
        return regs[i].value;
    count = *fake_sysreg_slot("cntpct_el0");
    if (timers[t].virt)
        count -= *fake_sysreg_slot("cntvoff_el2");
    if ((ctl & CTL_ENABLE) && count >= *fake_sysreg_slot(timers[t].cval))
        ctl |= CTL_ISTATUS;
    return ctl;
}

uint64_t fake_read_sysreg(const char *name)
{
    return read_slot(access_index(name));
}

uint64_t fake_guest_read(const char *name)
{
    return read_slot(slot_index(name));
}

/* Logged by the name the code spelled; the value lands in the register
 * that name reaches (fake_reg() of either name reads it back). */
void fake_write_sysreg(const char *name, uint64_t v)
{
    unsigned i = access_index(name);
    char spelled[FAKE_NAME_MAX];

    lower_name(name, spelled);
    if (timer_of_ctl(regs[i].name) >= 0)
        v &= ~CTL_ISTATUS;
    if (fake_vgic_read_only(regs[i].name))
        fake_log("msr %s (read-only, ignored) 0x%llx", spelled, (unsigned long long)v);
    else {
        regs[i].value = v;
        fake_log("msr %s 0x%llx", spelled, (unsigned long long)v);
    }
}

void fake_insn(const char *what)
{
    fake_log("%s", what);
}

void fake_at(const char *what, uint64_t va)
{
    fake_log("%s 0x%llx", what, (unsigned long long)va);
}
