/* engine_ns.c: a template's namespaces, made once and entered by each guest. */
/*
 * A tender unshares new namespaces for its one guest; a template's guests
 * enter one set made for all of them (a new network namespace costs about
 * 0.4 ms and is serialised in the kernel; setns into one costs little). The
 * set is made by the template's image helper (engine_image.c), which gives
 * up its privileges through privilege_drop, exactly as a tender would for
 * the same plan, and is read here from /proc/HELPER/ns while it waits. A
 * namespace the host refused is the template's own: left out here, as the
 * tender leaves it out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_ns.h"
#include "msg.h"
#include "nabla_plan.h"

int engine_fd_high(int fd)
{
    int high = fcntl(fd, F_DUPFD_CLOEXEC, NABLA_PLAN_FD_LIMIT);
    int err = errno;

    close(fd);
    errno = err;
    return high;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The user namespace that owns namespace fd: outer if it is ours. */
static int owned_by(int fd, const struct stat *own_user, bool *outer)
{
    int owner = ioctl(fd, NS_GET_USERNS);
    struct stat st;
    int rc;

    if (owner < 0)
        return -1;
    rc = fstat(owner, &st);
    close(owner);
    if (rc != 0)
        return -1;
    *outer = same_file(&st, own_user);
    return 0;
}

int engine_ns_collect(pid_t helper, uint32_t wanted, struct engine_ns *ns,
                      char *msg, size_t msg_size)
{
    struct stat own_user;

    memset(ns, 0, sizeof *ns);
    for (size_t i = 0; i < PRIVDROP_NS_COUNT; i++)
        ns->fd[i] = -1;
    if (stat("/proc/self/ns/user", &own_user) != 0)
        return nabla_msg(msg, msg_size,
                         "namespaces: cannot read /proc/self/ns/user: %s",
                         strerror(errno));
    for (size_t i = 0; i < PRIVDROP_NS_COUNT; i++) {
        char path[64], own[64];
        struct stat theirs, mine;
        int fd;

        if (!(wanted & PRIVDROP_NS[i].flag))
            continue;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)helper,
                 PRIVDROP_NS[i].name);
        snprintf(own, sizeof own, "/proc/self/ns/%s", PRIVDROP_NS[i].name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &theirs) != 0 || stat(own, &mine) != 0) {
            int err = errno;

            if (fd >= 0)
                close(fd);
            return nabla_msg(msg, msg_size, "namespaces: cannot open %s: %s",
                             path, strerror(err));
        }
        if (same_file(&theirs, &mine)) {
            close(fd); /* the host refused it: the guests share ours */
            continue;
        }
        fd = engine_fd_high(fd);
        if (fd < 0)
            return nabla_msg(msg, msg_size,
                             "namespaces: cannot keep %s above descriptor "
                             "%d: %s",
                             path, NABLA_PLAN_FD_LIMIT, strerror(errno));
        ns->fd[i] = fd;
        ns->made |= (uint32_t)PRIVDROP_NS[i].flag;
        if (owned_by(fd, &own_user, &ns->outer[i]) != 0)
            return nabla_msg(msg, msg_size,
                             "namespaces: cannot find the owner of %s: %s",
                             path, strerror(errno));
    }
    return 0;
}
