/* time.c: conformance guest: clocks advance, solo5_yield sleeps enough. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Upstream checks that monotonic time passes, that a deadline in the past
 * does not hang solo5_yield(), that five one-second sleeps each last at least
 * a second (and not much more), and that the wall clock is 2017 or later.
 * Here the sleeps are 100 ms, and the guest prints what it measured as
 * "key value" lines so the test can hold the numbers against the host's own
 * clock. The guest itself only checks what must hold on any host: no sleep
 * ends before its deadline, and no clock goes backwards.
 */
#define MSEC 1000000ull
#define SLEEP (100 * MSEC)
#define ROUNDS 5
#define WALL_2017 (1483228800ull * 1000000000ull)

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    bool failed = false;

    printf("\n**** nabla conformance: time ****\n\n");

    solo5_time_t ta = solo5_clock_monotonic(), tb = ta;
    for (int i = 0; i < 1000 && tb == ta; i++)
        tb = solo5_clock_monotonic();
    if (tb <= ta) {
        printf("ERROR: monotonic time is not passing\n");
        failed = true;
    }

    ta = solo5_clock_monotonic();
    solo5_yield(ta, NULL);
    tb = solo5_clock_monotonic();
    printf("past-deadline-yield %llu\n", (unsigned long long)(tb - ta));

    solo5_time_t wall0 = solo5_clock_wall(), mono0 = solo5_clock_monotonic();
    for (int r = 0; r < ROUNDS; r++) {
        ta = solo5_clock_monotonic();
        solo5_time_t deadline = ta + SLEEP;
        solo5_yield(deadline, NULL);
        tb = solo5_clock_monotonic();
        if (tb < deadline) {
            printf("ERROR: woke %llu ns before the deadline\n",
                   (unsigned long long)(deadline - tb));
            failed = true;
        }
        printf("slept %llu\n", (unsigned long long)(tb - ta));
    }
    solo5_time_t wall1 = solo5_clock_wall(), mono1 = solo5_clock_monotonic();
    if (wall1 < wall0 || mono1 < mono0) {
        printf("ERROR: a clock went backwards\n");
        failed = true;
    }
    printf("mono-elapsed %llu\n", (unsigned long long)(mono1 - mono0));
    printf("wall-elapsed %llu\n", (unsigned long long)(wall1 - wall0));
    printf("wall %llu\n", (unsigned long long)wall1);
    if (wall1 < WALL_2017) {
        printf("ERROR: wall time is before 2017\n");
        failed = true;
    }

    if (failed)
        return SOLO5_EXIT_FAILURE;
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
