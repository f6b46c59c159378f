/* Freestanding formatted output: %d %i %u %x %X %p %s %c %% with flags
 * '-', '0', width, and the length modifiers l, ll, z, h, hh. */
#ifndef ELVISOR_LIB_PRINTF_H
#define ELVISOR_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

int elv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int elv_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
