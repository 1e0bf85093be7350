/* stdlib.c: number parsing, strdup and abort() for guests. */
#include "bindings.h"

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 36; /* no digit in any base */
}

/*
 * The common part of strtoul and strtol, as C11 7.22.1.4 describes it:
 * leading space, a sign, a base prefix, then digits. Returns the magnitude,
 * clamped to (limit) with *overflow set; *end is where parsing stopped, or
 * (s) itself when there were no digits.
 */
static unsigned long parse(const char *s, const char **end, int base,
                           bool *negative, unsigned long limit, bool *overflow)
{
    const char *p = s;
    *negative = false;
    *overflow = false;
    *end = s;
    if (base < 0 || base == 1 || base > 36)
        return 0;
    while (sdk_isspace(*p))
        p++;
    if (*p == '+' || *p == '-')
        *negative = *p++ == '-';
    /* "0x" is a prefix only when a hex digit follows it. */
    if ((base == 0 || base == 16) && p[0] == '0' &&
        (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }

    unsigned long v = 0;
    const char *digits = p;
    for (int d; (d = digit_value(*p)) < base; p++) {
        if (v > (limit - (unsigned long)d) / (unsigned long)base) {
            *overflow = true;
            v = limit;
        } else if (!*overflow) {
            v = v * (unsigned long)base + (unsigned long)d;
        }
    }
    if (p != digits)
        *end = p;
    return v;
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
    const char *stop;
    bool negative, overflow;
    unsigned long v = parse(s, &stop, base, &negative, ~0ul, &overflow);
    if (end != NULL)
        *end = (char *)stop;
    if (overflow)
        return ~0ul;
    /* As the standard says: "-1" is ULONG_MAX. */
    return negative ? 0ul - v : v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
    const char *stop;
    bool negative, overflow;
    /* LONG_MIN's magnitude is one more than LONG_MAX's. */
    unsigned long limit = (unsigned long)__LONG_MAX__ + 1;
    unsigned long v = parse(s, &stop, base, &negative, limit, &overflow);
    if (end != NULL)
        *end = (char *)stop;
    if (negative)
        return v == limit ? -__LONG_MAX__ - 1 : -(long)v;
    return v >= limit ? __LONG_MAX__ : (long)v;
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

void abort(void)
{
    solo5_abort();
}
