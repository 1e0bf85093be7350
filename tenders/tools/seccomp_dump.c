/* seccomp_dump.c: seccomp-dump, the BPF a running process has installed. */
/*
 * Usage: seccomp-dump PID [OUT]
 *
 * Stops PID with ptrace, asks the kernel for its first seccomp filter
 * (PTRACE_SECCOMP_GET_FILTER, index 0: the most recently installed one, the
 * only one a nabla guest has), writes the raw instructions (struct
 * sock_filter, 8 bytes each, native layout) to OUT or stdout, and lets PID
 * go. Tests use it to show that the BPF running is the BPF planned. Needs
 * CAP_SYS_ADMIN (root) and the right to ptrace PID.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <signal.h>
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
    fprintf(stderr, "usage: %s PID [OUT]\n", prog);
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
static long get_filter(pid_t pid, struct sock_filter **out)
{
    long count, again;
    struct sock_filter *insns;

    /* With a NULL buffer the kernel returns the instruction count. */
    count = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0L, NULL);
    if (count < 0) {
        fprintf(stderr, "%s: %d: cannot get seccomp filter 0: %s%s\n", prog,
                pid, strerror(errno),
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
    again = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0L, insns);
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

int main(int argc, char **argv)
{
    struct sock_filter *insns = NULL;
    long count;
    char *end;
    long lpid;
    pid_t pid;
    int status, sig = 0, out = STDOUT_FILENO, rc = 1;

    if (argc < 2 || argc > 3)
        return usage();
    errno = 0;
    lpid = strtol(argv[1], &end, 10);
    if (errno != 0 || *end != '\0' || end == argv[1] || lpid <= 0 ||
        lpid != (pid_t)lpid) {
        fprintf(stderr, "%s: invalid PID '%s'\n", prog, argv[1]);
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

    count = get_filter(pid, &insns);
    if (count >= 0) {
        if (argc == 3) {
            out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (out < 0)
                fprintf(stderr, "%s: %s: cannot open: %s\n", prog, argv[2],
                        strerror(errno));
        }
        if (out >= 0) {
            if (write_all(out, insns, (size_t)count * sizeof *insns) != 0)
                fprintf(stderr, "%s: cannot write: %s\n", prog,
                        strerror(errno));
            else
                rc = 0;
            if (out != STDOUT_FILENO && close(out) != 0) {
                fprintf(stderr, "%s: %s: cannot write: %s\n", prog, argv[2],
                        strerror(errno));
                rc = 1;
            }
        }
    }
    free(insns);
detach:
    if (ptrace(PTRACE_DETACH, pid, 0L, (long)sig) != 0) {
        fprintf(stderr, "%s: %d: cannot detach: %s\n", prog, pid,
                strerror(errno));
        rc = 1;
    }
    return rc;
}
