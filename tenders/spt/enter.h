/* enter.h: the last stage of every start: the filter, then the jump. */
#ifndef NABLA_ENTER_H
#define NABLA_ENTER_H

#include <stdint.h>

#include "plan_read.h"
#include "xstate.h"

/*
 * Steps 15 and 16 of main.c, shared by the tender (main.c) and a template's
 * guest (engine_child.c), so that both end the same way: no_new_privs and
 * the plan's filter, then the jump to entry with the stack at the top of
 * guest memory, the boot info in the first argument register and every
 * other register reset from xstate (prepared by xstate_prepare). Nothing may
 * print or allocate after this is called. Never returns.
 */
__attribute__((noreturn)) void
nabla_enter_guest(const struct plan *plan, uint64_t entry,
                  const struct xstate_init *xstate);

#endif /* NABLA_ENTER_H */
