/* tls.c: thread-local storage blocks for x86_64 (TLS variant II). */
#include "bindings.h"

/*
 * Variant II: a thread's TLS data ends exactly at its thread pointer (%fs
 * base) and the thread control block starts there. The local-exec code gcc
 * emits reads variables at negative offsets from %fs, and reads the TCB's
 * first word, %fs:0, to get the thread pointer itself (for &var), so that
 * word must point to itself.
 *
 * Block layout from (tls), of solo5_tls_size() bytes:
 *   [tls, tls + span)   .tdata copy, then .tbss zeroed, padded to span
 *   [tls + span, +8)    TCB: the self-pointer; tp = tls + span
 * The linker computes offsets as var - _tls_start - span, with span the
 * template size rounded up to the segment's alignment; tp must have that
 * alignment too, which is why (tls) must.
 */
extern char _tls_start[], _tdata_end[], _tls_end[], _tls_align[];

struct tcb {
    void *self;
};

static uintptr_t tls_align(void)
{
    uintptr_t a = (uintptr_t)_tls_align;
    return a == 0 ? 1 : a;
}

static size_t tls_span(void)
{
    size_t size = (size_t)(_tls_end - _tls_start);
    uintptr_t a = tls_align();
    return (size + a - 1) & ~(a - 1);
}

size_t solo5_tls_size(void)
{
    return tls_span() + sizeof(struct tcb);
}

uintptr_t solo5_tls_tp_offset(uintptr_t tls)
{
    return tls + tls_span();
}

solo5_result_t solo5_tls_init(uintptr_t tls)
{
    uintptr_t a = tls_align();
    /* tp = tls + span must be aligned, and the TCB word 8-aligned. */
    if (tls == 0 || (tls & (a - 1)) != 0 || (tls & 7) != 0)
        return SOLO5_R_EINVAL;

    size_t data = (size_t)(_tdata_end - _tls_start);
    memcpy((void *)tls, _tls_start, data);
    memset((char *)tls + data, 0, tls_span() - data);

    struct tcb *tcb = (struct tcb *)solo5_tls_tp_offset(tls);
    tcb->self = tcb;
    return SOLO5_R_OK;
}

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    /* Only the host kernel can load the %fs base (no FSGSBASE assumed). */
    return sys_arch_prctl(SYS_ARCH_SET_FS, base) == 0 ? SOLO5_R_OK
                                                      : SOLO5_R_EINVAL;
}
