/* launch.h: the last stage: leave nothing of the tender, filter, jump. */
#ifndef NABLA_LAUNCH_H
#define NABLA_LAUNCH_H

#include <linux/filter.h>
#include <stdint.h>

#include "addr_space.h"
#include "xstate.h"

/* Bytes at launch.lines_at the last stage may use. */
#define LAUNCH_LINES_SIZE 2048

/* Everything the last stage needs. */
struct launch {
    uint64_t mem_size; /* guest memory is [SPT_HOST_MEM_BASE, mem_size) */
    uint64_t entry;    /* the guest's entry point */
    /*
     * LAUNCH_LINES_SIZE zero bytes of guest memory below SPT_GUEST_MIN_BASE
     * where the trampoline's failure lines wait (they name the tender, so
     * they are not in its page); zero again when the guest starts. The
     * tender gives the end of its boot data (guest_mem_boot_end), in a page
     * the boot data touched already, so that it costs no memory.
     */
    uint64_t lines_at;
    const struct sock_filter *bpf; /* the plan's filter, installed as is */
    unsigned short bpf_len;        /* instructions */
    struct addr_space space;       /* from addr_space_read */
    /*
     * The register reset's area, or NULL to prepare it here. A template
     * prepares it once for all its guests: its CPUID instructions each
     * cost a VM exit on a virtual machine.
     */
    const struct xstate_init *xstate;
};

/*
 * Starts the guest; never returns. Guest memory must be loaded and its boot
 * info written, the descriptors, limits and dumpability final, and
 * l->space read (addr_space_read, which needs a free descriptor). In order:
 *  - the extension page (ext_page.h: the vDSO's clock for the guest);
 *  - before the point of no return, each failure one line and status 1 as
 *    every earlier step: no_new_privs, the register reset's area
 *    (xstate.c), and a trampoline page made read+execute, never writable
 *    and executable at once, outside guest memory (trampoline.h);
 *  - in the trampoline, raw system calls only, on the guest's stack: unmap
 *    everything but guest memory, the vDSO and the trampoline; clear the
 *    FS base (arch_prctl ARCH_SET_FS 0); install the filter; reset every
 *    vector, mask and x87 register (XRSTOR); clear the general registers
 *    but %rdi (boot info) and %rsp (mem_size - 8); jump to l->entry. A
 *    system call that fails there still prints one line ("<prog>: ...
 *    errno N") and exits 1: the filter is not yet installed.
 * The resident start engine's forked child calls it as the tender does.
 */
__attribute__((noreturn)) void nabla_enter_guest(const struct launch *l);

#endif /* NABLA_LAUNCH_H */
