/* host.h: the host operations sdk/common uses, as spt's raw system calls. */
#ifndef NABLA_SDK_SPT_HOST_H
#define NABLA_SDK_SPT_HOST_H

/*
 * Each is one `syscall` instruction the tender's filter allows (with the
 * arguments docs/abi.md §5 lists), but the clock, which is a call into the
 * vDSO where nabla's tender publishes it; see core.h for the contract.
 */
#include "sys_x86_64.h"

static inline long host_read(int fd, void *buf, size_t n)
{
    return sys_read(fd, buf, n);
}

static inline long host_write(int fd, const void *buf, size_t n)
{
    return sys_write(fd, buf, n);
}

static inline long host_pread(int fd, void *buf, size_t n, uint64_t off)
{
    return sys_pread64(fd, buf, n, off);
}

static inline long host_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
    return sys_pwrite64(fd, buf, n, off);
}

/*
 * The vDSO's clock_gettime when nabla's tender published it, else the
 * system call (clock.c, docs/abi.md §4.5).
 */
long spt_clock_gettime(int clock, struct sys_timespec *ts);

static inline long host_clock_ns(int clock, uint64_t *ns)
{
    struct sys_timespec ts;
    long rc = spt_clock_gettime(clock, &ts);
    if (rc == 0)
        *ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return rc;
}

static inline long host_timer_set(int timerfd, uint64_t deadline_ns)
{
    struct sys_itimerspec it = {
        .it_interval = {0, 0},
        .it_value = {(int64_t)(deadline_ns / 1000000000ull),
                     (int64_t)(deadline_ns % 1000000000ull)},
    };
    return sys_timerfd_settime(timerfd, SYS_TFD_TIMER_ABSTIME, &it);
}

static inline long host_epoll_wait(int epfd, uint64_t *data, int max,
                                   int timeout_ms)
{
    struct sys_epoll_event events[64]; /* one per manifest entry at most */
    if (max > 64)
        max = 64;
    long n = sys_epoll_pwait(epfd, events, max, timeout_ms);
    for (long i = 0; i < n; i++)
        data[i] = events[i].data;
    return n;
}

static inline __attribute__((noreturn)) void host_exit(int status)
{
    sys_exit_group(status);
}

#endif /* NABLA_SDK_SPT_HOST_H */
