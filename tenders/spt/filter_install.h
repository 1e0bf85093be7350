/* filter_install.h: no_new_privs and the plan's seccomp filter. */
#ifndef NABLA_FILTER_INSTALL_H
#define NABLA_FILTER_INSTALL_H

#include "plan_read.h"

/*
 * Sets PR_SET_NO_NEW_PRIVS and installs the plan's BPF program as this
 * process's seccomp filter. Exits on failure, which it reports first; on
 * success returns, and from then on only the filter's syscalls are allowed.
 */
void filter_install(const struct plan *plan);

#endif /* NABLA_FILTER_INSTALL_H */
