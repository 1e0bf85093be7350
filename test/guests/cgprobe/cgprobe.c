/* cgprobe.c: test guest for cgroup limits: touches memory, spins, or idles. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * The command line picks what it does (test/daemon/limits.test.ts):
 *   touch N   prints "touching", writes one byte in every 4 KiB page of
 *             the first N MiB of its heap (each write charges a page to
 *             its memory cgroup), prints "touched N", exits 0
 *   spin      prints "spinning", then computes forever (CPU quota)
 *   idle      prints "ready", then sleeps forever
 */
#define MIB (1024ull * 1024)
#define PAGE 4096ull
#define SECOND 1000000000ull

static unsigned long long number(const char *s)
{
    unsigned long long n = 0;

    while (*s >= '0' && *s <= '9')
        n = n * 10 + (unsigned long long)(*s++ - '0');
    return n;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;

    if (strncmp(cmd, "touch ", 6) == 0) {
        unsigned long long bytes = number(cmd + 6) * MIB;
        volatile uint8_t *heap = (volatile uint8_t *)si->heap_start;

        if (bytes > si->heap_size) {
            printf("cgprobe: %llu bytes is more than the heap\n", bytes);
            return SOLO5_EXIT_FAILURE;
        }
        printf("touching\n");
        for (unsigned long long at = 0; at < bytes; at += PAGE)
            heap[at] = 1;
        printf("touched %llu\n", bytes / MIB);
        return SOLO5_EXIT_SUCCESS;
    }
    if (strcmp(cmd, "spin") == 0) {
        volatile unsigned long long x = 0;

        printf("spinning\n");
        for (;;)
            x = x * 6364136223846793005ull + 1;
    }
    if (strcmp(cmd, "idle") == 0) {
        printf("ready\n");
        for (;;)
            solo5_yield(solo5_clock_monotonic() + SECOND, NULL);
    }
    printf("cgprobe: unknown command '%s'\n", cmd);
    return SOLO5_EXIT_FAILURE;
}
