/* privilege.h: giving up ids, namespaces and capabilities before the jump. */
#ifndef NABLA_PRIVILEGE_H
#define NABLA_PRIVILEGE_H

#include "engine_ns.h"
#include "plan_read.h"

/*
 * Carries out the plan's uid, gid and namespaces and empties every
 * capability set, in the order described in privilege.c. Exits (status 1,
 * one line) when a step that would leave the guest with more than the plan
 * allows fails; a namespace or a capability set the host does not let us
 * create or clear is skipped and reported under --verbose.
 */
void privilege_drop(const struct plan *plan);

/*
 * The same for a template's guest: the same steps in the same order, but
 * the namespaces are set's, entered (setns), not made. Exits like
 * privilege_drop; a namespace set lacks was refused to its helper already.
 */
void privilege_enter(const struct plan *plan, const struct engine_ns *set);

#endif /* NABLA_PRIVILEGE_H */
