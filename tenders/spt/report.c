/* report.c: the tender's messages on stderr, "<prog>: <text>". */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *prog = "nabla-spt";
static bool verbose_on;

void report_init(const char *argv0)
{
    const char *slash;

    if (argv0 == NULL || argv0[0] == '\0')
        return;
    slash = strrchr(argv0, '/');
    if (slash == NULL)
        prog = argv0;
    else if (slash[1] != '\0')
        prog = slash + 1;
}

const char *report_prog(void)
{
    return prog;
}

static void vreport(const char *fmt, va_list ap)
{
    char text[8192]; /* a 4 KiB kernel path and a message */

    /* One fprintf, so the line reaches stderr in one write. */
    vsnprintf(text, sizeof text, fmt, ap);
    fprintf(stderr, "%s: %s\n", prog, text);
}

void report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

void report_verbose(bool on)
{
    verbose_on = on;
}

bool report_is_verbose(void)
{
    return verbose_on;
}

void note(const char *fmt, ...)
{
    va_list ap;

    if (!verbose_on)
        return;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

void fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    exit(1);
}
