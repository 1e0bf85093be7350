/* fpu.c: conformance guest: SSE and x87 arithmetic, default FPU state. */
#include "solo5.h"
#include "nabla_lib.h"

static int failures;

static void check(bool ok, const char *what)
{
    if (!ok) {
        printf("fpu: FAILED: %s\n", what);
        failures++;
    }
}

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

/*
 * Packed single precision, as upstream's test does, but with movaps on a
 * 16-byte aligned stack variable: movaps faults on a misaligned address, so
 * this also checks the bindings enter solo5_app_main() with the stack aligned
 * as the SysV ABI requires (the compiler trusts that for aligned locals).
 */
static void sse_packed(void)
{
    float v[4] __attribute__((aligned(16))) = {2.0f, 5.0f, -3.0f, 0.5f};
    float *p = v;

    /* Launder the address: the compiler would fold the test to "aligned". */
    __asm__("" : "+r"(p));
    if (((uintptr_t)p & 15) != 0) {
        check(false, "stack misaligned: a 16-aligned local is not aligned");
        return;
    }
    __asm__ volatile("movaps (%0), %%xmm1\n"
                     "mulps %%xmm1, %%xmm1\n"
                     "movaps %%xmm1, (%0)\n"
                     :
                     : "r"(p)
                     : "xmm1", "memory");
    check(v[0] == 4.0f && v[1] == 25.0f && v[2] == 9.0f && v[3] == 0.25f,
          "mulps gives {4, 25, 9, 0.25}");
}

/* Scalar double in SSE2: IEEE binary64, so 0.1 + 0.2 is not 0.3. */
static void sse_scalar(void)
{
    volatile double a = 0.1, b = 0.2, two = 2.0;
    check(bits(a + b) == 0x3fd3333333333334ull, "0.1 + 0.2 in binary64");
    double r;
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"((double)two));
    check(bits(r) == 0x3ff6a09e667f3bcdull, "sqrtsd(2)");
}

/* The x87 stack: 1.5 * 5 = 7.5, then / 8 = 0.9375 (all exact). */
static void x87(void)
{
    volatile double a = 1.5, b = 5.0, c = 8.0;
    double r;
    __asm__ volatile("fldl %1\n"
                     "fmull %2\n"
                     "fdivl %3\n"
                     "fstpl %0\n"
                     : "=m"(r)
                     : "m"(a), "m"(b), "m"(c));
    check(r == 0.9375, "x87 1.5 * 5 / 8");
}

/* The state a Linux process starts with, which guests rely on. */
static void control_words(void)
{
    uint32_t mxcsr;
    uint16_t fcw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    printf("fpu: mxcsr 0x%x, x87 control word 0x%x\n", mxcsr, fcw);
    /* Bits 0-5 are sticky status flags that earlier code may have set. */
    check((mxcsr & 0xffc0) == 0x1f80, "MXCSR: nearest, all masked");
    check(fcw == 0x037f, "x87 control word: nearest, 64-bit, all masked");

    /* Masked: these give inf and NaN, never SIGFPE. */
    volatile double zero = 0.0, one = 1.0;
    double inf = one / zero, nan = zero / zero;
    check(bits(inf) == 0x7ff0000000000000ull, "1 / 0 is +inf");
    check(nan != nan, "0 / 0 is NaN");
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    printf("\n**** nabla conformance: fpu ****\n\n");
    control_words();
    sse_packed();
    sse_scalar();
    x87();
    if (failures != 0)
        return SOLO5_EXIT_FAILURE;
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
