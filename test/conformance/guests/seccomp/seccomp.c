/* seccomp.c: conformance guest: a refused system call; expect SIGSYS. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Upstream issues dup(1), which no spt policy allows. The command line picks
 * other refused calls too: ones never allowed, and allowed calls with an
 * argument the filter pins (a descriptor, a clock, an arch_prctl code).
 */
struct call {
    const char *name;
    long nr, a0, a1;
};

static const struct call calls[] = {
    {"dup", 32, 1, 0},                  /* upstream's: dup(1) */
    {"getpid", 39, 0, 0},               /* never allowed */
    {"openat", 257, -100, 0},           /* openat(AT_FDCWD, NULL) */
    {"write-stderr", 1, 2, 0},          /* write is for fd 1 only */
    {"clock-boottime", 228, 7, 0},      /* CLOCK_BOOTTIME is not allowed */
    {"arch-prctl-get", 158, 0x1003, 0}, /* ARCH_GET_FS, only SET is */
};

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *want = si->cmdline[0] == '\0' ? "dup" : si->cmdline;
    const struct call *c = NULL;

    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        if (strcmp(calls[i].name, want) == 0)
            c = &calls[i];
    if (c == NULL) {
        printf("seccomp: unknown call '%s'\n", want);
        return SOLO5_EXIT_FAILURE;
    }

    printf("\n**** nabla conformance: seccomp ****\n\n");
    printf("seccomp: %s\n", c->name);
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(c->nr), "D"(c->a0), "S"(c->a1), "d"(0L)
                     : "rcx", "r11", "memory");
    printf("FAILURE: %s returned %ld\n", c->name, ret);
    return SOLO5_EXIT_FAILURE;
}
