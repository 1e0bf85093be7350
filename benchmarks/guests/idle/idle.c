/* idle.c: benchmark guest: prints "ready", then yields forever. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * An hour per wait: the guest wakes 24 times a day, so a thousand of them
 * cost the host nothing while the density benchmark measures their memory.
 */
#define WAIT_NS (3600ull * 1000000000ull)

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    printf("ready\n");
    for (;;)
        solo5_yield(solo5_clock_monotonic() + WAIT_NS, NULL);
}
