#include "core/guest_log.h"

#include <stdarg.h>

#include "arch/arm64/sysreg.h"
#include "core/console.h"
#include "core/vm.h"
#include "lib/ratelimit.h"

static uint64_t window_ticks(void)
{
    return read_sysreg(cntfrq_el0) / 1000 * GUEST_LOG_WINDOW_MS;
}

static void report_dropped(const struct vm *vm, unsigned n, const char *when)
{
    if (n)
        log_warn("vm %s: %u more log lines of this VM held back %s (at most %u every %u ms)",
                 vm->cfg->name, n, when, GUEST_LOG_BURST, GUEST_LOG_WINDOW_MS);
}

void vm_log(struct vm *vm, enum log_level level, const char *fmt, ...)
{
    unsigned dropped;
    bool allow;
    va_list ap;

    if ((int)level > log_level)
        return;
    spin_lock(&vm->log_lock);
    allow = ratelimit_allow(&vm->log_rl, read_sysreg(cntpct_el0), window_ticks(), GUEST_LOG_BURST,
                            &dropped);
    spin_unlock(&vm->log_lock);
    report_dropped(vm, dropped, "in the last window");
    if (!allow)
        return;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

void vm_log_flush(struct vm *vm)
{
    unsigned dropped;

    spin_lock(&vm->log_lock);
    dropped = ratelimit_take_dropped(&vm->log_rl);
    spin_unlock(&vm->log_lock);
    report_dropped(vm, dropped, "before it stopped");
}
