/* report.h: the tender's messages on stderr, "<prog>: <text>". */
#ifndef NABLA_REPORT_H
#define NABLA_REPORT_H

#include <stdbool.h>

/* Takes the program name from argv[0] (the orchestrator sets "nabla-run"). */
void report_init(const char *argv0);

/* The "<prog>" of every line (for lines composed ahead, see launch.c). */
const char *report_prog(void);

/* Prints one line "<prog>: <text>" on stderr. */
__attribute__((format(printf, 1, 2))) void report(const char *fmt, ...);

/* Turns note() on (the plan's verbose flag); off until then. */
void report_verbose(bool on);

/* Whether note() prints: lets a caller skip work done only for a note. */
bool report_is_verbose(void);

/*
 * With verbose on, prints one line like report(): a step done, or a step the
 * host refused and what was done instead (nabla-run --verbose).
 */
__attribute__((format(printf, 1, 2))) void note(const char *fmt, ...);

/*
 * Prints one line and exits with status 1. Only for use before the seccomp
 * filter is installed: printing needs syscalls the guest's filter forbids.
 */
__attribute__((format(printf, 1, 2), noreturn)) void fail(const char *fmt, ...);

#endif /* NABLA_REPORT_H */
