/* xstate.h: the guest starts with its vector, mask and x87 state reset. */
#ifndef NABLA_XSTATE_H
#define NABLA_XSTATE_H

/*
 * What XRSTOR reads when the header's XSTATE_BV is 0: the legacy region
 * (512 bytes, FXSAVE's layout: FXRSTOR reads exactly this) and the 64-byte
 * XSAVE header. The trampoline (trampoline.h) holds these bytes at its page
 * start, which is 64-aligned as XRSTOR requires.
 */
#define XSTATE_IMAGE_SIZE 576

/*
 * The largest area the reset may span. The trampoline mapping is made at
 * least xstate_init.extent long; 16 KiB covers every user component a CPU
 * has today (x87 to AMX tile data end at 11,008 bytes) with room to spare.
 */
#define XSTATE_AREA_MAX 16384

#ifndef __ASSEMBLER__
#include <stdint.h>

struct xstate_init {
    uint64_t rfbm;   /* XRSTOR's EDX:EAX; 0 means use FXRSTOR */
    uint32_t extent; /* bytes from the area's start the reset may touch */
    uint8_t image[XSTATE_IMAGE_SIZE]; /* the area's first bytes */
};

/*
 * Fills x so that the trampoline can put every user state component the OS
 * enabled in its initial configuration with one instruction, from a copy
 * of x->image at a 64-aligned address followed by at least x->extent -
 * XSTATE_IMAGE_SIZE more mapped bytes. Runs before the unmapping: it may
 * fail with a message; the trampoline itself needs no syscall for it.
 */
void xstate_prepare(struct xstate_init *x);

#endif /* __ASSEMBLER__ */
#endif /* NABLA_XSTATE_H */
