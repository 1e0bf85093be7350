/* xnow.c: conformance guest: writes into .text; expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

__attribute__((noinline)) int xnow_target(void)
{
    __asm__ volatile("");
    return 42;
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    /*
     * Call it and read it first: the page is mapped, executable and readable,
     * so the fault below can only come from the missing write permission.
     */
    volatile uint64_t *text = (volatile uint64_t *)(uintptr_t)&xnow_target;

    printf("\n**** nabla conformance: xnow ****\n\n");
    if (xnow_target() != 42)
        return SOLO5_EXIT_FAILURE;
    uint64_t code = *text;
    printf("xnow: text at %p reads 0x%llx; writing it\n", (void *)text,
           (unsigned long long)code);
    *text = code;
    printf("FAILURE: .text is writable\n");
    return SOLO5_EXIT_FAILURE;
}
