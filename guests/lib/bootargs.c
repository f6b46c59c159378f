#include "bootargs.h"

#include "lib/string.h"

bool bootarg_get(const char *args, const char *key, char *out, size_t n)
{
    size_t klen = strlen(key);

    for (const char *p = args; p && *p;) {
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        size_t wlen = (size_t)(end - p);
        if (wlen >= klen && memcmp(p, key, klen) == 0) {
            if (wlen == klen && n > 0) {
                out[0] = '\0';
                return true;
            }
            if (p[klen] == '=') {
                size_t len = wlen - klen - 1;
                if (len == 0 || len >= n)
                    return false;
                memcpy(out, p + klen + 1, len);
                out[len] = '\0';
                return true;
            }
        }
        p = end;
    }
    return false;
}

#define BOOTARG_NUM_LEN 16

unsigned bootarg_num(const char *args, const char *key, unsigned dflt, unsigned max)
{
    char arg[BOOTARG_NUM_LEN];
    unsigned v = 0;

    if (!bootarg_get(args, key, arg, sizeof(arg)))
        return dflt;
    for (const char *c = arg; *c >= '0' && *c <= '9' && v <= max; c++)
        v = v * 10 + (unsigned)(*c - '0');
    return v == 0 || v > max ? dflt : v;
}
