/* launch.h: the jump from the tender into the guest (launch_<arch>.S). */
#ifndef NABLA_LAUNCH_H
#define NABLA_LAUNCH_H

#include <stdint.h>

#include "xstate.h"

/*
 * Clears the FS base (ARCH_SET_FS 0: the guest's filter must allow it),
 * puts every vector, mask and x87 register in its init state from xstate
 * (prepared by xstate_prepare), clears the general registers, sets the
 * stack pointer to stack_top and the first argument register to boot_info,
 * and jumps to entry. Never returns; if the FS base cannot be cleared it
 * stops with an invalid instruction rather than run the guest with the
 * tender's thread pointer.
 */
__attribute__((noreturn)) void nabla_launch(uint64_t stack_top, uint64_t entry,
                                            uint64_t boot_info,
                                            const struct xstate_init *xstate);

#endif /* NABLA_LAUNCH_H */
