/* msg.h: filling a caller's message buffer on failure (common/ never prints).
 */
#ifndef NABLA_MSG_H
#define NABLA_MSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The shared code is used by the tender, by test tools and by fuzz
 * harnesses, so it reports failures as text in a buffer owned by the caller
 * and returns -1; whoever owns stderr decides how to print it.
 */
__attribute__((format(printf, 3, 4))) static inline int
nabla_msg(char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;

    if (msg != NULL && msg_size > 0) {
        va_start(ap, fmt);
        vsnprintf(msg, msg_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Big enough for every message of common/ with a long path around it. */
#define NABLA_MSG_SIZE 512

#endif /* NABLA_MSG_H */
