#include "core/console.h"

#include "arch/arm64/pl011.h"
#include "core/pcpu.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/spinlock.h"

int log_level = LOG_INFO;

static spinlock_t console_lock = SPINLOCK_INIT;
/* The VM whose line is open (not ended by '\n'), or -1. */
static int open_line_vm = -1;

static void put_locked(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            pl011_putc('\r');
        pl011_putc(*s);
    }
}

void console_guest_putc(unsigned vm_id, const char *vm_name, bool prefix, char c)
{
    spin_lock(&console_lock);
    if (open_line_vm != (int)vm_id) {
        if (open_line_vm >= 0 && prefix)
            put_locked("\n");
        if (prefix) {
            put_locked("[");
            put_locked(vm_name);
            put_locked("] ");
        }
        open_line_vm = (int)vm_id;
    }
    pl011_putc(c);
    if (c == '\n')
        open_line_vm = -1;
    spin_unlock(&console_lock);
}

void console_write(const char *s)
{
    spin_lock(&console_lock);
    put_locked(s);
    spin_unlock(&console_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
    char line[256];
    va_list ap;
    int n;

    if ((int)level > log_level)
        return;
    n = elv_snprintf(line, sizeof(line), "elvisor[cpu%u]: %s", this_pcpu()->id, prefix[level]);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(line))
        elv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);

    spin_lock(&console_lock);
    /* A guest line in progress is ended first so both stay readable. */
    if (open_line_vm >= 0) {
        put_locked("\n");
        open_line_vm = -1;
    }
    put_locked(line);
    put_locked("\n");
    spin_unlock(&console_lock);
}
