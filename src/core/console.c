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
 * lines from VMs printing at once do not interleave character by character.
 * While the operator's prompt is open (core/monitor.h) the same buffer holds
 * every VM's output, several lines if they fit; what does not fit is
 * dropped and counted, not waited for: a guest must never stall on the
 * operator. */
#define GUEST_LINE_MAX  160
struct guest_line {
    char buf[GUEST_LINE_MAX];
    unsigned len;
    const char *vm_name;
    bool prefix;
    unsigned dropped;           /* while held */
};
static struct guest_line guest_lines[MAX_VMS];
static bool guests_held;

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

/* Ends a guest line left open, before anything that is not its own. */
static void end_open_line_locked(void)
{
    if (open_line_vm >= 0)
        put_locked("\n");
    open_line_vm = -1;
}

/* One character of VM vm_id: a line left open by another VM, or by this
 * one without its prefix, is ended first; each line of a VM starts with
 * its name when it has a prefix. The only VM's characters come here one
 * by one (every character a guest prints is one exit that ends here). */
static void put_guest_char_locked(unsigned vm_id, const char *vm_name, bool prefix, char c)
{
    if (open_line_vm != (int)vm_id) {
        end_open_line_locked();
        if (prefix) {
            put_locked("[");
            put_locked(vm_name);
            put_locked("] ");
        }
    }
    if (c == '\n')
        pl011_putc('\r');
    pl011_putc(c);
    open_line_vm = c == '\n' ? -1 : (int)vm_id;
}

static void put_guest_locked(unsigned vm_id, const char *vm_name, bool prefix, const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put_guest_char_locked(vm_id, vm_name, prefix, s[i]);
}

/* Writes what VM vm_id has gathered. */
static void emit_line_locked(unsigned vm_id)
{
    struct guest_line *l = &guest_lines[vm_id];

    put_guest_locked(vm_id, l->vm_name, l->prefix, l->buf, l->len);
    l->len = 0;
}

void console_guest_putc(unsigned vm_id, const char *vm_name, bool prefix, char c)
{
    spin_lock(&console_lock);
    if (vm_id >= MAX_VMS) {
        put_n_locked(&c, 1);
        spin_unlock(&console_lock);
        return;
    }
    struct guest_line *l = &guest_lines[vm_id];
    l->vm_name = vm_name;
    l->prefix = prefix;
    if (guests_held) {
        if (l->len < GUEST_LINE_MAX)
            l->buf[l->len++] = c;
        else
            l->dropped++;
    } else if (!prefix) {
        /* One VM: its output goes straight out, as on a real UART. */
        put_guest_char_locked(vm_id, vm_name, false, c);
    } else {
        l->buf[l->len++] = c;
        if (c == '\n' || l->len == GUEST_LINE_MAX)
            emit_line_locked(vm_id);
    }
    spin_unlock(&console_lock);
}

void console_guest_flush(unsigned vm_id, const char *vm_name)
{
    (void)vm_name;
    if (vm_id >= MAX_VMS)
        return;
    spin_lock(&console_lock);
    if (!guests_held)
        emit_line_locked(vm_id);
    spin_unlock(&console_lock);
}

void console_hold_guests(bool hold)
{
    spin_lock(&console_lock);
    guests_held = hold;
    for (unsigned i = 0; i < MAX_VMS && !hold; i++) {
        struct guest_line *l = &guest_lines[i];
        char note[96];

        /* Complete lines only: a partial one waits for its end as usual. */
        unsigned end = l->len;
        while (end && l->buf[end - 1] != '\n')
            end--;
        if (!l->prefix)
            end = l->len;
        put_guest_locked(i, l->vm_name, l->prefix, l->buf, end);
        memmove(l->buf, l->buf + end, l->len - end);
        l->len -= end;
        if (l->dropped) {
            elv_snprintf(note, sizeof(note), "elvisor: vm %s: %u characters of output dropped while the prompt was open\n",
                         l->vm_name, l->dropped);
            end_open_line_locked();
            put_locked(note);
            l->dropped = 0;
        }
    }
    spin_unlock(&console_lock);
}

void console_write(const char *s)
{
    spin_lock(&console_lock);
    /* As for a log line: a guest line in progress is ended first. */
    end_open_line_locked();
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
    end_open_line_locked();
    put_locked(line);
    put_locked("\n");
    spin_unlock(&console_lock);
}
