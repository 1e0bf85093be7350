/* regs.c: test guest printing the registers it starts with, taken before C. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Built with the entry point regs_entry (-Wl,-e,regs_entry; see
 * test/security/registers.test.ts), so the first instructions the guest runs
 * are the ones below: they store the general registers and RFLAGS, then the
 * whole legacy state with FXSAVE64 (x87 control, status and tag words, FOP,
 * FIP, FDP, MXCSR, ST0-7, XMM0-15), then, when the OS enabled XSAVE, every
 * component in XCR0 with XSAVE64 (AVX upper halves, opmask k0-7, ZMM upper
 * halves, zmm16-31, and whatever else), and only then jump to the SDK's
 * _start with %rdi and %rsp as they came. None of these instructions writes
 * a vector, mask or x87 register, so what is stored is what the tender left.
 */
#define REGS_XSAVE_SIZE 16384

uint64_t regs_gpr[17]; /* rax..r15 in encoding order, then RFLAGS */
uint8_t regs_fx[512] __attribute__((aligned(64)));
uint8_t regs_xsave[REGS_XSAVE_SIZE] __attribute__((aligned(64)));
uint64_t regs_have_xsave;

__asm__("    .text\n"
        "    .globl regs_entry\n"
        "    .type regs_entry, @function\n"
        "regs_entry:\n"
        "    movq %rax, regs_gpr+0(%rip)\n"
        "    movq %rcx, regs_gpr+8(%rip)\n"
        "    movq %rdx, regs_gpr+16(%rip)\n"
        "    movq %rbx, regs_gpr+24(%rip)\n"
        "    movq %rsp, regs_gpr+32(%rip)\n"
        "    movq %rbp, regs_gpr+40(%rip)\n"
        "    movq %rsi, regs_gpr+48(%rip)\n"
        "    movq %rdi, regs_gpr+56(%rip)\n"
        "    movq %r8, regs_gpr+64(%rip)\n"
        "    movq %r9, regs_gpr+72(%rip)\n"
        "    movq %r10, regs_gpr+80(%rip)\n"
        "    movq %r11, regs_gpr+88(%rip)\n"
        "    movq %r12, regs_gpr+96(%rip)\n"
        "    movq %r13, regs_gpr+104(%rip)\n"
        "    movq %r14, regs_gpr+112(%rip)\n"
        "    movq %r15, regs_gpr+120(%rip)\n"
        "    pushfq\n"
        "    popq regs_gpr+128(%rip)\n"
        "    fxsave64 regs_fx(%rip)\n"
        /* CPUID.1:ECX.OSXSAVE[27]: XSAVE usable. */
        "    movl $1, %eax\n"
        "    cpuid\n"
        "    btl $27, %ecx\n"
        "    jnc 1f\n"
        /* CPUID.(0DH,0):EBX: the area XCR0's components need. */
        "    movl $0xd, %eax\n"
        "    xorl %ecx, %ecx\n"
        "    cpuid\n"
        "    cmpl $16384, %ebx\n"
        "    ja 1f\n"
        /* RFBM = all of XCR0. */
        "    movl $-1, %eax\n"
        "    movl $-1, %edx\n"
        "    xsave64 regs_xsave(%rip)\n"
        "    movq $1, regs_have_xsave(%rip)\n"
        "1:\n"
        "    jmp _start\n"
        "    .size regs_entry, . - regs_entry\n");

extern void regs_entry(void);

static const char *const GPR_NAMES[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static unsigned failures;

static uint64_t get(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = n; i > 0; i--)
        v = (v << 8) | p[i - 1];
    return v;
}

static void cpuid(unsigned leaf, unsigned sub, unsigned r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static uint64_t xcr0(void)
{
    unsigned lo, hi;

    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * One register: its bytes in memory order (lowest first) as hex, then any
 * printable ones as text, so that leftover strings can be read.
 */
static void dump(const char *name, unsigned index, const uint8_t *parts[],
                 const unsigned sizes[], unsigned nparts)
{
    char hex[2 * 64 + 1], text[64 + 1];
    unsigned h = 0, t = 0, nonzero = 0;

    for (unsigned p = 0; p < nparts; p++)
        for (unsigned i = 0; i < sizes[p]; i++) {
            uint8_t b = parts[p] ? parts[p][i] : 0;
            hex[h++] = "0123456789abcdef"[b >> 4];
            hex[h++] = "0123456789abcdef"[b & 15];
            text[t++] = b >= 0x20 && b < 0x7f ? (char)b : '.';
            nonzero += b != 0;
        }
    hex[h] = text[t] = '\0';
    if (nonzero == 0) {
        printf("regs: %s%u 0\n", name, index);
        return;
    }
    failures++;
    printf("regs: %s%u %s |%s| NOT ZERO\n", name, index, hex, text);
}

static void expect(const char *name, uint64_t value, uint64_t want)
{
    printf("regs: %s 0x%llx%s\n", name, (unsigned long long)value,
           value == want ? "" : " NOT DEFAULT");
    failures += value != want;
}

static void check_gprs(uint64_t entry)
{
    /* The tender hands over the boot info, the stack and the entry. */
    uint64_t mem_size = *(const uint64_t *)regs_gpr[7];

    for (unsigned i = 0; i < 16; i++) {
        uint64_t want = i == 4 ? mem_size - 8 : i == 7 ? 0x11000 : 0;
        if (i == 15)
            want = entry;
        expect(GPR_NAMES[i], regs_gpr[i], want);
    }
    printf("regs: rflags 0x%llx\n", (unsigned long long)regs_gpr[16]);
}

/* FXSAVE64 image (SDM vol. 1, 10.5.1): all of x87, MMX and SSE. */
static void check_legacy(void)
{
    expect("fcw", get(regs_fx + 0, 2), 0x37f);
    expect("fsw", get(regs_fx + 2, 2), 0);
    expect("ftw", get(regs_fx + 4, 1), 0); /* abridged: 0 = all empty */
    expect("fop", get(regs_fx + 6, 2), 0);
    expect("fip", get(regs_fx + 8, 8), 0);
    expect("fdp", get(regs_fx + 16, 8), 0);
    expect("mxcsr", get(regs_fx + 24, 4), 0x1f80);
    for (unsigned i = 0; i < 8; i++) {
        const uint8_t *p[] = {regs_fx + 32 + 16 * i};
        const unsigned n[] = {10};
        dump("st", i, p, n, 1);
    }
}

/* A state component in the standard-form XSAVE image, or NULL if absent. */
static const uint8_t *component(unsigned i, unsigned *size)
{
    unsigned r[4];

    if (!regs_have_xsave || !(xcr0() & (1ull << i)))
        return NULL;
    cpuid(0xd, i, r);
    *size = r[0];
    return regs_xsave + r[1];
}

int solo5_app_main(const struct solo5_start_info *si)
{
    unsigned ymm_n = 0, k_n = 0, zhi_n = 0, z16_n = 0;
    const uint8_t *ymm = component(2, &ymm_n);
    const uint8_t *k = component(5, &k_n);
    const uint8_t *zhi = component(6, &zhi_n);
    const uint8_t *z16 = component(7, &z16_n);
    uint64_t x0 = regs_have_xsave ? xcr0() : 0;

    (void)si;
    printf("regs: xsave %s, xcr0 0x%llx, xstate_bv 0x%llx\n",
           regs_have_xsave ? "yes" : "no", (unsigned long long)x0,
           (unsigned long long)get(regs_xsave + 512, 8));
    check_gprs((uint64_t)(uintptr_t)regs_entry);
    check_legacy();
    /* zmm0-15: xmm (legacy) + ymm upper half + zmm upper half. */
    for (unsigned i = 0; i < 16; i++) {
        const uint8_t *p[] = {regs_fx + 160 + 16 * i, ymm ? ymm + 16 * i : 0,
                              zhi ? zhi + 32 * i : 0};
        const unsigned n[] = {16, ymm ? 16u : 0, zhi ? 32u : 0};
        dump(zhi ? "zmm" : ymm ? "ymm" : "xmm", i, p, n, 3);
    }
    for (unsigned i = 0; z16 && i < 16; i++) {
        const uint8_t *p[] = {z16 + 64 * i};
        const unsigned n[] = {64};
        dump("zmm", 16 + i, p, n, 1);
    }
    for (unsigned i = 0; k && i < 8; i++) {
        const uint8_t *p[] = {k + 8 * i};
        const unsigned n[] = {8};
        dump("k", i, p, n, 1);
    }
    /* Every other component but PKRU (rights, not data): all zero too. */
    for (unsigned i = 3; i < 63; i++) {
        unsigned size = 0;
        const uint8_t *c =
            i == 5 || i == 6 || i == 7 || i == 9 ? NULL : component(i, &size);
        if (c) {
            const uint8_t *p[] = {c};
            dump("component", i, p, &size, 1);
        }
    }
    printf("regs: checked: gpr x87 sse%s%s%s%s\n", ymm ? " avx" : "",
           k ? " opmask" : "", zhi ? " zmm_hi256" : "", z16 ? " hi16_zmm" : "");
    printf("regs: not checked:%s%s%s%s%s\n",
           regs_have_xsave ? "" : " (no XSAVE)", ymm ? "" : " avx",
           k ? "" : " opmask", zhi ? "" : " zmm_hi256", z16 ? "" : " hi16_zmm");
    printf("regs: %u not in their init state\n", failures);
    return failures == 0 ? SOLO5_EXIT_SUCCESS : SOLO5_EXIT_FAILURE;
}
