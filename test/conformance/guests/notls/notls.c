/* notls.c: conformance guest: reads %fs:0x28 without TLS; expect SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * %fs:0x28 is where x86_64 code conventionally keeps its stack guard, the
 * first TLS access a libc would make (upstream reads this slot). The %fs base
 * must not be left pointing at something the tender owns: it starts at 0, so
 * the read lands in unmapped page 0.
 */
int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    uint64_t v;

    printf("\n**** nabla conformance: notls ****\n\n");
    printf("notls: reading %%fs:0x28\n");
    __asm__ volatile("movq %%fs:0x28, %0" : "=r"(v));
    printf("FAILURE: read 0x%llx through %%fs without TLS\n",
           (unsigned long long)v);
    return SOLO5_EXIT_FAILURE;
}
