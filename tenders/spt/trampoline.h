/* trampoline.h: the page that unmaps the tender, installs the filter, jumps. */
#ifndef NABLA_TRAMPOLINE_H
#define NABLA_TRAMPOLINE_H

/*
 * The trampoline is one anonymous mapping (one page unless the filter is
 * long) that launch.c fills and makes read+execute, and whose code
 * (launch_x86_64.S) is the last of the tender to run. It holds everything
 * that code reads, because by then nothing else of the tender is mapped:
 *
 *   0     the XSAVE legacy region and header XRSTOR resets the registers
 *         from (XSTATE_IMAGE_SIZE bytes; the page start is 64-aligned)
 *   576   struct trampoline: the guest's entry state, the ranges to unmap,
 *         the filter's sock_fprog, where each failure line is
 *   ...   the code, copied from launch_x86_64.S
 *   ...   the BPF program, the plan's bytes unchanged
 *
 * The failure lines name the tender ("nabla-run: ..."), a word of its argv,
 * so they are not in the page: they wait in guest memory after the boot
 * data (launch.h), which the trampoline clears again once the filter is
 * installed. The page holds nothing the guest does not know already.
 *
 * XRSTOR may touch the whole area of the components it resets (up to
 * about 2.5 KiB past the page start with AVX-512, xstate.c); the mapping
 * is made at least that long. Past the header that area overlaps the
 * fields, code and filter above: with XSTATE_BV 0, XRSTOR initializes each
 * component without reading its bytes, and were a CPU to read them
 * anyway, it would load bytes the guest can read in this page itself.
 *
 * Offsets for launch_x86_64.S, which includes this header through the C
 * preprocessor; static asserts in launch.c keep them true.
 */
#define TRAMP_XSTATE 0        /* the XSAVE area's start */
#define TRAMP_STACK_TOP 576   /* u64: the guest's %rsp */
#define TRAMP_ENTRY 584       /* u64: the guest's entry point */
#define TRAMP_BOOT_INFO 592   /* u64: the guest's %rdi */
#define TRAMP_RFBM 600        /* u64: XRSTOR's EDX:EAX; 0: FXRSTOR */
#define TRAMP_FPROG 608       /* struct sock_fprog, 16 bytes */
#define TRAMP_LINES_LEN 624   /* u64: bytes of the failure lines */
#define TRAMP_UNMAP_COUNT 632 /* u64: entries used in TRAMP_UNMAP */
#define TRAMP_MSG 640         /* TRAMP_STEPS x struct tramp_span */
#define TRAMP_UNMAP 688       /* TRAMP_MAX_UNMAP x struct tramp_span */
#define TRAMP_CODE 880        /* the code, 16-aligned */

/* struct tramp_span: a range, or a failure line in guest memory. */
#define TRAMP_SPAN_START 0
#define TRAMP_SPAN_LEN 8
#define TRAMP_SPAN_SIZE 16

/*
 * The steps that can fail after the first munmap, where nothing of libc is
 * left to print with: each has a line, "<prog>: <text>", to which the
 * trampoline adds "errno N" (launch.c). The lines are consecutive in guest
 * memory, the first at msg[0].start. Offsets of their struct tramp_span in
 * TRAMP_MSG.
 */
#define TRAMP_STEPS 3
#define TRAMP_MSG_UNMAP 0
#define TRAMP_MSG_FS 16
#define TRAMP_MSG_SECCOMP 32

/*
 * Gaps between the ranges that stay: below guest memory, between it and
 * the trampoline and the vDSO pages, and above them; guest memory, the
 * trampoline and up to 8 vDSO mappings (addr_space.h) leave at most 11.
 */
#define TRAMP_MAX_UNMAP 12

#ifndef __ASSEMBLER__
#include <linux/filter.h>
#include <stdint.h>

#include "xstate.h"

struct tramp_span {
    uint64_t start; /* an address */
    uint64_t len;   /* bytes */
};

struct trampoline {
    uint8_t xstate[XSTATE_IMAGE_SIZE];
    uint64_t stack_top;
    uint64_t entry;
    uint64_t boot_info;
    uint64_t rfbm;
    struct sock_fprog prog;
    uint64_t lines_len;
    uint64_t unmap_count;
    struct tramp_span msg[TRAMP_STEPS];
    struct tramp_span unmap[TRAMP_MAX_UNMAP];
} __attribute__((aligned(16)));

/* The code, between these labels in launch_x86_64.S; never run in place. */
extern const uint8_t nabla_trampoline_code[];
extern const uint8_t nabla_trampoline_code_end[];

#endif /* __ASSEMBLER__ */
#endif /* NABLA_TRAMPOLINE_H */
