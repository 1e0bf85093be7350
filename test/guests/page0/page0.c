/* page0.c: test guest that reads address 0 (never mapped); expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    printf("page0: reading address 0\n");
    /* volatile: the compiler may not fold or drop a null dereference. */
    volatile uint8_t *p = (volatile uint8_t *)0;
    printf("page0: read 0x%x, page 0 is readable\n", *p);
    return SOLO5_EXIT_FAILURE;
}
