/* pause.c: nabla-oci's sandbox ("pause") container: holds the pod's namespaces, does nothing. */
#include "solo5.h"

/*
 * A day per wait: the pod's sandbox wakes once a day, so it costs the node
 * nothing but its pages until the pod is stopped (SIGKILL, as for runc's pause).
 */
#define WAIT_NS (86400ull * 1000000000ull)

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    for (;;)
        solo5_yield(solo5_clock_monotonic() + WAIT_NS, NULL);
}
