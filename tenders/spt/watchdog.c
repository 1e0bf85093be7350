/* watchdog.c: nabla-run --timeout: a child that kills the guest in time. */
/*
 * nabla-run execs the tender, so no Node process is left to keep time, and
 * the guest keeps none of its own: it cannot handle a signal and its filter
 * allows no timer but the timerfd it sleeps on. So, for a plan with a
 * timeout, the tender forks once. The parent goes on to become the guest:
 * it stays the process nabla-run was, with its pid, and its status is the
 * one the shell sees. The child, the watchdog, waits on a pidfd of the
 * guest; if the guest ends first the watchdog exits quietly; if the time
 * is up it prints "guest timed out after N s" and kills the guest with
 * SIGKILL, so the shell sees 137 (128 + SIGKILL).
 *
 * The watchdog is forked after the guest's ids, namespaces and capabilities
 * are final, so it holds no more than the guest, and before guest memory is
 * mapped, so it copies little. It keeps only stderr. As a backstop for a
 * watchdog that was itself killed, the guest arms ITIMER_REAL one second
 * after the deadline: the guest cannot catch or block SIGALRM, so it ends
 * (status 142, without the message). The timer does not survive fork, so
 * the watchdog never gets it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "watchdog.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Without a pidfd (Linux < 5.3), how often to look for the guest. */
#define POLL_STEP_MS 100
/* How long after the deadline the guest's own timer ends it. */
#define BACKSTOP_MS 1000

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "2", "1.5", "0.25": milliseconds as seconds, no trailing zeros. */
static void seconds_text(uint64_t ms, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);

    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
}

/* Waits until the deadline; returns 1 if the guest ended first. */
static int wait_for_guest(pid_t guest, int pidfd, uint64_t deadline)
{
    for (;;) {
        uint64_t now = now_ms();
        uint64_t left = deadline > now ? deadline - now : 0;
        struct pollfd p = {pidfd, POLLIN, 0};
        int step;

        if (left == 0)
            return 0;
        if (pidfd < 0) {
            /* Orphaned: the guest is gone and we have a new parent. */
            if (getppid() != guest)
                return 1;
            step = left < POLL_STEP_MS ? (int)left : POLL_STEP_MS;
            usleep((useconds_t)step * 1000);
            continue;
        }
        step = left > INT32_MAX ? INT32_MAX : (int)left;
        if (poll(&p, 1, step) > 0)
            return 1; /* the pidfd is readable once the guest has exited */
    }
}

static void __attribute__((noreturn))
watch(pid_t guest, uint64_t deadline, const char *text)
{
    int pidfd;
    const int quiet[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

    (void)prctl(PR_SET_NAME, "nabla-watchdog", 0, 0, 0);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /*
     * Not the console: a reader waits for every writer of stdout to close.
     * Signals meant for the job (Ctrl-C, a hangup) end the guest, and then
     * the watchdog; ignoring them keeps it from ending first.
     */
    close(0);
    close(1);
    (void)close_range(3, ~0u, 0);
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        signal(quiet[i], SIG_IGN);

    pidfd = (int)syscall(SYS_pidfd_open, guest, 0);
    /* A pidfd of a pid that was already reused would watch a stranger. */
    if (getppid() != guest)
        _exit(0);
    if (wait_for_guest(guest, pidfd, deadline))
        _exit(0);
    report("guest timed out after %s s", text);
    if (pidfd < 0 || syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0))
        if (getppid() == guest)
            kill(guest, SIGKILL);
    _exit(0);
}

void watchdog_start(const struct plan *plan)
{
    uint64_t ms = plan->hdr->timeout_ms;
    uint64_t deadline = now_ms() + ms;
    uint64_t backstop = ms + BACKSTOP_MS;
    struct itimerval it;
    char text[32];
    pid_t guest = getpid();
    pid_t pid;

    if (ms == 0)
        return;
    seconds_text(ms, text, sizeof text);
    pid = fork();
    if (pid < 0)
        fail("cannot start the timeout watchdog: %s", strerror(errno));
    if (pid == 0)
        watch(guest, deadline, text);

    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)(backstop / 1000);
    it.it_value.tv_usec = (suseconds_t)(backstop % 1000) * 1000;
    if (setitimer(ITIMER_REAL, &it, NULL) != 0)
        fail("cannot arm the timeout backstop: %s", strerror(errno));
    note("timeout: the watchdog (pid %d) kills the guest after %s s "
         "(SIGKILL, status 137); SIGALRM 1 s later if it cannot",
         pid, text);
}
