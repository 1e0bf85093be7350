/* strlcpy.c: strlcpy() for guests, and for hosted builds on an older glibc. */
#include "core.h"

/*
 * glibc has strlcpy only from 2.38; where it does, the hosted build uses
 * that one. (spt guests see no glibc headers, so __GLIBC__ is not defined.)
 */
#if !defined(__GLIBC__) || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38)
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
    size_t len = strlen(src);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
#endif
