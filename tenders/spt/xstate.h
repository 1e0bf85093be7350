/* xstate.h: the guest starts with its vector, mask and x87 state reset. */
#ifndef NABLA_XSTATE_H
#define NABLA_XSTATE_H

/*
 * Offsets in struct xstate_init, for launch_x86_64.S (which includes this
 * header through the C preprocessor); static asserts in xstate.c keep them
 * true.
 */
#define XSTATE_INIT_RFBM 0  /* u64: XRSTOR's EDX:EAX; 0 means FXRSTOR */
#define XSTATE_INIT_AREA 64 /* the XSAVE area, 64-byte aligned */

/*
 * The area holds the legacy region and the header, which is all that
 * XRSTOR reads when XSTATE_BV is 0, and room for every component the CPU
 * may have enabled (CPUID.(EAX=0DH,ECX=0):EBX is checked against it): 16
 * KiB covers x87 to AMX tile data (11,008 bytes) with room to spare. It is
 * in .bss, zero from exec; only the pages xstate_prepare writes cost memory.
 */
#define XSTATE_AREA_SIZE 16384

#ifndef __ASSEMBLER__
#include <stdint.h>

struct xstate_init {
    uint64_t rfbm;
    uint8_t pad[XSTATE_INIT_AREA - sizeof(uint64_t)];
    uint8_t area[XSTATE_AREA_SIZE];
} __attribute__((aligned(64))); /* XRSTOR faults on less */

/*
 * Fills x (which must not be guest memory) so that nabla_launch can put
 * every user state component the OS enabled in its initial configuration
 * with one instruction. Runs before the seccomp filter: it may fail with a
 * message; nabla_launch itself needs no syscall for it.
 */
void xstate_prepare(struct xstate_init *x);

#endif /* __ASSEMBLER__ */
#endif /* NABLA_XSTATE_H */
