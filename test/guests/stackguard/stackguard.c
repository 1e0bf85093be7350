/* stackguard.c: test guest for the stack protector: its guard, and a smash. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * No arguments: prints the guard (tests compare it across boots) and checks
 * its shape, then prints "stackguard ok". "smash": overruns a local array
 * in a protected function; expect "ABORT" and status 255.
 */
extern uintptr_t __stack_chk_guard;

/* volatile: the compiler must not see the overrun coming and refuse it. */
static volatile size_t overrun = 64;

static __attribute__((noinline)) void smash(void)
{
    char buf[16];
    memset(buf, 'A', overrun);
    /* Keep buf alive so the write cannot be dropped. */
    __asm__ volatile("" : : "r"(buf) : "memory");
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (strcmp(si->cmdline, "smash") == 0) {
        printf("stackguard: overrunning a stack buffer\n");
        smash();
        printf("stackguard: the overrun went unnoticed\n");
        return SOLO5_EXIT_FAILURE;
    }
    uintptr_t g = __stack_chk_guard;
    printf("guard 0x%llx\n", (unsigned long long)g);
    if (g == 0 || (g & 0xff) != 0) {
        printf("stackguard: the guard is zero or its low byte is not\n");
        return SOLO5_EXIT_FAILURE;
    }
    printf("stackguard ok\n");
    return SOLO5_EXIT_SUCCESS;
}
