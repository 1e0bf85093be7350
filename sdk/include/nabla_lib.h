/* nabla_lib.h: the small freestanding C library the SDK links into guests. */
#ifndef NABLA_LIB_H
#define NABLA_LIB_H

/*
 * Guests are built without a libc, so the bindings carry the few routines
 * applications and the compiler itself need (gcc may emit calls to memset,
 * memcpy, memmove and memcmp on its own). Standard names and prototypes,
 * so the same application code also builds against a real libc: the hosted
 * target (sdk/hosted) compiles with these declarations and links glibc,
 * which supplies every function here (strlcpy too, where glibc lacks it).
 */
#include <stdarg.h>
#include <stddef.h>

/* Memory and strings. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copies at most n bytes; pads with NULs, but adds none if src is longer. */
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
/*
 * Copies at most size - 1 bytes and always terminates (when size > 0);
 * returns strlen(src), so a result >= size means the copy was truncated.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

/*
 * Numbers. Base 0 guesses from a "0x" or "0" prefix, as the standard says.
 * Out of range values clamp to ULONG_MAX, LONG_MAX or LONG_MIN; there is no
 * errno, so compare the result with those, and *end with the input.
 */
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long strtol(const char *restrict s, char **restrict end, int base);
int atoi(const char *s);

/*
 * The heap. The bindings give malloc the region solo5_start_info describes
 * ([heap_start, heap_start + heap_size)); it takes it over at the first
 * allocation and writes nothing there before. So an application either
 * manages that region itself or calls these functions, not both. Every
 * result is 16-byte aligned; sizes are overflow-checked (a request that
 * cannot be met returns NULL). A bad pointer given to free() or realloc(),
 * a double free, or a heap header overwritten by an overflow aborts the
 * guest ("Solo5: ABORT: ...", status 255). realloc(p, 0) frees p and
 * returns NULL. Single-threaded, like the guest. The bindings themselves
 * never allocate.
 */
void *malloc(size_t size) __attribute__((malloc));
void *calloc(size_t nmemb, size_t size) __attribute__((malloc));
void *realloc(void *p, size_t size);
void free(void *p);
/* align: a power of two (NULL otherwise); larger than 16 costs a split. */
void *aligned_alloc(size_t align, size_t size) __attribute__((malloc));
/* 0, or EINVAL (22) for a bad alignment, ENOMEM (12) when out of memory. */
int posix_memalign(void **out, size_t align, size_t size);
char *strdup(const char *s) __attribute__((malloc));

/*
 * Ends the guest like solo5_abort(): an ABORT line, status 255. (Hosted, this
 * is glibc's abort(): SIGABRT, which a shell reports as 134.)
 */
void abort(void) __attribute__((noreturn));

/*
 * Formatting: %d %i %u %x %X %p %s %c %% with the l, ll and z length
 * modifiers, a field width, the '-' and '0' flags, and a precision for %s
 * (%.8s, %.*s: at most that many characters). printf() writes to the
 * console and returns the number of characters produced.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* The string and a newline to the console. */
int puts(const char *s);
int putchar(int c);

#endif /* NABLA_LIB_H */
