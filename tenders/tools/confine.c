/* confine.c: syscall-trace's child gives up ids, namespaces, capabilities and
 * more before exec. */
/*
 * What a guest's tender does for itself (tenders/spt/privilege.c,
 * proc_limits.c), done here for a program that is exec'd: the hosted build
 * `nabla audit` compares the guest with. The steps (a) to (e) share their
 * code with the tender (tenders/common/privdrop.c). The order, and why:
 *
 *  a. Namespaces other than the user namespace, while CAP_SYS_ADMIN is ours
 *     (started as root): so they exist even where unprivileged user
 *     namespaces are refused.
 *  b. Empty the ambient and bounding sets: dropping from the bounding set
 *     needs CAP_SETPCAP, which (c) takes away.
 *  c. Supplementary groups, gid, then uid (setresuid to a non-root uid
 *     clears every capability; setgroups and setresgid need them first).
 *  d. The user namespace, as the target user, mapping only our own ids (the
 *     one map an unprivileged process may write), through /proc/self, which
 *     a non-dumpable process cannot write: dumpable for those writes only.
 *  e. In a new user namespace every capability is back: (b) again, then
 *     capset clears effective, permitted and inheritable; read back.
 *  f. Every descriptor but 0 .. fds-1 (stdio, then the devices the caller
 *     placed) and our two close-on-exec ones.
 *  g. Resource limits, soft and hard, after the id switch: RLIMIT_NPROC is
 *     checked by setresuid against the new user, and 0 there would flag
 *     the process so that the exec fails.
 *  h. no_new_privs: no setuid bit or file capability can give anything back.
 *
 * The environment is emptied by the exec itself (syscall_trace.c). The
 * tracer is attached (PTRACE_TRACEME) before all this and stays so: a tracer
 * keeps its tracee across id switches and namespaces. The calls made here
 * come before the program's exec, where counting starts, so no report
 * includes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "confine.h"
#include "msg.h"
#include "privdrop.h"

static int msg_fd = -1;

static void failf(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    dprintf(msg_fd, "E %s\n", text);
    _exit(126);
}

/* The namespaces created so far, and why the host refused each. */
static struct privdrop_ns ns;

/* (b): the ambient set, then every capability the kernel knows. */
static void bounding_and_ambient(void)
{
    int err = privdrop_ambient_clear();

    if (err != 0)
        failf("cannot clear the ambient capabilities: %s", strerror(err));
    /* Without CAP_SETPCAP (not root, no user namespace) they stay: the
     * report shows what is left. */
    (void)privdrop_bounding_clear();
}

/* (c): checked, since a half switch must not go on. */
static void ids_switch(uid_t uid, gid_t gid)
{
    char msg[NABLA_MSG_SIZE];

    if (setgroups(0, NULL) != 0)
        failf("cannot clear the supplementary groups: %s", strerror(errno));
    if (privdrop_ids_switch(uid, gid, msg, sizeof msg) != 0)
        failf("%s", msg);
}

/* (d): our ids mapped to themselves; setgroups denied first, as required. */
static void ns_map_ids(uid_t uid, gid_t gid)
{
    char msg[NABLA_MSG_SIZE];

    if (privdrop_map_ids(uid, gid, msg, sizeof msg) != 0)
        failf("%s", msg);
}

/* (e): how clearing the capabilities (and reading them back) may fail. */
static const struct privdrop_caps_words CAPS_WORDS = {
    "cannot clear the capabilities",
    "cannot read the capabilities back",
    "capabilities are still set after clearing them",
};

/* Closes [from, to] (to may be ~0u), by close_range or one by one. */
static void close_span(unsigned from, unsigned to)
{
    if (from > to || close_range(from, to, 0) == 0)
        return;
    /* Before Linux 5.9: every number up to the descriptor limit. */
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = from; fd < (max > 0 ? max : 65536) && fd <= (long)to; fd++)
        close((int)fd);
}

/* (f): all but 0 .. keep-1 and the two given (which close on exec). */
static void close_others(int keep, int a, int b)
{
    unsigned from = (unsigned)keep;
    int lo = a < b ? a : b, hi = a < b ? b : a;

    if (lo >= keep) {
        close_span(from, (unsigned)lo - 1);
        from = (unsigned)lo + 1;
    }
    if (hi >= keep && hi != lo) {
        close_span(from, (unsigned)hi - 1);
        from = (unsigned)hi + 1;
    }
    close_span(from, ~0u);
}

static const struct {
    int resource;
    const char *name;
} LIMITS[] = {{RLIMIT_NOFILE, "RLIMIT_NOFILE"},
              {RLIMIT_NPROC, "RLIMIT_NPROC"},
              {RLIMIT_CORE, "RLIMIT_CORE"}};

/* (g): soft and hard, so nothing can raise them again. */
static void limits_apply(const struct confine *c)
{
    for (int i = 0; i < 3; i++) {
        struct rlimit rl = {c->limit[i], c->limit[i]}, now;
        if (!c->has_limit[i] || setrlimit(LIMITS[i].resource, &rl) == 0)
            continue;
        /* Only raising one above its hard limit (a core size) is refused:
         * then keep the hard limit, the most allowed. */
        if (errno == EPERM && getrlimit(LIMITS[i].resource, &now) == 0 &&
            c->limit[i] > now.rlim_max) {
            rl.rlim_cur = rl.rlim_max = now.rlim_max;
            if (setrlimit(LIMITS[i].resource, &rl) == 0)
                continue;
        }
        failf("cannot set %s to %llu: %s", LIMITS[i].name,
              (unsigned long long)c->limit[i], strerror(errno));
    }
}

void confine_child(const struct confine *c, int msgfd, int exec_fd)
{
    char msg[NABLA_MSG_SIZE];

    msg_fd = msgfd;
    /* (a) */
    if (privdrop_has_effective(CAP_SYS_ADMIN))
        privdrop_ns_try(&ns, c->ns & ~(unsigned long)CLONE_NEWUSER);
    /* (b) */
    bounding_and_ambient();
    /* (c) Without a switch, groups go only where the host lets us. */
    if (c->switch_ids)
        ids_switch(c->uid, c->gid);
    else
        (void)setgroups(0, NULL);
    /* (d) */
    {
        uid_t uid = geteuid();
        gid_t gid = getegid();

        privdrop_ns_try(&ns, c->ns & ~ns.done);
        if (ns.done & CLONE_NEWUSER)
            ns_map_ids(uid, gid);
        for (size_t i = 0; i < PRIVDROP_NS_COUNT; i++)
            if ((c->ns & PRIVDROP_NS[i].flag) &&
                !(ns.done & PRIVDROP_NS[i].flag))
                dprintf(msg_fd, "R %s %d\n", PRIVDROP_NS[i].name, ns.err[i]);
    }
    /* (e) */
    if (ns.done & CLONE_NEWUSER)
        bounding_and_ambient();
    if (privdrop_caps_clear(&CAPS_WORDS, msg, sizeof msg) != 0)
        failf("%s", msg);
    /* (f) */
    close_others(c->fds, msg_fd, exec_fd);
    /* (g) */
    limits_apply(c);
    /* (h) */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        failf("cannot set no_new_privs: %s", strerror(errno));
}

int confine_read_messages(int fd, char *refused, size_t len, char *err,
                          size_t errlen)
{
    char buf[4096], *save = NULL;
    size_t got = 0, used = 0;
    ssize_t n;

    while (got < sizeof buf - 1 &&
           (n = read(fd, buf + got, sizeof buf - 1 - got)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fd);
    refused[0] = '\0';
    for (char *line = strtok_r(buf, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char name[16];
        int e;

        if (line[0] == 'E' && line[1] == ' ') {
            snprintf(err, errlen, "%s", line + 2);
            return -1;
        }
        if (sscanf(line, "R %15[a-z] %d", name, &e) == 2 && used < len)
            used +=
                (size_t)snprintf(refused + used, len - used, "%s\"%s\":\"%s\"",
                                 used ? "," : "", name, strerror(e));
    }
    return 0;
}
