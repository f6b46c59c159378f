#include "core/power.h"

#include <stdarg.h>

#include "arch/arm64/firmware.h"
#include "arch/arm64/pl011.h"
#include "arch/arm64/sysreg.h"
#include "lib/log.h"
#include "lib/printf.h"

/* Several CPUs can find the last VM down at once: one of them reports. */
static int power_off_claimed;

void machine_power_off(enum elvisor_exit status, const char *fmt, ...)
{
    char reason[160], line[200];
    va_list ap;

    if (__atomic_exchange_n(&power_off_claimed, 1, __ATOMIC_ACQ_REL))
        for (;;)
            wfi();
    va_start(ap, fmt);
    elv_vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    log_info("powering off: %s", reason);
    pl011_flush();
    /* One line, written whole: a long reason is cut, the status never is. */
    elv_snprintf(line, sizeof(line), "elvisor-exit: %d %s\n", (int)status, reason);
    pl011_status_puts(line);
    firmware_system_off();
}
