/* tls.c: conformance guest: TLS blocks after solo5_set_tls_base(). */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Two halves:
 * 1. Raw, as upstream's test does it: point the %fs base at two hand-made
 *    control blocks in turn and store through %fs. The stores must land in
 *    the block that was current, which shows the base really was loaded.
 * 2. Through the TLS API and __thread variables (what a libc or a language
 *    runtime does): three blocks, switched back and forth, each with its own
 *    copies of an initialised (.tdata) and a zeroed (.tbss) variable.
 */
#define THREADS 3

struct raw_tcb {
    volatile int64_t slot; /* %fs:-8 when the base is &tp */
    uint64_t tp;
};

static struct raw_tcb raw[2];

static __thread uint64_t counter = 1000;
static __thread char name[24];

static int failures;

static void check(bool ok, const char *what)
{
    if (!ok) {
        printf("tls: FAILED: %s\n", what);
        failures++;
    }
}

static void raw_store(int64_t v)
{
    __asm__ volatile("movq %0, %%fs:-8" : : "r"(v) : "memory");
}

static uint64_t fs0(void)
{
    uint64_t v;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
    return v;
}

static void raw_half(void)
{
    check(solo5_set_tls_base((uintptr_t)&raw[0].tp) == SOLO5_R_OK,
          "set_tls_base(raw 0)");
    raw_store(-12345);
    check(solo5_set_tls_base((uintptr_t)&raw[1].tp) == SOLO5_R_OK,
          "set_tls_base(raw 1)");
    raw_store(67890);
    check(raw[0].slot == -12345 && raw[1].slot == 67890,
          "raw stores went to the current block");
}

/* noinline: each access is a real %fs-relative load or store. */
__attribute__((noinline)) static void enter(uintptr_t block)
{
    check(solo5_set_tls_base(solo5_tls_tp_offset(block)) == SOLO5_R_OK,
          "set_tls_base(block)");
}

__attribute__((noinline)) static void visit(int t)
{
    counter += (uint64_t)t + 1;
    size_t len = strlen(name);
    if (len + 1 < sizeof(name)) {
        name[len] = (char)('a' + t);
        name[len + 1] = '\0';
    }
}

/*
 * Compilers take the thread pointer as fixed for the life of a thread, so a
 * function may compute &name once and keep it across a switch. Each access
 * after a switch is therefore made in a fresh call.
 */
__attribute__((noinline)) static void report(int t)
{
    char want[5] = {0};
    for (int r = 0; r < 4; r++)
        want[r] = (char)('a' + t);
    check(counter == 1000 + 4 * ((uint64_t)t + 1), "per-block counter");
    check(strcmp(name, want) == 0, "per-block name");
    printf("tls: block %d: counter %llu, name '%s'\n", t,
           (unsigned long long)counter, name);
}

static void api_half(const struct solo5_start_info *si)
{
    size_t size = solo5_tls_size();
    uintptr_t heap = si->heap_start, blocks[THREADS];

    for (int t = 0; t < THREADS; t++) {
        /* 64 covers any alignment the linker gives the TLS segment here. */
        blocks[t] = (heap + 63) & ~(uintptr_t)63;
        heap = blocks[t] + size;
        memset((void *)blocks[t], 0xee, size);
        check(solo5_tls_init(blocks[t]) == SOLO5_R_OK, "solo5_tls_init");
    }

    /* Rounds of visits in a changing order; each block sees only its own. */
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < THREADS; i++) {
            int t = (round % 2 == 0) ? i : THREADS - 1 - i;
            enter(blocks[t]);
            check(fs0() == solo5_tls_tp_offset(blocks[t]),
                  "%fs:0 holds the thread pointer (TCB self pointer)");
            visit(t);
        }
    }
    for (int t = 0; t < THREADS; t++) {
        enter(blocks[t]);
        report(t);
    }
}

int solo5_app_main(const struct solo5_start_info *si)
{
    printf("\n**** nabla conformance: tls ****\n\n");
    raw_half();
    api_half(si);
    /* The host refuses a non-canonical base; the API reports it, no crash. */
    check(solo5_set_tls_base(0x8000000000000000ull) == SOLO5_R_EINVAL,
          "a non-canonical base is refused with SOLO5_R_EINVAL");
    if (failures != 0)
        return SOLO5_EXIT_FAILURE;
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
