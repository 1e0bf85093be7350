/* wtext.c: test guest that writes into its own code (R+X); expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    volatile uint8_t *text = (volatile uint8_t *)(uintptr_t)&solo5_app_main;

    printf("wtext: writing to text at %p\n", (void *)text);
    *text = 0xc3;
    printf("wtext: text is writable\n");
    return SOLO5_EXIT_FAILURE;
}
