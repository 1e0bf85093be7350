/* privilege.h: giving up ids, namespaces and capabilities before the jump. */
#ifndef NABLA_PRIVILEGE_H
#define NABLA_PRIVILEGE_H

#include "plan_read.h"

/*
 * Carries out the plan's uid, gid and namespaces and empties every
 * capability set, in the order described in privilege.c. Exits (status 1,
 * one line) when a step that would leave the guest with more than the plan
 * allows fails; a namespace or a capability set the host does not let us
 * create or clear is skipped and reported under --verbose.
 */
void privilege_drop(const struct plan *plan);

#endif /* NABLA_PRIVILEGE_H */
