/* sleeper.c: test guest that prints "ready" then sleeps in solo5_yield forever.
 */
#include "solo5.h"
#include "nabla_lib.h"

#define SECOND 1000000000ull

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_t h;
    struct solo5_block_info info;

    /* The device is acquired so that its rules are in the installed filter. */
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        printf("sleeper: cannot acquire 'storage'\n");
        return SOLO5_EXIT_FAILURE;
    }
    printf("ready\n");
    /* Tests inspect the running process, then kill it. */
    for (;;)
        solo5_yield(solo5_clock_monotonic() + SECOND, NULL);
}
