/* privdrop.c: the steps of giving up ids, namespaces and capabilities. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "msg.h"
#include "privdrop.h"

const struct privdrop_ns_name PRIVDROP_NS[PRIVDROP_NS_COUNT] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mnt"},  {CLONE_NEWIPC, "ipc"},
    {CLONE_NEWUTS, "uts"},   {CLONE_NEWNET, "net"}, {CLONE_NEWCGROUP, "cgroup"},
};

void privdrop_ns_try(struct privdrop_ns *ns, unsigned long flags)
{
    if (flags == 0)
        return;
    if (unshare((int)flags) == 0) {
        ns->done |= flags;
        for (size_t i = 0; i < PRIVDROP_NS_COUNT; i++)
            if (flags & PRIVDROP_NS[i].flag)
                ns->err[i] = 0;
        return;
    }
    for (size_t i = 0; i < PRIVDROP_NS_COUNT; i++) {
        if (!(flags & PRIVDROP_NS[i].flag))
            continue;
        /* A single namespace was the one attempt above: no second try. */
        if (flags == PRIVDROP_NS[i].flag) {
            ns->err[i] = errno;
            return;
        }
        privdrop_ns_try(ns, PRIVDROP_NS[i].flag);
    }
}

/* The capability sets, both 32-bit words of each (version 3 layout). */
struct caps {
    struct __user_cap_data_struct d[2];
};

/* capget directly: libcap would be a library the tender does not need. */
static int caps_get(struct caps *c)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};

    return (int)syscall(SYS_capget, &h, c->d);
}

bool privdrop_has_effective(int cap)
{
    struct caps c;

    return caps_get(&c) == 0 &&
           (c.d[cap / 32].effective & (1u << (cap % 32))) != 0;
}

int privdrop_ambient_clear(void)
{
    /* Kernels before 4.3 have no ambient set (EINVAL): nothing to clear. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
        errno != EINVAL)
        return errno;
    return 0;
}

int privdrop_bounding_clear(void)
{
    int left = 0;

    /*
     * Drop first, read only when the drop is refused: a new user namespace
     * starts with every capability in the set, so reading each before
     * dropping it would double the calls. PR_CAPBSET_DROP of one that is not
     * in the set succeeds too; it fails (EINVAL) past the kernel's last
     * capability, and without CAP_SETPCAP (EPERM) for every one, in the set
     * or not: then only those still in it are counted.
     */
    for (int cap = 0; cap < 64; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
            continue;
        if (errno == EINVAL)
            break;
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            left++;
    }
    return left;
}

int privdrop_ids_switch(uid_t uid, gid_t gid, char *msg, size_t msg_size)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;

    /* gid first: setresgid needs CAP_SETGID, which a non-root uid loses. */
    if (setresgid(gid, gid, gid) != 0)
        return nabla_msg(msg, msg_size, "cannot switch to gid %u: %s", gid,
                         strerror(errno));
    if (setresuid(uid, uid, uid) != 0)
        return nabla_msg(msg, msg_size, "cannot switch to uid %u: %s", uid,
                         strerror(errno));
    /* Checked, since a half switch must not go on. */
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
        ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
        sg != gid)
        return nabla_msg(msg, msg_size, "the switch to %u:%u did not take", uid,
                         gid);
    return 0;
}

/* Writes text to a /proc/self file in one write; 0 or errno. */
static int write_proc(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;
    int err;

    if (fd < 0)
        return errno;
    /* The kernel takes an id map in one write only. */
    n = write(fd, text, strlen(text));
    err = n == (ssize_t)strlen(text) ? 0 : n < 0 ? errno : EIO;
    close(fd);
    return err;
}

/* Maps id to itself in /proc/self/KIND_map (KIND: uid or gid). */
static int map_one(const char *kind, unsigned id, char *msg, size_t msg_size)
{
    char path[32], map[64];
    int err;

    snprintf(path, sizeof path, "/proc/self/%s_map", kind);
    snprintf(map, sizeof map, "%u %u 1\n", id, id);
    err = write_proc(path, map);
    if (err != 0)
        return nabla_msg(msg, msg_size, "user namespace: cannot map %s %u: %s",
                         kind, id, strerror(err));
    return 0;
}

/*
 * Our own ids are the one map an unprivileged process may write. setgroups
 * must be denied first for the gid map to be accepted (and so nobody in the
 * namespace can drop a group that denies access); a kernel without that file
 * (before 3.19) needs no denial. /proc/self is not writable by a non-dumpable
 * process of ours, so we are dumpable for these three writes only.
 */
int privdrop_map_ids(uid_t uid, gid_t gid, char *msg, size_t msg_size)
{
    int err, dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);

    if (dumpable != 1 && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
        return nabla_msg(msg, msg_size,
                         "user namespace: cannot reach /proc/self: %s",
                         strerror(errno));
    err = write_proc("/proc/self/setgroups", "deny");
    if (err != 0 && err != ENOENT)
        return nabla_msg(msg, msg_size,
                         "user namespace: cannot deny setgroups: %s",
                         strerror(err));
    if (map_one("uid", uid, msg, msg_size) != 0 ||
        map_one("gid", gid, msg, msg_size) != 0)
        return -1;
    if (dumpable != 1 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return nabla_msg(msg, msg_size,
                         "cannot make the process non-dumpable: %s",
                         strerror(errno));
    return 0;
}

int privdrop_caps_clear(const struct privdrop_caps_words *words, char *msg,
                        size_t msg_size)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct caps none, now;

    memset(&none, 0, sizeof none);
    if (syscall(SYS_capset, &h, none.d) != 0)
        return nabla_msg(msg, msg_size, "%s: %s", words->set_failed,
                         strerror(errno));
    /* Read back: a set the kernel kept without saying so must not pass. */
    if (caps_get(&now) != 0)
        return nabla_msg(msg, msg_size, "%s: %s", words->get_failed,
                         strerror(errno));
    for (int i = 0; i < 2; i++)
        if (now.d[i].effective || now.d[i].permitted || now.d[i].inheritable)
            return nabla_msg(msg, msg_size, "%s", words->left);
    return 0;
}
