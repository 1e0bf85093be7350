/* zeropage.c: conformance guest: touches page 0; expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Low memory (page 0 up to the boot info) is never mapped, so null pointer
 * bugs fault instead of reading or corrupting something. Upstream writes a
 * quadword at address 8; "read" reads address 0 instead.
 */
#pragma GCC diagnostic ignored "-Warray-bounds"

int solo5_app_main(const struct solo5_start_info *si)
{
    printf("\n**** nabla conformance: zeropage ****\n\n");
    if (strcmp(si->cmdline, "read") == 0) {
        volatile uint8_t *zero = (volatile uint8_t *)(uintptr_t)0;
        printf("zeropage: reading address 0\n");
        printf("FAILURE: read 0x%x from address 0\n", *zero);
    } else {
        volatile uint64_t *eight = (volatile uint64_t *)(uintptr_t)8;
        printf("zeropage: writing address 8\n");
        *eight = 1;
        printf("FAILURE: wrote address 8\n");
    }
    return SOLO5_EXIT_FAILURE;
}
