/* platform.c: console, exit and abort, clocks, logging and solo5_yield(). */
#include "bindings.h"

static enum log_level current_level = LOG_INFO;

void log_set_level(enum log_level level)
{
    current_level = level;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    if (current_level < level)
        return;
    va_list ap;
    va_start(ap, fmt);
    (void)vprintf(fmt, ap);
    va_end(ap);
}

void solo5_console_write(const char *buf, size_t size)
{
    /* Best effort by contract; retry short writes, give up on errors. */
    while (size > 0) {
        long n = sys_write(SYS_STDOUT, buf, size);
        if (n == -SYS_EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        size -= (size_t)n;
    }
}

static void console_puts(const char *s)
{
    solo5_console_write(s, strlen(s));
}

void solo5_exit(int status)
{
    log_printf(LOG_INFO, "Solo5: solo5_exit(%d) called\n", status);
    sys_exit_group(status);
}

/*
 * Abort paths avoid printf: they may run because something is already
 * broken, so they use the shortest route to the console.
 */
void solo5_abort(void)
{
    if (current_level >= LOG_ERROR)
        console_puts("Solo5: ABORT: solo5_abort() called\n");
    sys_exit_group(SOLO5_EXIT_ABORT);
}

void spt_panic(const char *what)
{
    if (current_level >= LOG_ERROR) {
        console_puts("Solo5: ABORT: ");
        console_puts(what);
        console_puts("\n");
    }
    sys_exit_group(SOLO5_EXIT_ABORT);
}

static solo5_time_t clock_read(int clock)
{
    struct sys_timespec ts;

    if (sys_clock_gettime(clock, &ts) != 0)
        spt_panic("clock_gettime failed");
    return (solo5_time_t)ts.tv_sec * NSEC_PER_SEC + (solo5_time_t)ts.tv_nsec;
}

solo5_time_t solo5_clock_monotonic(void)
{
    return clock_read(SYS_CLOCK_MONOTONIC);
}

solo5_time_t solo5_clock_wall(void)
{
    return clock_read(SYS_CLOCK_REALTIME);
}

/*
 * The tender's epoll set holds the timerfd (data SPT_EPOLL_TIMERFD_DATA) and
 * one descriptor per attached net device (data = its handle). A deadline
 * already reached means "poll": epoll with a zero timeout, no timer.
 * Otherwise the timerfd is armed for the absolute deadline and epoll waits
 * until it or a device fires. Re-arming resets an earlier expiry, so the
 * timerfd never needs to be read (read on it is not in the filter anyway).
 */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    struct sys_epoll_event events[MFT_MAX_ENTRIES];
    solo5_handle_set_t ready = 0;
    int timeout_ms = 0;

    if (deadline > solo5_clock_monotonic()) {
        struct sys_itimerspec it = {
            .it_interval = {0, 0},
            .it_value = {(int64_t)(deadline / NSEC_PER_SEC),
                         (int64_t)(deadline % NSEC_PER_SEC)},
        };
        if (sys_timerfd_settime(spt_bi->timerfd, SYS_TFD_TIMER_ABSTIME, &it) !=
            0)
            spt_panic("timerfd_settime failed");
        timeout_ms = -1;
    }

    long n =
        sys_epoll_pwait(spt_bi->epollfd, events, MFT_MAX_ENTRIES, timeout_ms);
    /* A signal (e.g. a stop and continue) is a spurious wake-up, not fatal. */
    if (n < 0 && n != -SYS_EINTR)
        spt_panic("epoll_pwait failed");
    for (long i = 0; i < n; i++) {
        uint64_t data = events[i].data;
        if (data < MFT_MAX_ENTRIES)
            ready |= 1ull << data;
    }
    if (ready_set != NULL)
        *ready_set = ready;
}
