/* trace_options.c: syscall-trace's command line, including the confinement the
 * orchestrator decided. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_options.h"

#define USAGE                                                                  \
    "[--after-seccomp] [--timeout-ms N] [--out FILE] [--out-fd N] "            \
    "[--read-filter] [--argv0 NAME] [--confine [--user UID:GID] "              \
    "[--namespaces FLAGS] [--rlimit-nofile N] [--rlimit-nproc N] "             \
    "[--rlimit-core N] [--fds N] [--exec-only]] -- PROGRAM [ARGS...]"

static char *error;
static size_t error_len;

/* A decimal in 0..max; false with the message in `error` otherwise. */
static bool number(const char *s, const char *what, long long max,
                   long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' || v > max) {
        snprintf(error, error_len, "invalid %s '%s' (expected 0-%lld)", what, s,
                 max);
        return false;
    }
    *out = v;
    return true;
}

/* --user UID:GID, each below (uid_t)-1, which means "unchanged". */
static bool ids(const char *value, struct confine *c)
{
    char uid[16];
    const char *colon = strchr(value, ':');
    long long u, g;

    if (colon == NULL || (size_t)(colon - value) >= sizeof uid) {
        snprintf(error, error_len, "invalid --user '%s' (expected UID:GID)",
                 value);
        return false;
    }
    memcpy(uid, value, (size_t)(colon - value));
    uid[colon - value] = '\0';
    if (!number(uid, "--user uid", 4294967294LL, &u) ||
        !number(colon + 1, "--user gid", 4294967294LL, &g))
        return false;
    c->uid = (uid_t)u;
    c->gid = (gid_t)g;
    c->switch_ids = true;
    return true;
}

/* One option with a value; 1 taken, 0 not one of these, -1 bad value. */
static int valued(const char *a, const char *value, struct trace_options *o)
{
    static const char *const limits[] = {"--rlimit-nofile", "--rlimit-nproc",
                                         "--rlimit-core"};
    struct confine *c = &o->conf;
    long long v = 0;
    bool ok = true;

    if (strcmp(a, "--timeout-ms") == 0) {
        ok = number(value, a, 86400000, &v);
        o->timeout_ms = (long)v;
    } else if (strcmp(a, "--out") == 0) {
        o->out_path = value;
    } else if (strcmp(a, "--out-fd") == 0) {
        ok = number(value, a, 1 << 20, &v);
        o->out_fd = (int)v;
    } else if (strcmp(a, "--argv0") == 0) {
        o->argv0 = value;
    } else if (strcmp(a, "--user") == 0) {
        ok = ids(value, c);
    } else if (strcmp(a, "--namespaces") == 0) {
        ok = number(value, a, 0x7fffffff, &v);
        c->ns = (unsigned long)v;
    } else if (strcmp(a, "--fds") == 0) {
        ok = number(value, a, 1 << 20, &v);
        c->fds = (int)v;
    } else {
        int k = 0;
        while (k < 3 && strcmp(a, limits[k]) != 0)
            k++;
        if (k == 3)
            return 0;
        c->has_limit[k] = true;
        if (strcmp(value, "unlimited") == 0) {
            c->limit[k] = RLIM_INFINITY;
        } else {
            ok = number(value, a, 0x7fffffffffffffffLL, &v);
            c->limit[k] = (rlim_t)v;
        }
    }
    return ok ? 1 : -1;
}

int trace_options_parse(int argc, char **argv, struct trace_options *o,
                        char *err, size_t errlen)
{
    int i;

    error = err;
    error_len = errlen;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken = 0;

        if (strcmp(a, "--") == 0)
            return i + 1;
        if (a[0] != '-')
            return i;
        if (strcmp(a, "--after-seccomp") == 0) {
            o->after_seccomp = 1;
            taken = 1;
        } else if (strcmp(a, "--read-filter") == 0) {
            o->read_filter = 1;
            taken = 1;
        } else if (strcmp(a, "--confine") == 0) {
            o->conf.enabled = true;
            taken = 1;
        } else if (strcmp(a, "--exec-only") == 0) {
            o->conf.exec_only = true;
            taken = 1;
        } else if (i + 1 < argc && (taken = valued(a, argv[i + 1], o)) == 1) {
            i++;
        }
        if (taken < 0)
            return -1;
        if (taken == 0) {
            snprintf(err, errlen,
                     "invalid option '%s' (usage: syscall-trace %s)", a, USAGE);
            return -1;
        }
    }
    return i;
}
