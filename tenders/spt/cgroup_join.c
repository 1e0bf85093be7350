/* cgroup_join.c: the guest joins the plan's control groups before it exists. */
/*
 * The orchestrator made the groups and set their limits; it opened each
 * group's cgroup.procs and handed the descriptors over in the plan (v3).
 * Writing "0" moves the writing process. Done here, at the start of the
 * tender's work, no instruction of the guest ever runs outside its groups
 * and none of its memory is charged elsewhere. The descriptors are closed
 * at once: the guest never holds them (step 9 would close them too).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup_join.h"
#include "report.h"

/* statfs f_type of cgroup v1 and v2 (linux/magic.h) */
#define CGROUP_MAGIC 0x27e0ebL
#define CGROUP2_MAGIC 0x63677270L

/* The file's path, as /proc says; NULL if it cannot be read. */
static const char *path_of(int fd, char *buf, size_t size)
{
    char link[64];
    ssize_t n;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, buf, size - 1);
    if (n <= 0 || (size_t)n >= size - 1)
        return NULL;
    buf[n] = '\0';
    return buf;
}

/* Whether path names a cgroup.procs file (any other would take "0" as a value).
 */
static bool is_procs(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL && strcmp(slash + 1, "cgroup.procs") == 0;
}

void cgroup_join(const struct plan *plan)
{
    const struct nabla_plan_header *h = plan->hdr;
    char name[PATH_MAX];

    for (unsigned i = 0; i < h->cgroup_count; i++) {
        int fd = h->cgroup_fd + (int)i;
        struct statfs fs;
        ssize_t n;

        const char *path;

        if (fstatfs(fd, &fs) != 0)
            fail("cgroup descriptor %d: %s", fd, strerror(errno));
        path = path_of(fd, name, sizeof name);
        if (path == NULL)
            fail("cgroup descriptor %d: cannot read its path: %s", fd,
                 strerror(errno));
        if (fs.f_type != CGROUP_MAGIC && fs.f_type != CGROUP2_MAGIC)
            fail("cgroup descriptor %d (%s) is not on a cgroup file system", fd,
                 path);
        if (!is_procs(path))
            fail("cgroup descriptor %d (%s) is not a cgroup.procs file", fd,
                 path);
        do
            n = write(fd, "0", 1);
        while (n < 0 && errno == EINTR);
        if (n != 1)
            fail("cannot join the control group: %s: %s", path,
                 n < 0 ? strerror(errno) : "short write");
        note("cgroup: joined %s", path);
        close(fd);
    }
}
