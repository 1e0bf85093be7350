/* nabla_lib.h: the small freestanding C library the SDK links into guests. */
#ifndef NABLA_LIB_H
#define NABLA_LIB_H

/*
 * Guests are built without a libc, so the bindings carry the few routines
 * applications and the compiler itself need (gcc may emit calls to memset,
 * memcpy, memmove and memcmp on its own). Standard names and semantics, so
 * the same application code also builds against a real libc.
 */
#include <stdarg.h>
#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * Formatting: %d %i %u %x %X %p %s %c %% with the l, ll and z length
 * modifiers, a field width, and the '-' and '0' flags. printf() writes to the
 * console and returns the number of characters produced.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif /* NABLA_LIB_H */
