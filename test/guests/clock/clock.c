/* clock.c: test guest that reads both clocks many times and prints what it saw.
 */
/*
 * Command line: [cleared]. With "cleared" it first zeroes the magic of
 * nabla's extension page (docs/abi.md §4.5) in its own memory, as under
 * upstream's tender, so the SDK must fall back to the system call. Prints
 * "page present|absent", then "calls N" and the readings the test checks:
 * the first and last monotonic values, how often monotonic went backwards,
 * and the last wall clock value, all in nanoseconds.
 */
#include "solo5.h"
#include "nabla_lib.h"

#define CALLS 10000
#define EXT_BASE 0x10000ul /* NABLA_EXT_BASE */
#define EXT_MAGIC 0x545845616c62616eull

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint64_t *magic = (volatile uint64_t *)EXT_BASE;
    solo5_time_t first, prev, now, wall = 0;
    unsigned backwards = 0;

    if (strcmp(si->cmdline, "cleared") == 0)
        *magic = 0;
    printf("page %s\n", *magic == EXT_MAGIC ? "present" : "absent");
    first = prev = solo5_clock_monotonic();
    for (int i = 0; i < CALLS; i++) {
        now = solo5_clock_monotonic();
        if (now < prev)
            backwards++;
        prev = now;
        wall = solo5_clock_wall();
    }
    printf("calls %d\n", CALLS);
    printf("mono-first %llu\n", (unsigned long long)first);
    printf("mono-last %llu\n", (unsigned long long)prev);
    printf("mono-backwards %u\n", backwards);
    printf("wall %llu\n", (unsigned long long)wall);
    return SOLO5_EXIT_SUCCESS;
}
