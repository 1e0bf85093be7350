/* wnox.c: conformance guest: calls code in .data; expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * A real function (returns 42), assembled straight into .data. Doing it in
 * assembly leaves .data's flags alone ("aw"); a C function given
 * section(".data") would ask for "ax" and only draw an assembler warning.
 */
__asm__(".pushsection .data\n"
        ".globl wnox_target\n"
        ".type wnox_target, @function\n"
        "wnox_target:\n"
        "    movl $42, %eax\n"
        "    ret\n"
        ".size wnox_target, . - wnox_target\n"
        ".popsection\n");
int wnox_target(void);

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    volatile uint8_t *data = (volatile uint8_t *)(uintptr_t)&wnox_target;

    printf("\n**** nabla conformance: wnox ****\n\n");
    /* Rewrite the first byte with itself: the page is mapped and writable. */
    data[0] = data[0];
    printf("wnox: calling code in .data at %p\n", (void *)data);
    int r = wnox_target();
    printf("FAILURE: .data is executable (returned %d)\n", r);
    return SOLO5_EXIT_FAILURE;
}
