/* proc_limits.h: supervision, rlimits and dumpability from the plan. */
#ifndef NABLA_PROC_LIMITS_H
#define NABLA_PROC_LIMITS_H

#include <sys/types.h>

#include "plan_read.h"

/*
 * With NABLA_PLAN_F_PDEATHSIG: SIGKILL when the parent exits, and SIGKILL
 * now if it has already (its pid is the plan's parent_pid, or else
 * parent_at_start, getppid() when the tender started). Call after the id
 * switch, which clears the setting.
 */
void supervision_arm(const struct plan *plan, pid_t parent_at_start);

/*
 * Sets RLIMIT_CORE, RLIMIT_NOFILE and RLIMIT_NPROC, soft and hard, to the
 * plan's values. Call once every descriptor is in place and after the last
 * fork.
 */
void limits_apply(const struct plan *plan);

/* Not dumpable unless the plan says otherwise. Call last before the filter. */
void dumpable_apply(const struct plan *plan);

#endif /* NABLA_PROC_LIMITS_H */
