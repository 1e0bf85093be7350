/* cgroup_join.h: the guest joins the plan's control groups before it exists. */
#ifndef NABLA_CGROUP_JOIN_H
#define NABLA_CGROUP_JOIN_H

#include "plan_read.h"

/*
 * Writes "0" (this process) to each of the plan's cgroup.procs descriptors
 * and closes it; one line and status 1 if a descriptor is not a cgroup
 * file or the kernel refuses. Call before the privilege drop (the files
 * were opened by the orchestrator, whose credentials the kernel checks,
 * but a joined namespace would hide the hierarchy from our messages) and
 * before guest memory is mapped, so that every page is charged to them.
 */
void cgroup_join(const struct plan *plan);

#endif /* NABLA_CGROUP_JOIN_H */
