/* ssp.c: conformance guest: a stack buffer overrun; expect ABORT, 255. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Relies on the SDK compiling guests with -fstack-protector-strong: smash()
 * has a char array, so it gets a canary, and the overrun below replaces it.
 * On return the check fails and __stack_chk_fail() aborts. The payload goes
 * through a volatile pointer so that the compiler cannot see its length and
 * refuse (or warn about) the overflow at build time.
 */
static const char *volatile payload =
    "0123456789abcdef0123456789abcdef0123456789abcdef";

__attribute__((noinline)) static void smash(void)
{
    char buf[16];
    char *dst = buf;
    const char *src = payload;
    size_t n = strlen(src) + 1;

    /* Hide that dst is buf, or the loop could be bounded by its size. */
    __asm__("" : "+r"(dst));
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
    __asm__ volatile("" : : "r"(buf) : "memory");
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    printf("\n**** nabla conformance: ssp ****\n\n");
    printf("ssp: overrunning a 16-byte stack buffer with %llu bytes\n",
           (unsigned long long)strlen(payload) + 1);
    smash();
    printf("FAILURE: returned from a smashed frame\n");
    return SOLO5_EXIT_FAILURE;
}
