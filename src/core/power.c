#include "core/power.h"

#include <stdarg.h>

#include "arch/arm64/firmware.h"
#include "arch/arm64/pl011.h"
#include "lib/printf.h"

void machine_power_off(enum elvisor_exit status, const char *fmt, ...)
{
    char line[200];
    va_list ap;
    int n;

    n = elv_snprintf(line, sizeof(line), "elvisor-exit: %d ", (int)status);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(line))
        elv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    pl011_flush();
    /* One line, written whole: a reason longer than the buffer is cut, the
     * status never is. */
    pl011_status_puts(line);
    pl011_status_puts("\n");
    firmware_system_off();
}
