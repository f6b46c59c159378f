/* Host stand-ins for the hypervisor services shared code calls. */
#ifndef ELVISOR_TEST_HOST_SUPPORT_H
#define ELVISOR_TEST_HOST_SUPPORT_H

#include <stdarg.h>
#include <stdio.h>

#include "lib/log.h"

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "ERR", "WARN", "INFO", "DEBUG" };
    va_list ap;

    va_start(ap, fmt);
    printf("[log %s] ", names[level]);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

#endif
