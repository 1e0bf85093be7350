/* launch.c: the last stage: leave nothing of the tender, filter, jump. */
/*
 * The guest's filter does not allow munmap (and must not: it would stop
 * being the filter the audit reports), so the unmapping has to happen
 * before the filter; and after it nothing of libc, the tender's stack or
 * its data may be touched. Hence a trampoline: one fresh anonymous page,
 * filled here with its code (launch_x86_64.S, position independent), the
 * guest's entry state, the ranges to unmap, the BPF program and the lines
 * to print should a step fail, then made read+execute. The tender calls
 * into it and it does the rest with raw system calls (launch.h). It is the
 * one thing of the tender that stays: it cannot unmap itself and then
 * still install the filter and jump. It holds nothing the guest does not
 * know already: its own entry state and filter, addresses of what stays
 * mapped, and the tender's name in the failure lines.
 *
 * W^X: the page is mapped read+write, filled, then changed to read+execute
 * with mprotect; it is never writable and executable at once, and the
 * guest cannot make it writable again (mprotect is not allowed either).
 * The kernel places it (above guest memory, next to the other mappings it
 * made, usually the vDSO, whose page tables it then shares).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc 2.35 and later: its rseq registration (rseq_unregister). */
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define HAVE_GLIBC_RSEQ 1
#endif

#include "spt_abi.h"
#include "ext_page.h"
#include "launch.h"
#include "report.h"
#include "trampoline.h"
#include "xstate.h"

_Static_assert(offsetof(struct trampoline, xstate) == TRAMP_XSTATE, "xstate");
_Static_assert(offsetof(struct trampoline, stack_top) == TRAMP_STACK_TOP,
               "stack_top");
_Static_assert(offsetof(struct trampoline, entry) == TRAMP_ENTRY, "entry");
_Static_assert(offsetof(struct trampoline, boot_info) == TRAMP_BOOT_INFO,
               "boot_info");
_Static_assert(offsetof(struct trampoline, rfbm) == TRAMP_RFBM, "rfbm");
_Static_assert(offsetof(struct trampoline, prog) == TRAMP_FPROG, "prog");
_Static_assert(sizeof(struct sock_fprog) == 16, "sock_fprog");
_Static_assert(offsetof(struct trampoline, lines_len) == TRAMP_LINES_LEN,
               "lines_len");
_Static_assert(offsetof(struct trampoline, unmap_count) == TRAMP_UNMAP_COUNT,
               "unmap_count");
_Static_assert(offsetof(struct trampoline, msg) == TRAMP_MSG, "msg");
_Static_assert(offsetof(struct trampoline, msg[1]) == TRAMP_MSG + TRAMP_MSG_FS,
               "msg[TRAMP_MSG_FS]");
_Static_assert(offsetof(struct trampoline, msg[2]) ==
                   TRAMP_MSG + TRAMP_MSG_SECCOMP,
               "msg[TRAMP_MSG_SECCOMP]");
_Static_assert(offsetof(struct trampoline, unmap) == TRAMP_UNMAP, "unmap");
_Static_assert(sizeof(struct tramp_span) == TRAMP_SPAN_SIZE, "span");
_Static_assert(sizeof(struct trampoline) == TRAMP_CODE, "code follows");

#define PAGE 4096u

/* Stack pointer at entry: the x86_64 ABI wants (%rsp + 8) 16-aligned. */
#define STACK_OFFSET 8

/*
 * The failure lines wait at l->lines_at in guest memory (launch.h). On a
 * failure the trampoline appends the errno's digits (at most 20) and a
 * newline to the step's line there and prints it (the guest never runs
 * then); on success it zeroes them again before the jump, so the guest
 * finds that memory as docs/abi.md §4.1 says: zero.
 */
#define LINE_MAX 512
#define LINES_MAX (TRAMP_STEPS * LINE_MAX + 32)
_Static_assert(LINES_MAX <= LAUNCH_LINES_SIZE, "the lines and an errno fit");

/*
 * glibc (2.35 on) registers each thread's rseq area, inside its thread
 * data, with the kernel, which then writes the current CPU there whenever
 * the thread returns to user space. Once that memory is unmapped, the
 * kernel's next write fails and it kills the process (SIGSEGV): the munmap
 * that removes it would not return. So the registration goes
 * first, with the arguments glibc gave (its area, its length: __rseq_size,
 * at least the 32 bytes of the original ABI, and its signature). Nothing
 * is registered if glibc's rseq is off (__rseq_size 0, the
 * glibc.pthread.rseq=0 tunable) or the kernel refused it (cpu_id -2), and
 * an older glibc registers none.
 */
static void rseq_unregister(void)
{
#ifdef HAVE_GLIBC_RSEQ
    struct rseq *area;
    unsigned size = __rseq_size < 32 ? 32 : __rseq_size;
    char *tp;

    if (__rseq_size == 0)
        return;
    /* The thread pointer: the x86_64 TCB starts with a pointer to itself. */
    __asm__("movq %%fs:0, %0" : "=r"(tp));
    area = (struct rseq *)(tp + __rseq_offset);
    if ((int32_t)area->cpu_id == RSEQ_CPU_ID_REGISTRATION_FAILED)
        return;
    if (syscall(SYS_rseq, area, size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0)
        fail("cannot unregister the thread's rseq area (%u bytes), which "
             "the kernel would write after the jump: %s",
             size, strerror(errno));
#endif
}

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/*
 * Writes "<prog>: <text>" (the errno's number and the newline are the
 * trampoline's) at guest address *at, records it in span, advances *at.
 */
__attribute__((format(printf, 3, 4))) static void
put_line(uint64_t *at, struct tramp_span *span, const char *fmt, ...)
{
    char text[LINE_MAX];
    int n;
    va_list ap;

    va_start(ap, fmt);
    n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof text)
        n = sizeof text - 1;
    memcpy((void *)(uintptr_t)*at, text, (size_t)n);
    span->start = *at;
    span->len = (uint64_t)n;
    *at += (uint64_t)n;
}

/* The failure lines, in the order of TRAMP_MSG_*; returns their length. */
static uint64_t put_lines(const struct launch *l, struct tramp_span *msg)
{
    const char *p = report_prog();
    uint64_t at = l->lines_at;

    put_line(&at, &msg[0],
             "%.200s: cannot unmap the tender's memory before the jump: "
             "errno ",
             p);
    put_line(&at, &msg[1], "%.200s: cannot clear the FS base: errno ", p);
    put_line(&at, &msg[2],
             "%.200s: cannot install the seccomp filter (%u instructions): "
             "errno ",
             p, l->bpf_len);
    return at - l->lines_at;
}

void nabla_enter_guest(const struct launch *l)
{
    const size_t code_len =
        (size_t)(nabla_trampoline_code_end - nabla_trampoline_code);
    const size_t bpf_at = round_up(TRAMP_CODE + code_len, 8);
    const size_t used = bpf_at + (size_t)l->bpf_len * sizeof *l->bpf;
    struct xstate_init own;
    const struct xstate_init *xs = l->xstate;
    struct addr_range keep[2], gap[TRAMP_MAX_UNMAP];
    struct trampoline *t;
    uint8_t *page;
    size_t size;
    int gaps;

    /* A caller's mistake, not the host's: the lines are written there. */
    if (l->lines_at < SPT_HOST_MEM_BASE ||
        l->lines_at > SPT_GUEST_MIN_BASE - LAUNCH_LINES_SIZE)
        fail("invalid launch: the failure lines' address 0x%llx is not in "
             "guest memory below 0x%llx",
             (unsigned long long)l->lines_at, SPT_GUEST_MIN_BASE);
    /*
     * Boot data, but written here, where every start path passes (the
     * template's forked child too): the vDSO's clock for SDK guests.
     */
    ext_page_write(&l->space);
    /*
     * Without CAP_SYS_ADMIN the kernel only accepts a filter from a process
     * that can never gain privileges (setuid executables); the guest cannot
     * exec anyway, so this costs nothing. Set here, where it can fail with
     * a message; the filter itself is the trampoline's.
     */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("cannot set no_new_privs: %s", strerror(errno));
    if (xs == NULL) {
        xstate_prepare(&own);
        xs = &own;
    }

    size = round_up(used > xs->extent ? used : xs->extent, PAGE);
    page = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (page == MAP_FAILED)
        fail("cannot map the %zu-byte trampoline: %s", size, strerror(errno));
    t = (struct trampoline *)page;

    memcpy(t->xstate, xs->image, sizeof t->xstate);
    t->rfbm = xs->rfbm;
    t->stack_top = l->mem_size - STACK_OFFSET;
    t->entry = l->entry;
    t->boot_info = SPT_BOOT_INFO_BASE;
    memcpy(page + TRAMP_CODE, nabla_trampoline_code, code_len);
    /* The plan's bytes, unchanged: the filter the audit decoded. */
    memcpy(page + bpf_at, l->bpf, (size_t)l->bpf_len * sizeof *l->bpf);
    t->prog.len = l->bpf_len;
    t->prog.filter = (struct sock_filter *)(page + bpf_at);
    t->lines_len = put_lines(l, t->msg);

    keep[0].start = SPT_HOST_MEM_BASE;
    keep[0].end = l->mem_size;
    keep[1].start = (uint64_t)(uintptr_t)page;
    keep[1].end = keep[1].start + size;
    gaps = addr_space_gaps(&l->space, keep, 2, gap, TRAMP_MAX_UNMAP);
    if (gaps < 0)
        fail("cannot work out what to unmap before the jump: guest memory "
             "0x%llx-0x%llx, the trampoline at %p and %u vDSO mapping%s "
             "overlap or leave more than %d gaps",
             SPT_HOST_MEM_BASE, (unsigned long long)l->mem_size, (void *)page,
             l->space.vdso_count, l->space.vdso_count == 1 ? "" : "s",
             TRAMP_MAX_UNMAP);
    for (int i = 0; i < gaps; i++) {
        t->unmap[i].start = gap[i].start;
        t->unmap[i].len = gap[i].end - gap[i].start;
    }
    t->unmap_count = (uint64_t)gaps;

    if (report_is_verbose()) {
        note(
            "address space: unmapping all but guest memory (0x%llx-0x%llx), "
            "%u vDSO mapping%s (0x%llx-0x%llx) and a %zu-byte trampoline "
            "at %p; %d range%s up to 0x%llx",
            SPT_HOST_MEM_BASE, (unsigned long long)l->mem_size,
            l->space.vdso_count, l->space.vdso_count == 1 ? "" : "s",
            l->space.vdso_count ? (unsigned long long)l->space.vdso[0].start
                                : 0ull,
            l->space.vdso_count
                ? (unsigned long long)l->space.vdso[l->space.vdso_count - 1].end
                : 0ull,
            size, (void *)page, gaps, gaps == 1 ? "" : "s",
            (unsigned long long)l->space.top);
        note("seccomp: no_new_privs, then the filter, from the trampoline; "
             "jumping to the guest");
    }
    rseq_unregister();
    /* The last library call: from here on the page is only executed. */
    if (mprotect(page, size, PROT_READ | PROT_EXEC) != 0)
        fail("cannot make the trampoline read+execute: %s", strerror(errno));

    ((void (*)(struct trampoline *))(uintptr_t)(page + TRAMP_CODE))(t);
    __builtin_unreachable();
}
