/* privilege.c: giving up ids, namespaces and capabilities before the jump. */
/*
 * The plan says which uid and gid the guest runs as and which namespaces it
 * gets; this file only carries that out, in the one order that works, and
 * says (under --verbose) what the host let it do. The order, and why:
 *
 *  a. Namespaces other than the user namespace, while we may still have
 *     CAP_SYS_ADMIN (started as root): created now they need no user
 *     namespace, so they exist even on hosts that refuse unprivileged user
 *     namespaces. Without CAP_SYS_ADMIN this is left to (d).
 *  b. Empty the bounding set and the ambient set. Dropping from the bounding
 *     set needs CAP_SETPCAP, which the id switch (c) takes away.
 *  c. Switch gid, then uid: setgroups and setresgid need CAP_SETGID and
 *     CAP_SETUID, which setresuid to a non-root uid clears (no
 *     SECBIT_KEEP_CAPS). Every descriptor the guest needs was opened by the
 *     orchestrator before the exec and stays usable. The euid change also
 *     makes us non-dumpable (with the default fs.suid_dumpable; we make
 *     sure), which is what we want: a dumpable process of the target user
 *     could be ptraced by any other process of that user, and we still
 *     hold root's descriptors.
 *  d. The user namespace (and whatever (a) could not create), as the target
 *     user: the namespace is then owned by the guest's own uid, not root, and
 *     the only id map an unprivileged process may write is its own ids, which
 *     are final now. The maps are written from inside, with the full
 *     capability set a new user namespace starts with, through /proc/self,
 *     which a non-dumpable process of ours cannot write: we are dumpable
 *     for those three writes only.
 *  e. Empty every capability set, last: a new user namespace starts with all
 *     capabilities and a full bounding set, so (b) is repeated in it (where
 *     CAP_SETPCAP is ours), then capset clears effective, permitted and
 *     inheritable. The sets are read back: a capability left is an error.
 *
 * No pid namespace: unshare(CLONE_NEWPID) only moves children, so the guest
 * would have to be a forked child and stop being the process the shell or
 * run() started (its pid, its exit status, its signals, the ptrace tools
 * that follow it); and as pid 1 of its namespace it would ignore every
 * signal but SIGKILL and SIGSTOP, since it cannot install a handler. Its
 * filter allows no call that takes a pid, so the namespace would add little.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privilege.h"
#include "report.h"

/* The plan's namespace bits are the kernel's flags, passed to unshare. */
_Static_assert(NABLA_PLAN_NS_MNT == CLONE_NEWNS, "NS_MNT is CLONE_NEWNS");
_Static_assert(NABLA_PLAN_NS_CGROUP == CLONE_NEWCGROUP, "NS_CGROUP");
_Static_assert(NABLA_PLAN_NS_UTS == CLONE_NEWUTS, "NS_UTS");
_Static_assert(NABLA_PLAN_NS_IPC == CLONE_NEWIPC, "NS_IPC");
_Static_assert(NABLA_PLAN_NS_USER == CLONE_NEWUSER, "NS_USER");
_Static_assert(NABLA_PLAN_NS_NET == CLONE_NEWNET, "NS_NET");

/* User first: when namespaces are tried one by one, the rest need it. */
static const struct {
    uint32_t flag;
    const char *name;
} NAMESPACES[] = {
    {NABLA_PLAN_NS_USER, "user"}, {NABLA_PLAN_NS_MNT, "mnt"},
    {NABLA_PLAN_NS_IPC, "ipc"},   {NABLA_PLAN_NS_UTS, "uts"},
    {NABLA_PLAN_NS_NET, "net"},   {NABLA_PLAN_NS_CGROUP, "cgroup"},
};
#define NS_COUNT (sizeof NAMESPACES / sizeof NAMESPACES[0])

static uint32_t ns_done;       /* namespaces created so far */
static int ns_errno[NS_COUNT]; /* why the host refused each, 0 if not */

/* The capability sets, both 32-bit words of each (version 3 layout). */
struct caps {
    struct __user_cap_data_struct d[2];
};

static int caps_get(struct caps *c)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};

    return (int)syscall(SYS_capget, &h, c->d);
}

static bool has_effective(int cap)
{
    struct caps c;

    return caps_get(&c) == 0 &&
           (c.d[cap / 32].effective & (1u << (cap % 32))) != 0;
}

/*
 * Unshares the namespaces in flags, all at once, else one at a time, user
 * first, so that the others can still use a user namespace the host allows.
 * Records each refusal's errno; quiet: the caller reports.
 */
static void ns_try(uint32_t flags)
{
    if (flags == 0)
        return;
    if (unshare((int)flags) == 0) {
        ns_done |= flags;
        for (size_t i = 0; i < NS_COUNT; i++)
            if (flags & NAMESPACES[i].flag)
                ns_errno[i] = 0;
        return;
    }
    for (size_t i = 0; i < NS_COUNT; i++) {
        if (!(flags & NAMESPACES[i].flag))
            continue;
        if (flags == NAMESPACES[i].flag) {
            ns_errno[i] = errno;
            return;
        }
        ns_try(NAMESPACES[i].flag);
    }
}

/* Writes text to a /proc/self file in one write; 0 or errno. */
static int write_proc(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;
    int err;

    if (fd < 0)
        return errno;
    n = write(fd, text, strlen(text));
    err = n == (ssize_t)strlen(text) ? 0 : n < 0 ? errno : EIO;
    close(fd);
    return err;
}

/*
 * Maps our own uid and gid to themselves in the new user namespace: the one
 * map an unprivileged process may write. setgroups must be denied first for
 * the gid map to be accepted (and so nobody in it can drop a group that
 * denies access); a kernel without that file (before 3.19) needs no denial.
 */
static void ns_map_ids(uid_t uid, gid_t gid)
{
    char map[64];
    int err, dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);

    if (dumpable != 1 && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
        fail("user namespace: cannot reach /proc/self: %s", strerror(errno));
    err = write_proc("/proc/self/setgroups", "deny");
    if (err != 0 && err != ENOENT)
        fail("user namespace: cannot deny setgroups: %s", strerror(err));
    snprintf(map, sizeof map, "%u %u 1\n", uid, uid);
    err = write_proc("/proc/self/uid_map", map);
    if (err != 0)
        fail("user namespace: cannot map uid %u: %s", uid, strerror(err));
    snprintf(map, sizeof map, "%u %u 1\n", gid, gid);
    err = write_proc("/proc/self/gid_map", map);
    if (err != 0)
        fail("user namespace: cannot map gid %u: %s", gid, strerror(err));
    if (dumpable != 1 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fail("cannot make the process non-dumpable: %s", strerror(errno));
    note("user namespace: uid %u and gid %u mapped to themselves, setgroups "
         "denied",
         uid, gid);
}

/* Reports what was created and, one line each, what the host refused. */
static void ns_report(uint32_t wanted)
{
    char list[128] = "";

    for (size_t i = 0; i < NS_COUNT; i++) {
        if (!(wanted & NAMESPACES[i].flag))
            continue;
        if (ns_done & NAMESPACES[i].flag) {
            strncat(list, " ", sizeof list - strlen(list) - 1);
            strncat(list, NAMESPACES[i].name, sizeof list - strlen(list) - 1);
        } else {
            note("namespaces: the host refused a new %s namespace (%s): the "
                 "guest shares this process's",
                 NAMESPACES[i].name, strerror(ns_errno[i]));
        }
    }
    if (wanted != 0)
        note("namespaces: new%s", list[0] != '\0' ? list : " (none)");
}

/*
 * Drops every capability the kernel knows from the bounding set. Returns
 * how many are left: all of them without CAP_SETPCAP.
 */
static int bounding_drop(void)
{
    int left = 0;

    /* PR_CAPBSET_READ fails (EINVAL) past the kernel's last capability. */
    for (int cap = 0; cap < 64; cap++) {
        int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

        if (in < 0)
            break;
        if (in == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
            left++;
    }
    return left;
}

/* (b) and (e), minus capset: the sets that need CAP_SETPCAP or nothing. */
static int bounding_and_ambient(void)
{
    /* Kernels before 4.3 have no ambient set (EINVAL): nothing to clear. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
        errno != EINVAL)
        fail("capabilities: cannot clear the ambient set: %s", strerror(errno));
    return bounding_drop();
}

/* (c): gid, groups, uid; checked, since a half switch must not go on. */
static void ids_switch(uid_t uid, gid_t gid)
{
    uid_t ru, eu, su, old_uid = geteuid();
    gid_t rg, eg, sg, old_gid = getegid();

    if (setgroups(0, NULL) != 0)
        fail("user: cannot clear the supplementary groups: %s%s",
             strerror(errno),
             errno == EPERM ? " (switching users needs root)" : "");
    if (setresgid(gid, gid, gid) != 0)
        fail("user: cannot switch to gid %u: %s", gid, strerror(errno));
    if (setresuid(uid, uid, uid) != 0)
        fail("user: cannot switch to uid %u: %s", uid, strerror(errno));
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
        ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
        sg != gid)
        fail("user: the switch to %u:%u did not take", uid, gid);
    /* The kernel did so already unless fs.suid_dumpable says otherwise. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fail("cannot make the process non-dumpable: %s", strerror(errno));
    note("user: uid %u -> %u, gid %u -> %u, no supplementary groups", old_uid,
         uid, old_gid, gid);
}

/* (e): capset to nothing, then read back: nothing may be left. */
static void caps_clear(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct caps none, now;

    memset(&none, 0, sizeof none);
    if (syscall(SYS_capset, &h, none.d) != 0)
        fail("capabilities: cannot clear them: %s", strerror(errno));
    if (caps_get(&now) != 0)
        fail("capabilities: cannot read them back: %s", strerror(errno));
    for (int i = 0; i < 2; i++)
        if (now.d[i].effective || now.d[i].permitted || now.d[i].inheritable)
            fail("capabilities: some are still set after clearing them");
}

void privilege_drop(const struct plan *plan)
{
    const struct nabla_plan_header *h = plan->hdr;
    const bool keep = h->uid == NABLA_PLAN_ID_KEEP;
    int left;

    /* (a) */
    if (has_effective(CAP_SYS_ADMIN))
        ns_try(h->namespaces & ~NABLA_PLAN_NS_USER);

    /* (b) */
    left = bounding_and_ambient();

    /* (c) */
    if (!keep) {
        ids_switch(h->uid, h->gid);
    } else {
        int groups = getgroups(0, NULL);

        note("user: kept uid %u, gid %u (as started)", geteuid(), getegid());
        /*
         * Only CAP_SETGID may drop them (and not in a user namespace that
         * denies setgroups); the user namespace of (d) cannot either.
         */
        if (groups > 0 && setgroups(0, NULL) != 0)
            note("user: %d supplementary group%s kept: the host refused to "
                 "drop them (%s)",
                 groups, groups == 1 ? "" : "s", strerror(errno));
    }

    /* (d) Our ids in this namespace: after the unshare they read 65534. */
    {
        uid_t uid = geteuid();
        gid_t gid = getegid();

        ns_try(h->namespaces & ~ns_done);
        if (ns_done & NABLA_PLAN_NS_USER)
            ns_map_ids(uid, gid);
        ns_report(h->namespaces);
    }

    /* (e) In a new user namespace the bounding set is full again. */
    if (ns_done & NABLA_PLAN_NS_USER)
        left = bounding_and_ambient();
    caps_clear();
    if (left == 0)
        note("capabilities: effective, permitted, inheritable, ambient and "
             "bounding sets empty");
    else
        note("capabilities: effective, permitted, inheritable and ambient "
             "sets empty; %d kept in the bounding set (dropping them needs "
             "CAP_SETPCAP, and there is no user namespace to have it in): "
             "they cannot come back without an exec, which no_new_privs "
             "and the filter forbid",
             left);
}
