/* Options passed to a guest in its DTB's /chosen/bootargs: space-separated
 * words "key=value" or a bare "key". */
#ifndef GUEST_BOOTARGS_H
#define GUEST_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>

/* Finds key in args (may be NULL). A "key=value" word copies value into out;
 * a bare "key" gives an empty string. False when key is absent or the value
 * is empty or does not fit in n bytes with its NUL. */
bool bootarg_get(const char *args, const char *key, char *out, size_t n);

/* The decimal number of "key=N" in args: dflt when key is absent, N is 0,
 * has no digits or is over max. */
unsigned bootarg_num(const char *args, const char *key, unsigned dflt, unsigned max);

#endif
