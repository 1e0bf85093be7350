/* host.h: the host operations sdk/common uses, as glibc calls (hosted). */
#ifndef NABLA_SDK_HOSTED_HOST_H
#define NABLA_SDK_HOSTED_HOST_H

/*
 * The same operations spt makes as raw system calls, here through libc,
 * converted to the raw calls' convention (-errno on failure) that
 * sdk/common expects. See core.h for the list.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

_Static_assert(EINTR == HOST_EINTR && EAGAIN == HOST_EAGAIN,
               "errno values as core.h has them");
_Static_assert(CLOCK_REALTIME == HOST_CLOCK_REALTIME &&
                   CLOCK_MONOTONIC == HOST_CLOCK_MONOTONIC,
               "clock ids as core.h has them");

static inline long host_result(long rc)
{
    return rc < 0 ? -(long)errno : rc;
}

static inline long host_read(int fd, void *buf, size_t n)
{
    return host_result(read(fd, buf, n));
}

static inline long host_write(int fd, const void *buf, size_t n)
{
    return host_result(write(fd, buf, n));
}

static inline long host_pread(int fd, void *buf, size_t n, uint64_t off)
{
    return host_result(pread(fd, buf, n, (off_t)off));
}

static inline long host_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
    return host_result(pwrite(fd, buf, n, (off_t)off));
}

static inline long host_clock_ns(int clock, uint64_t *ns)
{
    struct timespec ts;
    long rc = host_result(clock_gettime(clock, &ts));
    if (rc == 0)
        *ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return rc;
}

static inline long host_timer_set(int timerfd, uint64_t deadline_ns)
{
    struct itimerspec it = {
        .it_interval = {0, 0},
        .it_value = {(time_t)(deadline_ns / 1000000000ull),
                     (long)(deadline_ns % 1000000000ull)},
    };
    return host_result(timerfd_settime(timerfd, TFD_TIMER_ABSTIME, &it, NULL));
}

static inline long host_epoll_wait(int epfd, uint64_t *data, int max,
                                   int timeout_ms)
{
    struct epoll_event events[64]; /* one per manifest entry at most */
    if (max > 64)
        max = 64;
    long n = host_result(epoll_wait(epfd, events, max, timeout_ms));
    for (long i = 0; i < n; i++)
        data[i] = events[i].data.u64;
    return n;
}

/* exit(), not _exit(): a normal process's end, stdio flushed. */
static inline __attribute__((noreturn)) void host_exit(int status)
{
    exit(status);
}

#endif /* NABLA_SDK_HOSTED_HOST_H */
