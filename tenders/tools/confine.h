/* confine.h: the privileges syscall-trace's child gives up before exec. */
#ifndef NABLA_CONFINE_H
#define NABLA_CONFINE_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

/*
 * Decided by the orchestrator (src/audit/hosted.ts) and carried out
 * here, for a program that is not a guest (a guest's tender confines itself).
 */
struct confine {
    bool enabled;      /* --confine: no_new_privs, no capabilities, no env */
    bool switch_ids;   /* --user UID:GID given */
    uid_t uid;         /* with switch_ids */
    gid_t gid;         /* with switch_ids */
    unsigned long ns;  /* CLONE_NEW* flags to unshare where the host allows */
    bool has_limit[3]; /* RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE given */
    rlim_t limit[3];
    int fds;        /* descriptors 0 .. fds-1 are kept; the rest closed */
    bool exec_only; /* exec an execute-only copy, so it stays non-dumpable */
};

/* The limits, in the order of confine.limit[]. */
enum { CONFINE_NOFILE, CONFINE_NPROC, CONFINE_CORE };

/*
 * In the parent, before the fork: a sealed, execute-only memfd copy of
 * (program) to exec instead of it, or -1 with (err) filled in.
 */
int confine_exec_copy(const char *program, char *err, size_t errlen);

/*
 * In the child, after PTRACE_TRACEME and before the exec: gives up what (c)
 * says, in the one order that works. Each namespace the host refuses is one
 * line "R NAME ERRNO" on (msg_fd); a step that fails writes "E MESSAGE" and
 * ends the child with status 126. Keeps (msg_fd) and (exec_fd) open (both
 * close-on-exec) besides descriptors 0 .. c->fds-1.
 */
void confine_child(const struct confine *c, int msg_fd, int exec_fd);

/*
 * In the parent, once the child is gone: reads its lines from (fd) and
 * closes it. Puts the refused namespaces as JSON members ("net":"strerror")
 * into (refused); -1 with the child's error message in (err) when a step
 * failed.
 */
int confine_read_messages(int fd, char *refused, size_t len, char *err,
                          size_t errlen);

#endif
