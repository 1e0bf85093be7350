/* privilege.c: giving up ids, namespaces and capabilities before the jump. */
/*
 * The plan says which uid and gid the guest runs as and which namespaces it
 * gets; this file only carries that out, in the one order that works, and
 * says (under --verbose) what the host let it do. The steps themselves are
 * in common/privdrop.c, shared with syscall-trace (tools/confine.c), which
 * confines the hosted build `nabla audit` runs in this same order. The
 * order, and why:
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
 * A template's guest (privilege_enter) takes the same steps in the same
 * order, but enters the namespaces its template's helper made with those
 * very steps (engine_ns.c) instead of making its own: in (a) those owned by
 * the template's user namespace, which root made and only root may enter;
 * in (d) the user namespace, which its owner, the guest's uid, may enter
 * without any capability, then the namespaces owned by it (made there
 * without root). The maps are the helper's: the same ids to themselves.
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
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "engine_ns.h"
#include "msg.h"
#include "privdrop.h"
#include "privilege.h"
#include "report.h"

/* The plan's namespace bits are the kernel's flags, passed to unshare. */
_Static_assert(NABLA_PLAN_NS_MNT == CLONE_NEWNS, "NS_MNT is CLONE_NEWNS");
_Static_assert(NABLA_PLAN_NS_CGROUP == CLONE_NEWCGROUP, "NS_CGROUP");
_Static_assert(NABLA_PLAN_NS_UTS == CLONE_NEWUTS, "NS_UTS");
_Static_assert(NABLA_PLAN_NS_IPC == CLONE_NEWIPC, "NS_IPC");
_Static_assert(NABLA_PLAN_NS_USER == CLONE_NEWUSER, "NS_USER");
_Static_assert(NABLA_PLAN_NS_NET == CLONE_NEWNET, "NS_NET");

/* The namespaces created so far, and why the host refused each. */
static struct privdrop_ns ns;

/* (d): our ids mapped to themselves in the new user namespace. */
static void ns_map_ids(uid_t uid, gid_t gid)
{
    char msg[NABLA_MSG_SIZE];

    if (privdrop_map_ids(uid, gid, msg, sizeof msg) != 0)
        fail("%s", msg);
    note("user namespace: uid %u and gid %u mapped to themselves, setgroups "
         "denied",
         uid, gid);
}

/* Reports what was created and, one line each, what the host refused. */
static void ns_report(uint32_t wanted)
{
    char list[128] = "";

    for (size_t i = 0; i < PRIVDROP_NS_COUNT; i++) {
        if (!(wanted & PRIVDROP_NS[i].flag))
            continue;
        if (ns.done & PRIVDROP_NS[i].flag) {
            strncat(list, " ", sizeof list - strlen(list) - 1);
            strncat(list, PRIVDROP_NS[i].name, sizeof list - strlen(list) - 1);
        } else {
            note("namespaces: the host refused a new %s namespace (%s): the "
                 "guest shares this process's",
                 PRIVDROP_NS[i].name, strerror(ns.err[i]));
        }
    }
    if (wanted != 0)
        note("namespaces: new%s", list[0] != '\0' ? list : " (none)");
}

/* (a) or (d) of a template's guest: the namespaces of one owner. */
static void ns_enter(const struct engine_ns *set, bool outer)
{
    /* PRIVDROP_NS[0] is the user namespace, entered on its own. */
    for (size_t i = 1; i < PRIVDROP_NS_COUNT; i++) {
        if (set->fd[i] < 0 || set->outer[i] != outer)
            continue;
        if (setns(set->fd[i], (int)PRIVDROP_NS[i].flag) != 0)
            fail("namespaces: cannot enter the template's %s namespace: %s",
                 PRIVDROP_NS[i].name, strerror(errno));
    }
}

/* (d) of a template's guest: its user namespace, then what that owns. */
static void ns_enter_user(const struct engine_ns *set)
{
    char list[128] = "";

    if (set->fd[0] >= 0 && setns(set->fd[0], CLONE_NEWUSER) != 0)
        fail("namespaces: cannot enter the template's user namespace: %s",
             strerror(errno));
    ns_enter(set, false);
    for (size_t i = 0; i < PRIVDROP_NS_COUNT; i++) {
        if (set->fd[i] < 0)
            continue;
        strncat(list, " ", sizeof list - strlen(list) - 1);
        strncat(list, PRIVDROP_NS[i].name, sizeof list - strlen(list) - 1);
    }
    note("namespaces: entered the template's%s",
         list[0] != '\0' ? list : " (none: the host refused them)");
}

/*
 * (b) and (e), minus capset: the sets that need CAP_SETPCAP or nothing.
 * Returns how many capabilities are left in the bounding set: all of them
 * without CAP_SETPCAP.
 */
static int bounding_and_ambient(void)
{
    int err = privdrop_ambient_clear();

    if (err != 0)
        fail("capabilities: cannot clear the ambient set: %s", strerror(err));
    return privdrop_bounding_clear();
}

/* (c): groups, gid, uid; checked, since a half switch must not go on. */
static void ids_switch(uid_t uid, gid_t gid)
{
    char msg[NABLA_MSG_SIZE];
    uid_t old_uid = geteuid();
    gid_t old_gid = getegid();

    if (setgroups(0, NULL) != 0)
        fail("user: cannot clear the supplementary groups: %s%s",
             strerror(errno),
             errno == EPERM ? " (switching users needs root)" : "");
    if (privdrop_ids_switch(uid, gid, msg, sizeof msg) != 0)
        fail("user: %s", msg);
    /* The kernel did so already unless fs.suid_dumpable says otherwise. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        fail("cannot make the process non-dumpable: %s", strerror(errno));
    note("user: uid %u -> %u, gid %u -> %u, no supplementary groups", old_uid,
         uid, old_gid, gid);
}

/* (e): how clearing the capabilities (and reading them back) may fail. */
static const struct privdrop_caps_words CAPS_WORDS = {
    "capabilities: cannot clear them",
    "capabilities: cannot read them back",
    "capabilities: some are still set after clearing them",
};

/* Both: a tender's guest (set NULL) makes its namespaces, else enters set's. */
static void drop(const struct plan *plan, const struct engine_ns *set)
{
    const struct nabla_plan_header *h = plan->hdr;
    const bool keep = h->uid == NABLA_PLAN_ID_KEEP;
    char msg[NABLA_MSG_SIZE];
    bool new_user;
    int left;

    /* (a) */
    if (set != NULL)
        ns_enter(set, true);
    else if (privdrop_has_effective(CAP_SYS_ADMIN))
        privdrop_ns_try(&ns, h->namespaces & ~NABLA_PLAN_NS_USER);

    /*
     * (b). A template's guest that will enter a user namespace skips the
     * bounding set here: entering one fills it again (every capability,
     * relative to that namespace), and (e) empties it there. The ambient
     * set is cleared either way.
     */
    if (set != NULL && set->fd[0] >= 0) {
        int err = privdrop_ambient_clear();

        if (err != 0)
            fail("capabilities: cannot clear the ambient set: %s",
                 strerror(err));
        left = 0;
    } else {
        left = bounding_and_ambient();
    }

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
    if (set != NULL) {
        ns_enter_user(set);
        new_user = set->fd[0] >= 0;
    } else {
        uid_t uid = geteuid();
        gid_t gid = getegid();

        privdrop_ns_try(&ns, h->namespaces & ~ns.done);
        if (ns.done & NABLA_PLAN_NS_USER)
            ns_map_ids(uid, gid);
        ns_report(h->namespaces);
        new_user = (ns.done & NABLA_PLAN_NS_USER) != 0;
    }

    /* (e) In a new user namespace the bounding set is full again. */
    if (new_user)
        left = bounding_and_ambient();
    if (privdrop_caps_clear(&CAPS_WORDS, msg, sizeof msg) != 0)
        fail("%s", msg);
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

void privilege_drop(const struct plan *plan)
{
    drop(plan, NULL);
}

void privilege_enter(const struct plan *plan, const struct engine_ns *set)
{
    drop(plan, set);
}
