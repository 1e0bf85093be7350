/* tls.c: the Solo5 TLS calls on the hosted target, where glibc owns %fs. */
#include "hosted.h"

/*
 * glibc keeps its own thread control block at %fs (errno, the stack
 * protector's guard, its TLS), so the thread pointer cannot be handed to
 * the application: solo5_set_tls_base() always refuses, with the result
 * the API allows for a base that is not acceptable. __thread variables in
 * application code need none of this hosted: the compiler and glibc place
 * them in the main thread's TLS before main() runs. The other three calls
 * describe an empty block, so code that sets up a block before switching
 * runs unchanged until the switch, which then reports SOLO5_R_EINVAL.
 */
size_t solo5_tls_size(void)
{
    return 0;
}

uintptr_t solo5_tls_tp_offset(uintptr_t tls)
{
    return tls;
}

solo5_result_t solo5_tls_init(uintptr_t tls)
{
    (void)tls;
    return SOLO5_R_OK;
}

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    (void)base;
    return SOLO5_R_EINVAL;
}
