/* exit1.c: test guest that returns 1 (SOLO5_EXIT_FAILURE); expect status 1. */
#include "solo5.h"
#include "nabla_lib.h"

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    printf("exit1: returning 1\n");
    return SOLO5_EXIT_FAILURE;
}
