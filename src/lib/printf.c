#include "lib/printf.h"

#include <stdbool.h>
#include <stdint.h>

struct outbuf {
    char *buf;
    size_t size;
    size_t len;   /* characters the full output would have */
};

static void put(struct outbuf *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(struct outbuf *o, const char *s, size_t n, int width, bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;

    if (!left)
        while (fill-- > 0)
            put(o, pad);
    while (n--)
        put(o, *s++);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

static void put_number(struct outbuf *o, uint64_t v, bool negative, unsigned base, bool upper,
                       int width, bool left, char pad)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (negative) {
        if (pad == '0') {
            put(o, '-');
            width--;
        } else {
            tmp[n++] = '-';
        }
    }
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    put_padded(o, out, (size_t)n, width, left, pad);
}

int elv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct outbuf o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        bool left = false;
        char pad = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        int longness = 0;   /* 0 int, 1 long, 2 long long / size_t, -1 short, -2 char */
        for (;; fmt++) {
            if (*fmt == 'l')
                longness++;
            else if (*fmt == 'z')
                longness = 2;
            else if (*fmt == 'h')
                longness--;
            else
                break;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = longness >= 1 ? (longness == 1 ? va_arg(ap, long) : va_arg(ap, long long))
                                      : va_arg(ap, int);
            if (longness == -1)
                v = (short)v;
            else if (longness <= -2)
                v = (signed char)v;
            bool neg = v < 0;
            put_number(&o, neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, neg, 10, false, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = longness >= 1 ? (longness == 1 ? va_arg(ap, unsigned long)
                                                        : va_arg(ap, unsigned long long))
                                       : va_arg(ap, unsigned int);
            if (longness == -1)
                v = (unsigned short)v;
            else if (longness <= -2)
                v = (unsigned char)v;
            put_number(&o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left, pad);
            break;
        }
        case 'p': {
            /* The width covers the "0x" prefix too. */
            char tmp[2 + 16 + 1];
            struct outbuf t = { tmp, sizeof(tmp), 0 };
            put(&t, '0');
            put(&t, 'x');
            put_number(&t, (uintptr_t)va_arg(ap, void *), false, 16, false, 0, false, ' ');
            put_padded(&o, tmp, t.len, width, left, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            size_t n = 0;
            if (!s)
                s = "(null)";
            while (s[n])
                n++;
            put_padded(&o, s, n, width, left, ' ');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int elv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = elv_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
