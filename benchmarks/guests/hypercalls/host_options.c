/* host_options.c: syscalls=spt and seccomp=PATH: hosted-build controls. */
#if __STDC_HOSTED__
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "host_options.h"

#include <stdbool.h>
#include <stdint.h>

static bool option_is(const char *w, size_t n, const char *s, size_t len)
{
    return n == len && __builtin_memcmp(w, s, len) == 0;
}
#define OPTION_IS(w, n, s) option_is(w, n, s, sizeof(s) - 1)
#define HAS_PREFIX(w, n, s)                                                    \
    ((n) > sizeof(s) - 1 && __builtin_memcmp(w, s, sizeof(s) - 1) == 0)

#if __STDC_HOSTED__

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static bool spt_syscalls;

/*
 * These definitions interpose glibc's for the whole executable: the SDK's
 * hosted host.h calls clock_gettime() and epoll_wait(), and the link binds
 * those calls here, ahead of libc.so. With syscalls=spt they make the very
 * system calls an spt guest makes; otherwise they hand over to glibc's.
 */
int clock_gettime(clockid_t clock, struct timespec *ts)
{
    static int (*libc_clock_gettime)(clockid_t, struct timespec *);

    if (spt_syscalls)
        return (int)syscall(SYS_clock_gettime, clock, ts);
    if (libc_clock_gettime == NULL)
        libc_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(
            RTLD_NEXT, "clock_gettime");
    return libc_clock_gettime(clock, ts);
}

int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout)
{
    static int (*libc_epoll_wait)(int, struct epoll_event *, int, int);

    if (spt_syscalls)
        return epoll_pwait(epfd, events, max, timeout, NULL);
    if (libc_epoll_wait == NULL)
        libc_epoll_wait = (int (*)(int, struct epoll_event *, int, int))dlsym(
            RTLD_NEXT, "epoll_wait");
    return libc_epoll_wait(epfd, events, max, timeout);
}

/*
 * The filter is compiled for the hosted build's descriptor layout, which the
 * harness knows (src/bench/scenarios/hypercalls.ts): the block file is opened
 * first (3), then the epoll set (4) and the timerfd (5). A different layout
 * would send the calls down other paths through the filter, so refuse it.
 */
static bool layout_is_expected(void)
{
    static const struct {
        int fd;
        const char *link; /* NULL: a regular file */
    } expected[] = {
        {3, NULL}, {4, "anon_inode:[eventpoll]"}, {5, "anon_inode:[timerfd]"}};

    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        char path[64], link[256];
        struct stat st;
        int fd = expected[i].fd;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t len = readlink(path, link, sizeof link - 1);
        link[len < 0 ? 0 : len] = '\0';
        bool ok = expected[i].link == NULL
                      ? fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                      : strcmp(link, expected[i].link) == 0;
        if (!ok) {
            printf("hypercalls: seccomp=: descriptor %d is '%s', not %s\n", fd,
                   link, expected[i].link ? expected[i].link : "a file");
            return false;
        }
    }
    return true;
}

static int install_filter(const char *path)
{
    static struct sock_filter insns[BPF_MAXINSNS];

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("hypercalls: seccomp=%s: %s\n", path, strerror(errno));
        return -1;
    }
    ssize_t size = read(fd, insns, sizeof insns);
    close(fd);
    if (size <= 0 || size % (ssize_t)sizeof insns[0] != 0) {
        printf("hypercalls: seccomp=%s: %zd bytes is not a BPF program\n", path,
               size);
        return -1;
    }
    if (!layout_is_expected())
        return -1;
    struct sock_fprog prog = {
        .len = (unsigned short)(size / (ssize_t)sizeof insns[0]),
        .filter = insns,
    };
    /* As the tender does (tenders/spt/filter_install.c). */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        printf("hypercalls: seccomp=%s: cannot install it: %s\n", path,
               strerror(errno));
        return -1;
    }
    return 1;
}

int host_option(const char *w, size_t n)
{
    if (OPTION_IS(w, n, "syscalls=spt") || OPTION_IS(w, n, "syscalls=glibc")) {
        spt_syscalls = w[9] == 's';
        return 1;
    }
    if (HAS_PREFIX(w, n, "seccomp=")) {
        char path[512];
        if (n - 8 >= sizeof path) {
            printf("hypercalls: seccomp=: path too long\n");
            return -1;
        }
        memcpy(path, w + 8, n - 8);
        path[n - 8] = '\0';
        return install_filter(path);
    }
    return 0;
}

#else /* spt */

#include "nabla_lib.h"

int host_option(const char *w, size_t n)
{
    if (OPTION_IS(w, n, "syscalls=spt"))
        return 1; /* what this build always does */
    if (OPTION_IS(w, n, "syscalls=glibc")) {
        printf("hypercalls: syscalls=glibc: an spt guest has no glibc (and "
               "no vDSO)\n");
        return -1;
    }
    if (HAS_PREFIX(w, n, "seccomp=")) {
        printf("hypercalls: seccomp=: for the hosted build only (under spt "
               "the tender installs the filter)\n");
        return -1;
    }
    return 0;
}

#endif
