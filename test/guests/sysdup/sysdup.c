/* sysdup.c: test guest issuing dup(1), outside the filter; expect SIGSYS. */
#include "solo5.h"
#include "nabla_lib.h"

#define SYS_dup 32

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    long ret;

    printf("sysdup: calling dup(1)\n");
    /* Raw syscall: the seccomp filter must kill the process right here. */
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"((long)SYS_dup), "D"(1L)
                     : "rcx", "r11", "memory");
    printf("sysdup: dup(1) returned %ld, the filter did not stop it\n", ret);
    return SOLO5_EXIT_FAILURE;
}
