/* seccomp_dump.c: seccomp-dump, the BPF a running process has installed. */
/*
 * Usage: seccomp-dump [--all] PID [OUT]
 *
 * Stops PID with ptrace, asks the kernel for its first seccomp filter
 * (PTRACE_SECCOMP_GET_FILTER, index 0: the oldest of the stack, as the
 * kernel's get_nth_filter counts; a nabla guest has only one), writes the raw
 * instructions (struct sock_filter, 8 bytes each, native layout) to OUT or
 * stdout, and lets PID go. Tests use it to show that the BPF running is the BPF
 * planned. Needs CAP_SYS_ADMIN (root) and the right to ptrace PID.
 *
 * With --all it writes every filter of the stack (index 0, 1, ..., oldest
 * first, until the kernel says there is none), each as its instruction count
 * (uint32, native) followed by its instructions: the audit reads other
 * sandboxes' stacks so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

static const char *prog = "seccomp-dump";

static int usage(void)
{
    fprintf(stderr, "usage: %s [--all] PID [OUT]\n", prog);
    return 1;
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Reads filter 0 of a stopped tracee into a new buffer. Returns the number
 * of instructions, or -1 after printing why.
 */
static long get_filter(pid_t pid, long index, struct sock_filter **out)
{
    long count, again;
    struct sock_filter *insns;

    /* With a NULL buffer the kernel returns the instruction count. */
    count = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, index, NULL);
    if (count < 0 && index > 0 && errno == ENOENT)
        return 0; /* past the oldest filter of the stack */
    if (count < 0) {
        fprintf(stderr, "%s: %d: cannot get seccomp filter %ld: %s%s\n", prog,
                pid, index, strerror(errno),
                errno == ENOENT                     ? " (no filter installed)"
                : errno == EACCES || errno == EPERM ? " (needs CAP_SYS_ADMIN)"
                                                    : "");
        return -1;
    }
    insns = calloc((size_t)count + 1, sizeof *insns);
    if (insns == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return -1;
    }
    again = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, index, insns);
    if (again != count) {
        fprintf(stderr,
                "%s: %d: filter changed size while reading (%ld, %ld)\n", prog,
                pid, count, again);
        free(insns);
        return -1;
    }
    *out = insns;
    return count;
}

/*
 * Writes filter 0 (or, with all, every filter, each after its count) of a
 * stopped tracee to path or stdout. Returns 0, or 1 after printing why.
 */
static int dump(pid_t pid, int all, const char *path)
{
    struct sock_filter *insns = NULL;
    long count, index = 0;
    int out = STDOUT_FILENO, rc = 0;

    if (path != NULL) {
        out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0) {
            fprintf(stderr, "%s: %s: cannot open: %s\n", prog, path,
                    strerror(errno));
            return 1;
        }
    }
    do {
        count = get_filter(pid, index, &insns);
        if (count <= 0) {
            rc = count < 0;
            break;
        }
        uint32_t n = (uint32_t)count;
        if ((all && write_all(out, &n, sizeof n) != 0) ||
            write_all(out, insns, (size_t)count * sizeof *insns) != 0) {
            fprintf(stderr, "%s: cannot write: %s\n", prog, strerror(errno));
            rc = 1;
        }
        free(insns);
        insns = NULL;
        index++;
    } while (all && rc == 0);
    if (out != STDOUT_FILENO && close(out) != 0) {
        fprintf(stderr, "%s: %s: cannot write: %s\n", prog, path,
                strerror(errno));
        rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    char *end;
    long lpid;
    pid_t pid;
    int status, sig = 0, rc = 1, all, first;

    all = argc > 1 && strcmp(argv[1], "--all") == 0;
    first = all ? 2 : 1;
    if (argc - first < 1 || argc - first > 2)
        return usage();
    errno = 0;
    lpid = strtol(argv[first], &end, 10);
    if (errno != 0 || *end != '\0' || end == argv[first] || lpid <= 0 ||
        lpid != (pid_t)lpid) {
        fprintf(stderr, "%s: invalid PID '%s'\n", prog, argv[first]);
        return usage();
    }
    pid = (pid_t)lpid;

    /* SEIZE + INTERRUPT stops the tracee without sending it a SIGSTOP. */
    if (ptrace(PTRACE_SEIZE, pid, 0L, 0L) != 0) {
        fprintf(stderr, "%s: %d: cannot attach: %s\n", prog, pid,
                strerror(errno));
        return 1;
    }
    if (ptrace(PTRACE_INTERRUPT, pid, 0L, 0L) != 0) {
        fprintf(stderr, "%s: %d: cannot stop: %s\n", prog, pid,
                strerror(errno));
        goto detach;
    }
    if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status)) {
        fprintf(stderr, "%s: %d: did not stop (it may have exited)\n", prog,
                pid);
        return 1;
    }
    /*
     * A signal may have been about to be delivered when we stopped it; that
     * stop is a signal-delivery-stop and the signal must go back on detach.
     */
    if ((status >> 16) != PTRACE_EVENT_STOP)
        sig = WSTOPSIG(status);

    rc = dump(pid, all, argc - first == 2 ? argv[first + 1] : NULL);
detach:
    if (ptrace(PTRACE_DETACH, pid, 0L, (long)sig) != 0) {
        fprintf(stderr, "%s: %d: cannot detach: %s\n", prog, pid,
                strerror(errno));
        rc = 1;
    }
    return rc;
}
