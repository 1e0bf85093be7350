/* exception.c: conformance guest: a store at 16 GiB; expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Upstream's "exception" test stores one byte at 2 << 33 (16 GiB), beyond any
 * guest memory size its suite uses: the hardware faults, and under spt the
 * host kernel kills the tender with SIGSEGV (hvt and virtio report a guest
 * exception and abort instead). Nothing of the tender may be mapped there.
 */
int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    volatile uint8_t *far = (volatile uint8_t *)(uintptr_t)(2ull << 33);

    printf("\n**** nabla conformance: exception ****\n\n");
    printf("exception: storing to %p\n", (void *)far);
    *far = 1;
    printf("FAILURE: the store did not fault\n");
    return SOLO5_EXIT_FAILURE;
}
