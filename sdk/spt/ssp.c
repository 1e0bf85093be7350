/* ssp.c: the stack protector's guard value and its failure handler. */
#include "bindings.h"

/*
 * Guests are compiled with -fstack-protector-strong
 * -mstack-protector-guard=global: protected functions copy this word below
 * their locals on entry and compare it on return. The default, a guard at
 * %fs:0x28, would read through the TLS pointer, which is zero until the
 * application calls solo5_set_tls_base(), and so fault in every guest.
 *
 * This file and start.c are compiled without the protector: ssp_init()
 * changes the guard, so a protected caller (or ssp_init itself) would see a
 * different value on return than it stored on entry.
 */
uintptr_t __stack_chk_guard;

/* The x86 time-stamp counter: differs from boot to boot by scheduling. */
static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * RDRAND when the CPU has it (CPUID leaf 1, ECX bit 30). cpuid and rdrand
 * are instructions, not system calls, so the seccomp filter does not see
 * them. A CPU that fails ten times in a row contributes nothing.
 */
static uint64_t rdrand(void)
{
    uint32_t eax = 1, ebx, ecx = 0, edx;
    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    if (!(ecx & (1u << 30)))
        return 0;
    for (int i = 0; i < 10; i++) {
        uint64_t v;
        uint8_t ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (ok)
            return v;
    }
    return 0;
}

/* A 64-bit finaliser (splitmix64): every input bit affects every output. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

void ssp_init(void)
{
    struct sys_timespec wall = {0, 0}, mono = {0, 0};

    /*
     * spt offers no source of randomness (getrandom is not in the filter),
     * so combine what differs between boots: the cycle counter read twice
     * around two clock calls (their latency varies), both clocks, and
     * RDRAND where it exists. Guest memory sits at fixed addresses, so
     * addresses add nothing.
     */
    uint64_t seed = mix(rdtsc());
    (void)sys_clock_gettime(SYS_CLOCK_REALTIME, &wall);
    (void)sys_clock_gettime(SYS_CLOCK_MONOTONIC, &mono);
    seed = mix(seed ^ (uint64_t)wall.tv_sec ^ ((uint64_t)wall.tv_nsec << 32));
    seed = mix(seed ^ (uint64_t)mono.tv_nsec ^ ((uint64_t)mono.tv_sec << 30));
    seed = mix(seed ^ rdtsc());
    seed = mix(seed ^ rdrand());

    /*
     * As glibc does: the lowest byte (the first in memory) is zero, so a
     * string overflow cannot copy the guard, and a string read that runs
     * into it stops there instead of leaking it.
     */
    seed &= ~(uint64_t)0xff;
    if (seed == 0)
        seed = 0xff0a0d00ull << 32; /* never all-zero, however unlikely */
    __stack_chk_guard = (uintptr_t)seed;
}

/*
 * Called by a protected function whose guard copy changed: its frame, and
 * maybe its return address, are corrupt. The stack pointer itself is still
 * good, so calling out to print is safe; nothing returns from here.
 */
void __stack_chk_fail(void) __attribute__((noreturn));

void __stack_chk_fail(void)
{
    sdk_panic("stack smashing detected");
}
