/* printf.c: a small printf family for guests and the bindings' messages. */
#include "bindings.h"

/*
 * One formatter, two sinks: a bounded buffer (snprintf) or the console
 * through a small buffer (printf). Supports what nabla_lib.h documents;
 * unknown conversions are copied through literally so mistakes show.
 */
struct sink {
    char *buf;
    size_t size;  /* capacity of buf */
    size_t used;  /* characters stored in buf */
    size_t total; /* characters produced, the return value */
    bool console; /* flush to the console when full */
};

static void sink_flush(struct sink *s)
{
    if (s->console && s->used > 0) {
        solo5_console_write(s->buf, s->used);
        s->used = 0;
    }
}

static void sink_putc(struct sink *s, char c)
{
    if (s->console && s->used == s->size)
        sink_flush(s);
    /* A bounded buffer keeps one byte for the terminating NUL. */
    if (s->console || s->used + 1 < s->size)
        s->buf[s->used++] = c;
    s->total++;
}

static void sink_pad(struct sink *s, char c, int n)
{
    for (; n > 0; n--)
        sink_putc(s, c);
}

/* Emits (str, len) in a field of (width); '-' pads on the right. */
static void put_field(struct sink *s, const char *str, size_t len, int width,
                      bool left, char pad)
{
    int fill = width > (int)len ? width - (int)len : 0;
    if (!left && pad == '0' && len > 0 && str[0] == '-') {
        /* Zero padding goes between the sign and the digits. */
        sink_putc(s, '-');
        str++;
        len--;
    }
    if (!left)
        sink_pad(s, pad, fill);
    for (size_t i = 0; i < len; i++)
        sink_putc(s, str[i]);
    if (left)
        sink_pad(s, ' ', fill);
}

/* Formats (v) in (base) into the end of (tmp); returns the first digit. */
static char *fmt_unsigned(char *end, unsigned long long v, unsigned base,
                          bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v != 0);
    return p;
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
    char tmp[24]; /* 2^64 in decimal is 20 digits, plus a sign */

    for (const char *f = fmt; *f != '\0'; f++) {
        if (*f != '%') {
            sink_putc(s, *f);
            continue;
        }
        const char *start = f++;
        bool left = false;
        char pad = ' ';
        for (; *f == '-' || *f == '0'; f++) {
            if (*f == '-')
                left = true;
            else
                pad = '0';
        }
        int width = 0;
        for (; *f >= '0' && *f <= '9'; f++)
            width = width * 10 + (*f - '0');
        /* A precision, ".N" or ".*": the most characters %s prints. */
        int precision = -1;
        if (*f == '.') {
            precision = 0;
            if (*++f == '*') {
                precision = va_arg(ap, int);
                f++;
            } else {
                for (; *f >= '0' && *f <= '9'; f++)
                    precision = precision * 10 + (*f - '0');
            }
        }
        int longs = 0;
        bool size = false;
        for (; *f == 'l' || *f == 'z'; f++) {
            if (*f == 'l')
                longs++;
            else
                size = true;
        }
        if (left)
            pad = ' ';

        char *end = tmp + sizeof(tmp), *p;
        unsigned long long u;
        switch (*f) {
        case 'd':
        case 'i': {
            long long v = longs >= 2           ? va_arg(ap, long long)
                          : longs == 1 || size ? va_arg(ap, long)
                                               : va_arg(ap, int);
            u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            p = fmt_unsigned(end, u, 10, false);
            if (v < 0)
                *--p = '-';
            put_field(s, p, (size_t)(end - p), width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
            u = longs >= 2           ? va_arg(ap, unsigned long long)
                : longs == 1 || size ? va_arg(ap, unsigned long)
                                     : va_arg(ap, unsigned int);
            p = fmt_unsigned(end, u, *f == 'u' ? 10 : 16, *f == 'X');
            put_field(s, p, (size_t)(end - p), width, left, pad);
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            p = fmt_unsigned(end, u, 16, false);
            *--p = 'x';
            *--p = '0';
            put_field(s, p, (size_t)(end - p), width, left, ' ');
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (str == NULL)
                str = "(null)";
            /* A negative precision (from ".*") counts as none. */
            size_t len =
                precision < 0 ? strlen(str) : strnlen(str, (size_t)precision);
            put_field(s, str, len, width, left, ' ');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_field(s, &c, 1, width, left, ' ');
            break;
        }
        case '%':
            sink_putc(s, '%');
            break;
        default:
            /* Unknown or truncated: show the directive as written. */
            for (; start <= f && *start != '\0'; start++)
                sink_putc(s, *start);
            if (*f == '\0')
                return;
            break;
        }
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = {.buf = buf, .size = size};
    format(&s, fmt, ap);
    if (size > 0)
        buf[s.used] = '\0';
    return (int)s.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[256];
    struct sink s = {.buf = buf, .size = sizeof(buf), .console = true};
    format(&s, fmt, ap);
    sink_flush(&s);
    return (int)s.total;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    solo5_console_write(s, strlen(s));
    solo5_console_write("\n", 1);
    return 0;
}

int putchar(int c)
{
    char ch = (char)c;
    solo5_console_write(&ch, 1);
    return (unsigned char)ch;
}
