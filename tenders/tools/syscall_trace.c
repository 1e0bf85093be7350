/* syscall_trace.c: syscall-trace, counts the syscalls a program makes. */
/*
 * Usage: syscall-trace [--after-seccomp] [--timeout-ms N] [--read-filter]
 *          [--out FILE | --out-fd N] [--argv0 NAME] [CONFINEMENT]
 *          -- PROGRAM [ARGS...]
 * CONFINEMENT (confine.c): --confine [--user UID:GID] [--namespaces FLAGS]
 *          [--rlimit-nofile N] [--rlimit-nproc N] [--rlimit-core N]
 *          [--fds N] [--exec-only]
 *
 * Runs PROGRAM as a ptrace tracee, stopped at every syscall entry. ptrace,
 * because it needs no kernel function tracing and adds nothing to the
 * program's seccomp filter (no SECCOMP_RET_TRACE or USER_NOTIF rules): the
 * BPF that runs stays the BPF planned. Since Linux 4.8 the entry stop comes
 * before seccomp runs, so a call the filter kills is seen too.
 *
 * PROGRAM inherits every descriptor, the environment and the signal mask
 * unchanged (the tender finds its plan and devices at inherited numbers);
 * only the --out-fd descriptor is made close-on-exec. argv[0] is PROGRAM or
 * NAME. Counting starts at PROGRAM's execve. With --after-seccomp, the calls
 * up to the first successful seccomp(SECCOMP_SET_MODE_FILTER) are the
 * tender's setup, counted apart; --read-filter then reads the filter the
 * kernel holds (PTRACE_SECCOMP_GET_FILTER, needs CAP_SYS_ADMIN) into
 * "filter" (hex; else "filterError"), as no second tracer (seccomp-dump)
 * can attach. With --after-seccomp the tracee's /proc/PID/maps is read at
 * that same stop too ("maps", its text; else "mapsError"): the address space
 * the guest starts with, the tender's last stage having unmapped what it
 * does before the filter goes in. If the process dies of SIGSYS, the last call
 * it entered is the denied one. Forks and threads are not followed (the tender
 * makes none): one is refused by killing the process ("forked": true).
 *
 * With --confine, for a program that is not a guest (whose tender confines
 * itself), the child gives up before the exec what confine.c lists: the ids
 * (--user), namespaces (CLONE_NEW* FLAGS, decimal), every capability,
 * descriptors from N on (--fds, default 3), the limits given, and sets
 * no_new_privs; PROGRAM gets an empty environment, and with --exec-only it
 * is exec'd from an execute-only copy so that it stays non-dumpable. What it
 * then holds is read at its exec (inspect.c) into "confinement", with the
 * namespaces the host refused.
 *
 * One JSON object goes to FILE, descriptor N or stdout at the end:
 *   {"mechanism":"ptrace","pid":P,"afterSeccomp":true,"filterInstalled":true,
 *    "calls":{"1":12,...},"setup":{"9":3,...},"denied":[{"nr":32,
 *    "args":["0x1",...]}],"exit":{"code":0}|{"signal":"SIGSYS","number":31},
 *    "timedOut":false,"forked":false}
 * Status 0 when PROGRAM was traced to its end, whatever its own status; 2
 * with one line on stderr (and {"error":"..."} as the report, when it goes
 * to FILE or N) when this tool failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confine.h"
#include "inspect.h"
#include "trace_options.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

/* Above every x86_64 number (about 460 today). */
#define MAX_NR 1024

struct counts {
    unsigned long by_nr[MAX_NR];
    /* Beyond MAX_NR (the x32 bit) or another arch (int $0x80): no name. */
    unsigned long other;
};

static const char *prog = "syscall-trace";
static volatile pid_t tracee;
static volatile sig_atomic_t timed_out, reaped;

static struct trace_options opt = {.out_fd = -1, .conf = {.fds = 3}};

static int report_fd = -1; /* --out or --out-fd, once open */

static struct {
    struct counts calls, setup;
    int started, filter_installed, forked, exec_errno;
    int have_last; /* the last entry, for a call the filter kills */
    unsigned long long last_nr, last_args[6];
    uint32_t last_arch;
    int status;
    struct sock_filter *filter; /* --read-filter */
    long filter_len;
    int filter_errno;
    char *maps;     /* /proc/PID/maps when the filter went in */
    int maps_errno; /* why it could not be read */
    char *confined; /* --confine: inspect_process() at the exec */
} st;

static void die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\n", prog, msg);
    if (tracee > 0 && !reaped)
        kill(tracee, SIGKILL);
    /* The reader of the report learns why there is none. */
    if (report_fd >= 0) {
        for (char *p = msg; *p != '\0'; p++)
            if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
                *p = '?'; /* JSON-safe without an escaper */
        dprintf(report_fd, "{\"error\":\"%s\"}\n", msg);
    }
    exit(2);
}

static void on_alarm(int sig)
{
    (void)sig;
    /* Killing here, not in the loop, leaves no window to block forever. */
    if (!reaped) {
        timed_out = 1;
        kill(tracee, SIGKILL);
    }
}

static void count(struct counts *c, unsigned long long nr, uint32_t arch)
{
    if (arch == AUDIT_ARCH_X86_64 && nr < MAX_NR)
        c->by_nr[nr]++;
    else
        c->other++;
}

/* The seccomp filter was installed by the call this exit stop ends. */
static int installs_filter(long long rval)
{
    if (rval != 0)
        return 0;
    if (st.last_nr == SYS_seccomp)
        return st.last_args[0] == SECCOMP_SET_MODE_FILTER;
    return st.last_nr == SYS_prctl && st.last_args[0] == PR_SET_SECCOMP &&
           st.last_args[1] == SECCOMP_MODE_FILTER;
}

/* The tracee's mappings, as text, at the stop where its filter went in. */
static void read_maps(pid_t pid)
{
    char path[64];
    size_t cap = 16384, len = 0;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        st.maps_errno = errno;
        return;
    }
    st.maps = malloc(cap);
    if (st.maps == NULL)
        die("out of memory");
    for (;;) {
        ssize_t n;

        if (len + 4096 > cap) {
            char *bigger = cap >= (1u << 20) ? NULL : realloc(st.maps, cap * 2);

            if (bigger == NULL)
                die("/proc/%d/maps: more than 1 MiB", (int)pid);
            st.maps = bigger;
            cap *= 2;
        }
        n = read(fd, st.maps + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st.maps_errno = errno;
            free(st.maps);
            st.maps = NULL;
            close(fd);
            return;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    st.maps[len] = '\0';
    close(fd);
}

/* A JSON string of text: quotes, backslashes and every byte outside
 * printable ASCII escaped (as \u00XX: a path's bytes survive as Latin-1). */
static void print_json_text(FILE *f, const char *text)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Filter 0 is the most recently installed: the one this call installed. */
/* A failure (no CAP_SYS_ADMIN) is reported, not fatal: the counts stand. */
static void read_filter(pid_t pid)
{
    long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0L, NULL);

    if (n < 0) {
        st.filter_errno = errno;
        return;
    }
    st.filter = calloc((size_t)n + 1, sizeof *st.filter);
    if (st.filter == NULL)
        die("out of memory");
    if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, 0L, st.filter) != n)
        die("the installed filter changed size while being read");
    st.filter_len = n;
}

static void on_syscall_stop(pid_t pid)
{
    struct __ptrace_syscall_info info; /* glibc's name for it */

    memset(&info, 0, sizeof info);
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) < 0) {
        if (errno == ESRCH)
            return; /* killed meanwhile (timeout) */
        die("cannot read syscall information: %s", strerror(errno));
    }
    if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
        /* Before the exec it is still our own child code, not PROGRAM. */
        if (!st.started && info.entry.nr != SYS_execve &&
            info.entry.nr != SYS_execveat)
            return;
        st.started = 1;
        st.have_last = 1;
        st.last_nr = info.entry.nr;
        st.last_arch = info.arch;
        memcpy(st.last_args, info.entry.args, sizeof st.last_args);
        count(opt.after_seccomp && !st.filter_installed ? &st.setup : &st.calls,
              info.entry.nr, info.arch);
    } else if (info.op == PTRACE_SYSCALL_INFO_EXIT && st.have_last) {
        if ((st.last_nr == SYS_execve || st.last_nr == SYS_execveat) &&
            info.exit.is_error && st.exec_errno == 0)
            st.exec_errno = (int)-info.exit.rval;
        if (!st.filter_installed && installs_filter(info.exit.rval)) {
            st.filter_installed = 1;
            read_maps(pid);
            if (opt.read_filter)
                read_filter(pid);
        }
    }
}

/* A fork, vfork or clone: refused, since its calls would go uncounted. */
static void refuse_new_task(pid_t pid)
{
    unsigned long child = 0;

    st.forked = 1;
    if (ptrace(PTRACE_GETEVENTMSG, pid, 0L, &child) == 0 && child > 0)
        kill((pid_t)child, SIGKILL);
    kill(pid, SIGKILL);
}

static void trace(void)
{
    int status, first_stop = 1;
    pid_t pid;

    for (;;) {
        long resume_sig = 0;

        pid = waitpid(-1, &status, __WALL);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0 && errno == ECHILD)
            return;
        if (pid < 0)
            die("waitpid: %s", strerror(errno));
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid == tracee) {
                reaped = 1; /* its number may be reused from now on */
                st.status = status;
            }
            continue;
        }
        if (!WIFSTOPPED(status))
            continue;
        if (pid != tracee) {
            /* A refused task's first stop; it has SIGKILL pending. */
            ptrace(PTRACE_CONT, pid, 0L, 0L);
            continue;
        }
        if (first_stop) {
            /* Our child's raise(SIGSTOP): now the options can be set. */
            first_stop = 0;
            if (ptrace(PTRACE_SETOPTIONS, pid, 0L,
                       PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL |
                           PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK |
                           PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE) != 0)
                die("cannot set ptrace options: %s", strerror(errno));
        } else if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
            on_syscall_stop(pid);
        } else if (WSTOPSIG(status) == SIGTRAP && (status >> 16) != 0) {
            int event = status >> 16;
            if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
                event == PTRACE_EVENT_CLONE)
                refuse_new_task(pid);
            /* The first exec is PROGRAM's: what it starts with. */
            if (event == PTRACE_EVENT_EXEC && opt.conf.enabled &&
                st.confined == NULL &&
                (st.confined = inspect_process(pid)) == NULL)
                die("out of memory");
        } else {
            resume_sig = WSTOPSIG(status); /* the program's own signal */
        }
        if (ptrace(PTRACE_SYSCALL, pid, 0L, resume_sig) != 0 && errno != ESRCH)
            die("cannot resume %d: %s", pid, strerror(errno));
    }
}

static void print_counts(FILE *f, const char *key, const struct counts *c)
{
    const char *sep = "";

    fprintf(f, ",\"%s\":{", key);
    for (int nr = 0; nr < MAX_NR; nr++) {
        if (c->by_nr[nr] == 0)
            continue;
        fprintf(f, "%s\"%d\":%lu", sep, nr, c->by_nr[nr]);
        sep = ",";
    }
    fputc('}', f);
    if (c->other != 0)
        fprintf(f, ",\"%sOther\":%lu", key, c->other);
}

static void print_report(FILE *f, const char *refused)
{
    int sig = WIFSIGNALED(st.status) ? WTERMSIG(st.status) : 0;
    const char *abbrev = sig ? sigabbrev_np(sig) : NULL;

    fprintf(f, "{\"mechanism\":\"ptrace\",\"pid\":%d,\"afterSeccomp\":%s",
            tracee, opt.after_seccomp ? "true" : "false");
    if (opt.after_seccomp)
        fprintf(f, ",\"filterInstalled\":%s",
                st.filter_installed ? "true" : "false");
    print_counts(f, "calls", &st.calls);
    if (opt.after_seccomp)
        print_counts(f, "setup", &st.setup);
    fputs(",\"denied\":[", f);
    if (sig == SIGSYS && st.have_last) {
        fprintf(f, "{\"nr\":%llu", st.last_nr);
        if (st.last_arch != AUDIT_ARCH_X86_64)
            fprintf(f, ",\"arch\":\"0x%x\"", st.last_arch);
        fputs(",\"args\":[", f);
        for (int i = 0; i < 6; i++)
            fprintf(f, "%s\"0x%llx\"", i ? "," : "", st.last_args[i]);
        fputs("]}", f);
    }
    if (sig)
        fprintf(f, "],\"exit\":{\"signal\":\"SIG%s\",\"number\":%d}",
                abbrev ? abbrev : "UNKNOWN", sig);
    else
        fprintf(f, "],\"exit\":{\"code\":%d}", WEXITSTATUS(st.status));
    if (st.filter != NULL) {
        const unsigned char *b = (const unsigned char *)st.filter;
        fputs(",\"filter\":\"", f);
        for (size_t i = 0; i < (size_t)st.filter_len * sizeof *st.filter; i++)
            fprintf(f, "%02x", b[i]);
        fputc('"', f);
    }
    if (st.filter_errno != 0)
        fprintf(f, ",\"filterError\":\"%s\"", strerror(st.filter_errno));
    if (st.maps != NULL) {
        fputs(",\"maps\":", f);
        print_json_text(f, st.maps);
    }
    if (st.maps_errno != 0)
        fprintf(f, ",\"mapsError\":\"%s\"", strerror(st.maps_errno));
    if (opt.conf.enabled)
        fprintf(f, ",\"confinement\":{\"process\":%s,\"refused\":{%s}}",
                st.confined != NULL ? st.confined : "null", refused);
    fprintf(f, ",\"timedOut\":%s,\"forked\":%s}\n",
            timed_out ? "true" : "false", st.forked ? "true" : "false");
}

int main(int argc, char **argv)
{
    char why[1024];
    int first = trace_options_parse(argc, argv, &opt, why, sizeof why);
    int out_fd = STDOUT_FILENO, msg[2] = {-1, -1}, exec_fd = -1;
    const char *program;
    char refused[1024] = "";
    struct sigaction sa;
    FILE *out;

    if (first < 0)
        die("%s", why);
    if (first >= argc)
        die("missing PROGRAM (usage: %s [options] -- PROGRAM [ARGS...])", prog);
    program = argv[first];
    if (opt.argv0 != NULL)
        argv[first] = (char *)opt.argv0;
    /* Opened close-on-exec, and above every descriptor PROGRAM inherits. */
    if (opt.out_path != NULL) {
        out_fd =
            open(opt.out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out_fd < 0)
            die("%s: cannot open: %s", opt.out_path, strerror(errno));
        report_fd = out_fd;
    }
    if (opt.out_fd >= 0) { /* wins over --out */
        int flags = fcntl(opt.out_fd, F_GETFD);
        if (flags < 0 || fcntl(opt.out_fd, F_SETFD, flags | FD_CLOEXEC) < 0)
            die("--out-fd %d: %s", opt.out_fd, strerror(errno));
        report_fd = out_fd = opt.out_fd;
    }
    if (opt.read_filter && !opt.after_seccomp)
        die("--read-filter needs --after-seccomp");
    /* Found before the fork so the child makes exactly one execve. */
    if (strchr(program, '/') == NULL)
        die("%s: give PROGRAM as a path (no PATH search)", program);
    if (!opt.conf.enabled &&
        (opt.conf.switch_ids || opt.conf.ns != 0 || opt.conf.exec_only ||
         opt.conf.fds != 3 || opt.conf.has_limit[0] || opt.conf.has_limit[1] ||
         opt.conf.has_limit[2]))
        die("--user, --namespaces, --rlimit-*, --fds and --exec-only need "
            "--confine");
    if (opt.conf.enabled) {
        char err[512];

        if (pipe2(msg, O_CLOEXEC) != 0)
            die("pipe: %s", strerror(errno));
        if (opt.conf.exec_only &&
            (exec_fd = confine_exec_copy(program, err, sizeof err)) < 0)
            die("%s", err);
    }

    tracee = fork();
    if (tracee < 0)
        die("fork: %s", strerror(errno));
    if (tracee == 0) {
        static char *const no_environment[] = {NULL};

        /* Stop so the parent can set options before PROGRAM runs. */
        if (ptrace(PTRACE_TRACEME, 0L, 0L, 0L) != 0 || raise(SIGSTOP) != 0)
            _exit(127);
        if (!opt.conf.enabled) {
            execv(program, argv + first);
            _exit(127);
        }
        confine_child(&opt.conf, msg[1], exec_fd);
        if (exec_fd >= 0)
            syscall(SYS_execveat, exec_fd, "", argv + first, no_environment,
                    AT_EMPTY_PATH);
        else
            execve(program, argv + first, no_environment);
        _exit(127);
    }
    if (opt.conf.enabled) {
        close(msg[1]);
        if (exec_fd >= 0)
            close(exec_fd);
    }

    if (opt.timeout_ms > 0) {
        memset(&sa, 0, sizeof sa); /* no SA_RESTART: waitpid gets EINTR */
        sa.sa_handler = on_alarm;
        struct itimerval t = {
            {0, 0}, {opt.timeout_ms / 1000, (opt.timeout_ms % 1000) * 1000}};
        if (sigaction(SIGALRM, &sa, NULL) != 0 ||
            setitimer(ITIMER_REAL, &t, NULL) != 0)
            die("cannot arm the timeout: %s", strerror(errno));
    }
    trace(); /* a later SIGALRM finds `reaped` set and does nothing */
    if (!reaped)
        die("lost track of %s", program);
    if (opt.conf.enabled &&
        confine_read_messages(msg[0], refused, sizeof refused, why,
                              sizeof why) != 0)
        die("%s: cannot confine it: %s", program, why);
    if (!st.started || st.exec_errno != 0)
        die("%s: cannot execute: %s", program,
            strerror(st.exec_errno ? st.exec_errno : ENOEXEC));
    out = fdopen(out_fd, "w");
    if (out == NULL)
        die("cannot write the report: %s", strerror(errno));
    print_report(out, refused);
    if (fclose(out) != 0)
        die("cannot write the report: %s", strerror(errno));
    return 0;
}
