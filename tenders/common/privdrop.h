/* privdrop.h: the steps of giving up ids, namespaces and capabilities. */
#ifndef NABLA_PRIVDROP_H
#define NABLA_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Shared by the tender (spt/privilege.c), which drops its own privileges
 * before the jump, and syscall-trace (tools/confine.c), which drops those of
 * the hosted build before the exec, in the same order; each says in its
 * own comment why that order. These functions do one step each and neither
 * print nor exit, since the two report differently (stderr and --verbose
 * notes; a message descriptor): a failure comes back as an errno or as -1
 * with a message in the caller's buffer. Nor do they allocate: state and
 * buffers are the caller's or on the stack, since the tender runs them
 * before it maps guest memory and installs its filter, and its privilege
 * drop must not depend on malloc.
 */

#define PRIVDROP_NS_COUNT 6

/*
 * The namespaces that unshare makes, by CLONE_NEW* flag and the name
 * /proc/PID/ns gives them. User first: tried one by one, the rest need it.
 */
struct privdrop_ns_name {
    unsigned long flag;
    const char *name;
};
extern const struct privdrop_ns_name PRIVDROP_NS[PRIVDROP_NS_COUNT];

/* What the namespace attempts came to; zero-initialised before the first. */
struct privdrop_ns {
    unsigned long done;         /* CLONE_NEW* flags created so far */
    int err[PRIVDROP_NS_COUNT]; /* why the host refused each, 0 if not */
};

/*
 * Unshares the namespaces in (flags), all at once, else one at a time in the
 * order of PRIVDROP_NS, so that the others can still use a user namespace
 * the host allows. Adds what it made to ns->done, and keeps each refusal's
 * errno in ns->err; a refusal is not an error here: the caller reports.
 */
void privdrop_ns_try(struct privdrop_ns *ns, unsigned long flags);

/* Whether capability (cap) is in our effective set. */
bool privdrop_has_effective(int cap);

/* Empties the ambient set: 0 (also on kernels without one), or errno. */
int privdrop_ambient_clear(void);

/*
 * Drops every capability the kernel knows from the bounding set. Returns
 * how many are left: all of them without CAP_SETPCAP.
 */
int privdrop_bounding_clear(void);

/*
 * Switches gid, then uid (real, effective and saved), and reads them back.
 * The supplementary groups are the caller's, before this: the two word that
 * step's failure differently. 0, or -1 with a message in (msg).
 */
int privdrop_ids_switch(uid_t uid, gid_t gid, char *msg, size_t msg_size);

/*
 * Just after unsharing a user namespace: denies setgroups and maps (uid) and
 * (gid), our ids from before the unshare, to themselves. 0, or -1 with a
 * message in (msg).
 */
int privdrop_map_ids(uid_t uid, gid_t gid, char *msg, size_t msg_size);

/* How a caller words the three ways clearing the capabilities can fail. */
struct privdrop_caps_words {
    const char *set_failed; /* capset refused; ": strerror" follows */
    const char *get_failed; /* reading them back failed; likewise */
    const char *left;       /* a capability is still set; alone */
};

/*
 * Clears effective, permitted and inheritable, then reads them back. 0, or
 * -1 with the caller's words for what failed in (msg).
 */
int privdrop_caps_clear(const struct privdrop_caps_words *words, char *msg,
                        size_t msg_size);

#endif /* NABLA_PRIVDROP_H */
