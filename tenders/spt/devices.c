/* devices.c: the guest's descriptor table: devices, epoll set, timerfd. */
/*
 * The seccomp filter pins descriptor numbers (write to fd 5 allowed, to any
 * other denied), so the guest must find each descriptor at exactly the
 * number the plan says, and nothing else may be open: a leftover descriptor
 * is harmless only until some rule happens to name its number.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "spt_abi.h"
#include "device.h"
#include "devices.h"
#include "msg.h"
#include "report.h"

/* True for 0, 1, 2 and the devices' host_fd: what the guest keeps. */
static bool is_kept(const struct plan *plan, int fd)
{
    if (fd <= 2)
        return true;
    for (unsigned i = 0; i < plan->hdr->device_count; i++)
        if (plan->devices[i].host_fd == fd)
            return true;
    return false;
}

/*
 * Fallback when close_range is missing (kernels before 5.9) or refused:
 * close what /proc/self/fd lists, again until a pass finds nothing, since
 * closing while reading a directory may skip entries. Without /proc, try
 * every number up to the descriptor limit.
 */
static void close_others_slowly(const struct plan *plan)
{
    bool closed_some = true;

    while (closed_some) {
        DIR *dir = opendir("/proc/self/fd");
        struct dirent *ent;

        closed_some = false;
        if (dir == NULL) {
            struct rlimit rl;
            long max = 65536;

            if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
                rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max)
                max = (long)rl.rlim_cur;
            for (long fd = 3; fd < max; fd++)
                if (!is_kept(plan, (int)fd))
                    close((int)fd);
            return;
        }
        while ((ent = readdir(dir)) != NULL) {
            char *end;
            long fd = strtol(ent->d_name, &end, 10);

            if (*end != '\0' || end == ent->d_name || fd == dirfd(dir) ||
                is_kept(plan, (int)fd))
                continue;
            close((int)fd);
            closed_some = true;
        }
        closedir(dir);
    }
}

/* Closes every descriptor but 0, 1, 2 and the host_fds, in ranges. */
static void close_others(const struct plan *plan)
{
    unsigned first = 3;

    /* Walk the gaps between kept numbers in increasing order. */
    for (;;) {
        unsigned next = ~0u; /* lowest kept number >= first, if any */

        for (unsigned i = 0; i < plan->hdr->device_count; i++) {
            unsigned h = (unsigned)plan->devices[i].host_fd;
            if (h >= first && h < next)
                next = h;
        }
        if (next > first &&
            close_range(first, next == ~0u ? ~0u : next - 1, 0) != 0) {
            close_others_slowly(plan);
            return;
        }
        if (next == ~0u)
            return;
        first = next + 1;
    }
}

void devices_map(const struct plan *plan, int plan_fd)
{
    const struct nabla_plan_header *h = plan->hdr;
    int tmp[NABLA_PLAN_MAX_DEVICES];
    int base = 3;

    /*
     * The plan is in memory now. Its number is distinct from every source
     * (plan_check), so closing it cannot lose a device.
     */
    close(plan_fd);

    /*
     * Destinations may be the sources of other devices (a swap, a cycle).
     * So first duplicate every source that must move above the highest
     * destination: the copies are then safe from every dup2 below, and dup2
     * may overwrite any original. The copies are close-on-exec and closed
     * afterwards. A device already at its number stays as it is: no other
     * device's destination can be that number, since destinations are
     * distinct.
     */
    for (unsigned i = 0; i < h->device_count; i++)
        if (plan->devices[i].host_fd >= base)
            base = plan->devices[i].host_fd + 1;
    for (unsigned i = 0; i < h->device_count; i++) {
        const struct nabla_plan_device *d = &plan->devices[i];
        const struct device_kind *kind = device_kind_of(d->type);
        char why[NABLA_MSG_SIZE];

        /* Its kind's check before the descriptor moves (net: a tap). */
        if (kind->check_take != NULL &&
            kind->check_take(d->source_fd, why, sizeof why) != 0)
            fail("device %u: descriptor %d: %s", i, d->source_fd, why);
        tmp[i] = -1;
        if (d->source_fd == d->host_fd) {
            /* Still check that it is open: a bad plan must fail here. */
            if (fcntl(d->source_fd, F_GETFD) < 0)
                fail("device %u: cannot take descriptor %d: %s", i,
                     d->source_fd, strerror(errno));
            continue;
        }
        tmp[i] = fcntl(d->source_fd, F_DUPFD_CLOEXEC, base);
        if (tmp[i] < 0) {
            int err = errno;

            fail("device %u: cannot take descriptor %d: %s%s", i, d->source_fd,
                 strerror(err),
                 err == EINVAL || err == EMFILE
                     ? " (is the open files limit, ulimit -n, above every "
                       "host_fd?)"
                     : "");
        }
    }
    /* dup2 clears close-on-exec on the new number; the guest keeps it. */
    for (unsigned i = 0; i < h->device_count; i++) {
        const struct nabla_plan_device *d = &plan->devices[i];

        if (tmp[i] >= 0 && dup2(tmp[i], d->host_fd) < 0)
            fail("device %u: cannot move descriptor %d to %d: %s", i,
                 d->source_fd, d->host_fd, strerror(errno));
    }
    /* Also closes the copies and every original not reused as a host_fd. */
    close_others(plan);
}

/*
 * Gives the new descriptor fd the number want. After devices_map only 0, 1,
 * 2 and host_fds are open, and want is none of them (plan_check), so dup3
 * replaces nothing.
 */
static void place(int fd, int want, const char *what)
{
    if (fd == want)
        return;
    if (dup3(fd, want, O_CLOEXEC) < 0)
        fail("cannot move the %s to descriptor %d: %s", what, want,
             strerror(errno));
    close(fd);
}

/* Watches fd for input, reporting data in the event; 0 or -1 and errno. */
static int add_to_epoll(int epfd, int fd, uint64_t data)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = data;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * A console descriptor left non-blocking (by a shell, or by Node, which
 * makes its pipes non-blocking) would make the guest's fire-and-forget
 * writes fail with EAGAIN and lose output.
 */
static void make_blocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0)
        return; /* not open: the guest's writes fail, as upstream's would */
    if ((flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        fail("cannot make descriptor %d blocking: %s", fd, strerror(errno));
}

void devices_events(const struct plan *plan)
{
    const struct nabla_plan_header *h = plan->hdr;
    int ep, tfd;

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        fail("cannot create the epoll set: %s", strerror(errno));
    place(ep, h->epoll_fd, "epoll set");
    tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0)
        fail("cannot create the timerfd: %s", strerror(errno));
    place(tfd, h->timer_fd, "timerfd");

    if (add_to_epoll(h->epoll_fd, h->timer_fd, SPT_EPOLL_TIMERFD_DATA) != 0)
        fail("cannot add the timerfd to the epoll set: %s", strerror(errno));
    for (unsigned i = 0; i < h->device_count; i++) {
        const struct nabla_plan_device *d = &plan->devices[i];

        /* solo5_yield reports readiness as a set of manifest indices. */
        if (device_kind_of(d->type)->polled &&
            add_to_epoll(h->epoll_fd, d->host_fd, d->mft_index) != 0)
            fail("device %u: cannot add descriptor %d to the epoll set: %s", i,
                 d->host_fd, strerror(errno));
    }
    make_blocking(1);
    make_blocking(2);
}
