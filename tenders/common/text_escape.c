/* text_escape.c: untrusted bytes made safe to print on a terminal. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "text_escape.h"

/* Invisible characters that can hide or reorder text on a terminal. */
static bool is_format(uint32_t cp)
{
    return cp == 0xad || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
           cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

/*
 * The length of the well-formed UTF-8 sequence at p (2 to 4 bytes: no
 * overlong form, no surrogate, nothing above U+10FFFF) and its code point,
 * or 0 when there is none. A NUL is never a continuation byte, so the
 * terminator stops the look-ahead.
 */
static size_t utf8_sequence(const unsigned char *p, uint32_t *cp)
{
    size_t n;
    uint32_t min;

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2, min = 0x80, *cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3, min = 0x800, *cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4, min = 0x10000, *cp = p[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (p[i] & 0x3f);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return n;
}

const char *text_escape(char *out, size_t out_size, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t used = 0;

    while (*p != '\0') {
        char piece[16];
        size_t len = 0, take = 1;
        uint32_t cp;

        if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
            piece[len++] = (char)*p;
        } else if (*p == '\\') {
            piece[len++] = '\\';
            piece[len++] = '\\';
        } else if ((take = utf8_sequence(p, &cp)) != 0 && cp >= 0xa0 &&
                   !is_format(cp)) {
            memcpy(piece, p, take);
            len = take;
        } else {
            /* One byte at a time: a malformed sequence may hide a control. */
            static const char hex[] = "0123456789abcdef";
            take = take == 0 ? 1 : take;
            for (size_t i = 0; i < take; i++) {
                piece[len++] = '\\';
                piece[len++] = 'x';
                piece[len++] = hex[p[i] >> 4];
                piece[len++] = hex[p[i] & 15];
            }
        }
        if (used + len >= out_size)
            break;
        memcpy(out + used, piece, len);
        used += len;
        p += take;
    }
    out[used] = '\0';
    return out;
}
