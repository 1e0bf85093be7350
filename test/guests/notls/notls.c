/* notls.c: test guest reading %fs:0 with no TLS base set; expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    uint64_t v;

    printf("notls: reading %%fs:0 without a TLS base\n");
    /* The bindings zero the %fs base at start, so this reads address 0. */
    __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
    printf("notls: read 0x%llx, TLS was usable\n", (unsigned long long)v);
    return SOLO5_EXIT_FAILURE;
}
