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

/* A conversion's flags, width and length modifier. */
struct spec {
    bool left;
    char pad;
    int width;
    int longness;   /* 0 int, 1 long, 2 long long / size_t, -1 short, -2 char */
};

/* Reads the spec after '%'; returns where the conversion character is. */
static const char *parse_spec(const char *fmt, struct spec *sp)
{
    *sp = (struct spec){ false, ' ', 0, 0 };
    for (;; fmt++) {
        if (*fmt == '-')
            sp->left = true;
        else if (*fmt == '0')
            sp->pad = '0';
        else
            break;
    }
    while (*fmt >= '0' && *fmt <= '9')
        sp->width = sp->width * 10 + (*fmt++ - '0');
    for (;; fmt++) {
        if (*fmt == 'l')
            sp->longness++;
        else if (*fmt == 'z')
            sp->longness = 2;
        else if (*fmt == 'h')
            sp->longness--;
        else
            break;
    }
    return fmt;
}

static int64_t signed_arg(int longness, va_list *ap)
{
    int64_t v = longness >= 1 ? (longness == 1 ? va_arg(*ap, long) : va_arg(*ap, long long))
                              : va_arg(*ap, int);

    if (longness == -1)
        v = (short)v;
    else if (longness <= -2)
        v = (signed char)v;
    return v;
}

static uint64_t unsigned_arg(int longness, va_list *ap)
{
    uint64_t v = longness >= 1 ? (longness == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned long long))
                               : va_arg(*ap, unsigned int);

    if (longness == -1)
        v = (unsigned short)v;
    else if (longness <= -2)
        v = (unsigned char)v;
    return v;
}

/* One conversion; false for the '\0' of a format that ends after '%'. */
static bool convert(struct outbuf *o, char conv, const struct spec *sp, va_list *ap)
{
    switch (conv) {
    case 'd':
    case 'i': {
        int64_t v = signed_arg(sp->longness, ap);
        bool neg = v < 0;
        put_number(o, neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, neg, 10, false, sp->width, sp->left,
                   sp->pad);
        return true;
    }
    case 'u':
    case 'x':
    case 'X':
        put_number(o, unsigned_arg(sp->longness, ap), false, conv == 'u' ? 10 : 16, conv == 'X', sp->width,
                   sp->left, sp->pad);
        return true;
    case 'p': {
        /* The width covers the "0x" prefix too. */
        char tmp[2 + 16 + 1];
        struct outbuf t = { tmp, sizeof(tmp), 0 };
        put(&t, '0');
        put(&t, 'x');
        put_number(&t, (uintptr_t)va_arg(*ap, void *), false, 16, false, 0, false, ' ');
        put_padded(o, tmp, t.len, sp->width, sp->left, ' ');
        return true;
    }
    case 's': {
        const char *s = va_arg(*ap, const char *);
        size_t n = 0;
        if (!s)
            s = "(null)";
        while (s[n])
            n++;
        put_padded(o, s, n, sp->width, sp->left, ' ');
        return true;
    }
    case 'c': {
        char c = (char)va_arg(*ap, int);
        put_padded(o, &c, 1, sp->width, sp->left, ' ');
        return true;
    }
    case '%':
        put(o, '%');
        return true;
    case '\0':
        return false;
    default:
        put(o, '%');
        put(o, conv);
        return true;
    }
}

int elv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct outbuf o = { buf, size, 0 };
    struct spec sp;
    va_list args;

    va_copy(args, ap);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt = parse_spec(fmt + 1, &sp);
        if (!convert(&o, *fmt, &sp, &args))
            fmt--;
    }
    va_end(args);
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
