/* sys_x86_64.h: raw Linux x86_64 system calls, the only hypercalls spt has. */
#ifndef NABLA_SDK_SYS_X86_64_H
#define NABLA_SDK_SYS_X86_64_H

/*
 * The guest has no libc: every host service is one `syscall` instruction
 * (but the clock, which clock.c reads through the vDSO when nabla's tender
 * publishes it, and which falls back to sys_clock_gettime). The tender's
 * seccomp filter allows exactly the calls below, each only with the arguments
 * docs/abi.md §5 lists; anything else kills the process. Return values follow
 * the kernel convention: >= 0 on success, -errno on failure.
 */
#include <stddef.h>
#include <stdint.h>

#define SYS_read 0
#define SYS_write 1
#define SYS_pread64 17
#define SYS_pwrite64 18
#define SYS_arch_prctl 158
#define SYS_clock_gettime 228
#define SYS_exit_group 231
#define SYS_epoll_pwait 281
#define SYS_timerfd_settime 286

#define SYS_STDOUT 1
#define SYS_CLOCK_REALTIME 0
#define SYS_CLOCK_MONOTONIC 1
#define SYS_TFD_TIMER_ABSTIME 1
#define SYS_ARCH_SET_FS 0x1002
#define SYS_EAGAIN 11
#define SYS_EINTR 4
/* The kernel's sigset_t is 64 bits; passed even with a NULL mask. */
#define SYS_SIGSETSIZE 8

struct sys_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

struct sys_itimerspec {
    struct sys_timespec it_interval;
    struct sys_timespec it_value;
};

/* x86_64 is the one architecture where the kernel packs this to 12 bytes. */
struct sys_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

/* The kernel clobbers %rcx (return address) and %r11 (flags). */
static inline long sys_call1(long n, long a1)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_call2(long n, long a1, long a2)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_call3(long n, long a1, long a2, long a3)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_call4(long n, long a1, long a2, long a3, long a4)
{
    long ret;
    register long r10 __asm__("r10") = a4;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_call6(long n, long a1, long a2, long a3, long a4,
                             long a5, long a6)
{
    long ret;
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long sys_read(int fd, void *buf, size_t n)
{
    return sys_call3(SYS_read, fd, (long)buf, (long)n);
}

static inline long sys_write(int fd, const void *buf, size_t n)
{
    return sys_call3(SYS_write, fd, (long)buf, (long)n);
}

static inline long sys_pread64(int fd, void *buf, size_t n, uint64_t off)
{
    return sys_call4(SYS_pread64, fd, (long)buf, (long)n, (long)off);
}

static inline long sys_pwrite64(int fd, const void *buf, size_t n, uint64_t off)
{
    return sys_call4(SYS_pwrite64, fd, (long)buf, (long)n, (long)off);
}

static inline long sys_arch_prctl(int code, uintptr_t addr)
{
    return sys_call2(SYS_arch_prctl, code, (long)addr);
}

static inline long sys_clock_gettime(int clock, struct sys_timespec *ts)
{
    return sys_call2(SYS_clock_gettime, clock, (long)ts);
}

static inline __attribute__((noreturn)) void sys_exit_group(int status)
{
    for (;;)
        (void)sys_call1(SYS_exit_group, status);
}

static inline long sys_epoll_pwait(int epfd, struct sys_epoll_event *events,
                                   int maxevents, int timeout_ms)
{
    return sys_call6(SYS_epoll_pwait, epfd, (long)events, maxevents, timeout_ms,
                     0, SYS_SIGSETSIZE);
}

static inline long sys_timerfd_settime(int fd, int flags,
                                       const struct sys_itimerspec *new_value)
{
    return sys_call4(SYS_timerfd_settime, fd, flags, (long)new_value, 0);
}

#endif /* NABLA_SDK_SYS_X86_64_H */
