/* watchdog.h: nabla-run --timeout: a child that kills the guest in time. */
#ifndef NABLA_WATCHDOG_H
#define NABLA_WATCHDOG_H

#include "plan_read.h"

/*
 * With a timeout in the plan: forks the watchdog, which kills this process
 * with SIGKILL when the time is up, saying so on stderr, and arms this
 * process's ITIMER_REAL a second later as a backstop. No-op without one.
 * Call after privilege_drop and before rlimits (RLIMIT_NPROC forbids the
 * fork) and the filter.
 */
void watchdog_start(const struct plan *plan);

#endif /* NABLA_WATCHDOG_H */
