/* xstate.c: the guest starts with its vector, mask and x87 state reset. */
/*
 * The tender's own code (glibc's string functions above all: with AVX-512
 * they work in zmm16-31 and the opmask registers) leaves its data in the
 * extended registers: paths, messages, the plan. Clearing a list of
 * registers misses whatever the list forgot (zmm16-31, the upper halves,
 * k0-7, the x87 stack) and every register a later CPU adds. Instead the
 * trampoline (launch_x86_64.S) asks the CPU to put every state component the OS
 * enabled in its initial configuration: XRSTOR from an area whose header
 * says that no component is present (Intel SDM vol. 1, 13.8 "Operation of
 * XRSTOR": RFBM[i] = 1 and XSTATE_BV[i] = 0 initializes component i; the
 * AMD APM describes the same instruction). The Linux kernel resets a task's
 * registers for execve the same way, from its init_fpstate.
 */
#include <cpuid.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "report.h"
#include "xstate.h"

_Static_assert(XSTATE_IMAGE_SIZE == 512 + 64,
               "the image is the legacy region and the XSAVE header");

/* CPUID.1:ECX bit 27: the OS set CR4.OSXSAVE (XGETBV and XRSTOR work). */
#define CPUID1_ECX_OSXSAVE (1u << 27)
/* CPUID.(0DH, i):ECX bit 2: component i can be disabled through IA32_XFD. */
#define CPUID_D_ECX_XFD (1u << 2)
/* XCR0 bit 9: PKRU, the protection-key rights register. */
#define XFEATURE_PKRU 9

/* Legacy region (SDM vol. 1, 13.4.1): FXSAVE's layout, as FXRSTOR reads it. */
#define LEGACY_FCW 0         /* u16 x87 control word */
#define LEGACY_MXCSR 24      /* u32 SSE control and status */
#define LEGACY_SIZE 512      /* then the 64-byte XSAVE header */
#define HEADER_SIZE 64       /* XSTATE_BV, XCOMP_BV, 48 reserved bytes */
#define FCW_DEFAULT 0x037f   /* what FNINIT sets: all exceptions masked */
#define MXCSR_DEFAULT 0x1f80 /* the reset value: all exceptions masked */

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;

    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/*
 * Chooses what XRSTOR resets and how much memory it may touch, with one
 * CPUID.(0DH, i) per component of xcr0 (each CPUID is a VM exit under a
 * hypervisor, about 4 us here, so no component is asked twice). Every
 * enabled component, with two exceptions:
 *  - PKRU is not data but the kernel's access rights for protection keys
 *    (its default denies every key but 0); its init value, 0, would allow
 *    them all: it is left as the kernel set it.
 *  - Components IA32_XFD can disable (ECX bit 2; today AMX tile data).
 *    Linux keeps them disabled in every process that did not ask for them
 *    (arch_prctl ARCH_REQ_XCOMP_PERM); the tender never asks, so they
 *    cannot hold its data (any use traps and kills it), and XRSTOR could
 *    trap on them too (#NM), after the filter, where nothing can be
 *    reported.
 * The extent is the end of the last component chosen (EBX its offset in
 * the standard form, EAX its size). Only the header is read while
 * XSTATE_BV is 0, but the SDM does not promise that the rest is never
 * touched, so the trampoline keeps it mapped (trampoline.h).
 */
static void choose_components(struct xstate_init *x, uint64_t xcr0)
{
    unsigned a, b, c, d;

    x->rfbm = xcr0 & ~(1ull << XFEATURE_PKRU);
    for (unsigned i = 2; i < 63; i++) {
        if (!(x->rfbm & (1ull << i)))
            continue;
        __cpuid_count(0xd, i, a, b, c, d);
        if (c & CPUID_D_ECX_XFD) {
            x->rfbm &= ~(1ull << i);
            continue;
        }
        if (b < XSTATE_IMAGE_SIZE || a > XSTATE_AREA_MAX ||
            b > XSTATE_AREA_MAX - a)
            fail("cannot reset the vector registers: XSAVE component %u "
                 "is %u bytes at offset %u, outside the %u bytes the "
                 "tender allows",
                 i, a, b, XSTATE_AREA_MAX);
        if (a + b > x->extent)
            x->extent = a + b;
    }
}

void xstate_prepare(struct xstate_init *x)
{
    unsigned a, b, c, d;
    uint64_t xcr0;

    /*
     * The image is zero: x87 registers and pointers, XMM, and the header:
     * XSTATE_BV = 0 (no component present: initialize each one XRSTOR is
     * asked for), XCOMP_BV = 0 (standard form; XRSTOR faults if it is 0
     * and bytes 16-23 are not), reserved bytes 16-63 zero as the SDM
     * requires. Two fields are not zero, because a zero there is not the
     * init value:
     *  - MXCSR (offset 24): 0x1f80. The standard form of XRSTOR loads MXCSR
     *    from memory whenever RFBM[1] or RFBM[2] is set, even with
     *    XSTATE_BV[1] = 0 (SDM 13.8.1); 0 would unmask every SIMD
     *    floating-point exception. FXRSTOR loads it too.
     *  - FCW (offset 0): 0x037f. XRSTOR initializes x87 state (FCW 0x037f,
     *    FSW 0, all tags empty, FIP/FDP/FOP 0) without reading memory;
     *    FXRSTOR, the fallback below, loads FCW from here.
     * Everything else in the legacy region is the init value at 0: FSW,
     * the abridged tag word (0: all registers empty), FOP, FIP, FDP,
     * MXCSR_MASK (ignored when loading), ST0-7/MM0-7, XMM0-15.
     */
    memset(x, 0, sizeof *x);
    put16(x->image + LEGACY_FCW, FCW_DEFAULT);
    put32(x->image + LEGACY_MXCSR, MXCSR_DEFAULT);
    x->extent = XSTATE_IMAGE_SIZE;

    __cpuid(1, a, b, c, d);
    if (!(c & CPUID1_ECX_OSXSAVE)) {
        /*
         * No XSAVE: the OS cannot have enabled anything beyond x87, MMX and
         * SSE (AVX and later need XCR0, which needs CR4.OSXSAVE), and
         * FXRSTOR (every x86_64 CPU has it) loads exactly those from the
         * legacy region above. rfbm 0 selects it in the trampoline.
         */
        x->rfbm = 0;
        note("registers: no XSAVE; x87, MMX and SSE state reset with "
             "FXRSTOR at the jump");
        return;
    }
    xcr0 = xgetbv0();
    choose_components(x, xcr0);
    note("registers: every component of XCR0 0x%llx reset with XRSTOR at "
         "the jump (requested 0x%llx, a %u-byte area)",
         (unsigned long long)xcr0, (unsigned long long)x->rfbm, x->extent);
}
