/* platform.c: console, exit and abort, clocks, logging and solo5_yield(). */
#include "core.h"

struct sdk_host sdk_host;

static enum log_level current_level = LOG_INFO;

void log_set_level(enum log_level level)
{
    current_level = level;
}

bool log_enabled(enum log_level level)
{
    return current_level >= level;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    va_list ap;
    va_start(ap, fmt);
    (void)vprintf(fmt, ap);
    va_end(ap);
}

bool sdk_isspace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/*
 * Whole words only; like upstream, parsing stops at the first word that is
 * not one of these options.
 */
const char *cmdline_apply_options(const char *p)
{
    static const struct {
        const char *word;
        enum log_level level;
    } opts[] = {
        {"--solo5:quiet", LOG_QUIET}, {"--solo5:error", LOG_ERROR},
        {"--solo5:warn", LOG_WARN},   {"--solo5:info", LOG_INFO},
        {"--solo5:debug", LOG_DEBUG},
    };

    while (sdk_isspace(*p))
        p++;
    for (;;) {
        bool matched = false;
        for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
            size_t n = strlen(opts[i].word);
            if (strncmp(p, opts[i].word, n) == 0 &&
                (p[n] == '\0' || sdk_isspace(p[n]))) {
                log_set_level(opts[i].level);
                p += n;
                matched = true;
                break;
            }
        }
        if (!matched)
            return p;
        while (sdk_isspace(*p))
            p++;
    }
}

void solo5_console_write(const char *buf, size_t size)
{
    /* Best effort by contract; retry short writes, give up on errors. */
    while (size > 0) {
        long n = host_write(1, buf, size);
        if (n == -HOST_EINTR)
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
    host_exit(status);
}

/*
 * Abort paths avoid printf: they may run because something is already
 * broken (a smashed stack, a corrupt heap), so they take the shortest route
 * to the console. Like upstream, the line is an error-level message, so
 * --solo5:quiet silences it; the status (255) still tells.
 */
void sdk_panic(const char *what)
{
    if (log_enabled(LOG_ERROR)) {
        console_puts("Solo5: ABORT: ");
        console_puts(what);
        console_puts("\n");
    }
    host_exit(SOLO5_EXIT_ABORT);
}

void solo5_abort(void)
{
    sdk_panic("solo5_abort() called");
}

static solo5_time_t clock_read(int clock)
{
    uint64_t ns;

    if (host_clock_ns(clock, &ns) != 0)
        sdk_panic("clock_gettime failed");
    return ns;
}

solo5_time_t solo5_clock_monotonic(void)
{
    return clock_read(HOST_CLOCK_MONOTONIC);
}

solo5_time_t solo5_clock_wall(void)
{
    return clock_read(HOST_CLOCK_REALTIME);
}

/*
 * The epoll set holds the timerfd (data SPT_EPOLL_TIMERFD_DATA) and one
 * descriptor per attached net device (data = its handle). A deadline
 * already reached means "poll": epoll with a zero timeout, no timer.
 * Otherwise the timerfd is armed for the absolute deadline (on the
 * monotonic clock, the one solo5_clock_monotonic() reads) and epoll waits
 * until it or a device fires. Re-arming resets an earlier expiry, so the
 * timerfd never needs to be read (read on it is not in spt's filter).
 */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    uint64_t data[MFT_MAX_ENTRIES];
    solo5_handle_set_t ready = 0;
    int timeout_ms = 0;

    if (deadline > solo5_clock_monotonic()) {
        if (host_timer_set(sdk_host.timerfd, deadline) != 0)
            sdk_panic("timerfd_settime failed");
        timeout_ms = -1;
    }

    /*
     * A signal (a stop and continue, say) interrupts the wait without
     * changing what it waits for: the timer stays armed, so wait again
     * rather than return early with nothing ready.
     */
    long n;
    do
        n = host_epoll_wait(sdk_host.epollfd, data, MFT_MAX_ENTRIES,
                            timeout_ms);
    while (n == -HOST_EINTR);
    if (n < 0)
        sdk_panic("epoll_pwait failed");
    for (long i = 0; i < n; i++)
        if (data[i] < MFT_MAX_ENTRIES)
            ready |= 1ull << data[i];
    if (ready_set != NULL)
        *ready_set = ready;
}
