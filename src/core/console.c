#include "core/console.h"

#include "arch/arm64/pl011.h"
#include "core/pcpu.h"
#include "core/vm.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

int log_level = LOG_INFO;

static spinlock_t console_lock = SPINLOCK_INIT;
/* The VM whose line is open (not ended by '\n'), or -1. */
static int open_line_vm = -1;

/* With several VMs, each one's output is gathered a line at a time, so that
 * lines from VMs printing at once do not interleave character by character. */
#define GUEST_LINE_MAX  160
struct guest_line {
    char buf[GUEST_LINE_MAX];
    unsigned len;
};
static struct guest_line guest_lines[MAX_VMS];

static void put_n_locked(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            pl011_putc('\r');
        pl011_putc(s[i]);
    }
}

static void put_locked(const char *s)
{
    put_n_locked(s, strlen(s));
}

/* Writes what VM vm_id has gathered, prefixed with its name unless its line
 * is already open on the UART; a complete line closes it again. */
static void emit_line_locked(unsigned vm_id, const char *vm_name)
{
    struct guest_line *l = &guest_lines[vm_id];

    if (!l->len)
        return;
    if (open_line_vm != (int)vm_id) {
        if (open_line_vm >= 0)
            put_locked("\n");
        put_locked("[");
        put_locked(vm_name);
        put_locked("] ");
    }
    put_n_locked(l->buf, l->len);
    open_line_vm = l->buf[l->len - 1] == '\n' ? -1 : (int)vm_id;
    l->len = 0;
}

void console_guest_putc(unsigned vm_id, const char *vm_name, bool prefix, char c)
{
    spin_lock(&console_lock);
    if (!prefix || vm_id >= MAX_VMS) {
        /* One VM: its output goes straight out, as on a real UART. */
        if (open_line_vm >= 0 && open_line_vm != (int)vm_id)
            put_locked("\n");
        put_n_locked(&c, 1);
        open_line_vm = c == '\n' ? -1 : (int)vm_id;
        spin_unlock(&console_lock);
        return;
    }
    struct guest_line *l = &guest_lines[vm_id];
    l->buf[l->len++] = c;
    if (c == '\n' || l->len == GUEST_LINE_MAX)
        emit_line_locked(vm_id, vm_name);
    spin_unlock(&console_lock);
}

void console_guest_flush(unsigned vm_id, const char *vm_name)
{
    if (vm_id >= MAX_VMS)
        return;
    spin_lock(&console_lock);
    emit_line_locked(vm_id, vm_name);
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
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
    char line[256];
    int n;

    if ((int)level > log_level)
        return;
    n = elv_snprintf(line, sizeof(line), "elvisor[cpu%u]: %s", this_pcpu()->id, prefix[level]);
    if (n >= 0 && (size_t)n < sizeof(line))
        elv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);

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
