/* enter.c: the last stage of every start: the filter, then the jump. */
#include "spt_abi.h"
#include "enter.h"
#include "filter_install.h"
#include "launch.h"
#include "report.h"

/* Stack pointer at entry: the x86_64 ABI wants (%rsp + 8) 16-aligned. */
#define STACK_OFFSET 8

void nabla_enter_guest(const struct plan *plan, uint64_t entry,
                       const struct xstate_init *xstate)
{
    /* From here on: no printing, no allocation, no library calls. */
    note("seccomp: no_new_privs, then the filter; jumping to the guest");
    filter_install(plan);
    nabla_launch(plan->hdr->mem_size - STACK_OFFSET, entry, SPT_BOOT_INFO_BASE,
                 xstate);
}
