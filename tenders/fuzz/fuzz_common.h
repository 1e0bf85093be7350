/* fuzz_common.h: what every fuzz harness shares: invariant checks, the verbose
 * switch. */
#ifndef NABLA_FUZZ_COMMON_H
#define NABLA_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

/* An invariant broke: say which, and abort so that libFuzzer keeps the input.
 */
#define FUZZ_REQUIRE(harness, cond)                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, harness ": invariant failed: %s\n", #cond);        \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* NABLA_FUZZ_VERBOSE=1: one verdict line per input, for triage and tests. */
static inline int fuzz_verbose(void)
{
    return getenv("NABLA_FUZZ_VERBOSE") != NULL;
}

#endif /* NABLA_FUZZ_COMMON_H */
