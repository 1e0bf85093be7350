/* engine_ns.h: a template's namespaces, made once and entered by each guest. */
#ifndef NABLA_ENGINE_NS_H
#define NABLA_ENGINE_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "privdrop.h"

/*
 * The namespaces a template's guests enter with setns, by PRIVDROP_NS
 * index (user, mnt, ipc, uts, net, cgroup). They were made by a helper
 * that gave up its privileges exactly as a tender does (privilege.c), so
 * their owners are what the tender's would be: `outer` ones belong to the
 * template's own user namespace (made as root, before the id switch), the
 * others to the new user namespace (made with it, without root).
 */
struct engine_ns {
    int fd[PRIVDROP_NS_COUNT]; /* -1: not made (not wanted, or refused) */
    bool outer[PRIVDROP_NS_COUNT];
    uint32_t made; /* NABLA_PLAN_NS_* flags of the namespaces held */
};

/*
 * Opens the namespaces of (wanted) that process (helper) has and this one
 * does not, keeps each at a number >= NABLA_PLAN_FD_LIMIT, and sorts them
 * by owner. 0, or -1 with a message.
 */
int engine_ns_collect(pid_t helper, uint32_t wanted, struct engine_ns *ns,
                      char *msg, size_t msg_size);

/*
 * Moves fd to the lowest free number >= NABLA_PLAN_FD_LIMIT, close-on-exec,
 * so that no plan can name it (plan numbers are below). Returns the new
 * number, or -1 with errno (the old one is closed either way).
 */
int engine_fd_high(int fd);

#endif /* NABLA_ENGINE_NS_H */
