/* trace_options.h: syscall-trace's command line. */
#ifndef NABLA_TRACE_OPTIONS_H
#define NABLA_TRACE_OPTIONS_H

#include <stddef.h>

#include "confine.h"

struct trace_options {
    int after_seccomp;
    long timeout_ms;
    const char *out_path;
    int out_fd; /* -1: none */
    int read_filter;
    const char *argv0;
    struct confine conf; /* the CONFINEMENT options */
};

/*
 * Fills (o) from the options in argv (up to "--" or the first word that is
 * not an option) and returns the index of PROGRAM (argc when missing); -1
 * with the reason in (err) for a bad option or value.
 */
int trace_options_parse(int argc, char **argv, struct trace_options *o,
                        char *err, size_t errlen);

#endif
