/* tls.c: test guest using __thread variables through the TLS API; prints "tls
 * ok". */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * An initialised variable (.tdata) and an over-aligned zeroed one (.tbss):
 * the larger alignment of .tbss checks that the bindings round the block the
 * way the linker computed the thread-pointer offsets.
 */
static __thread uint32_t counter = 41;
static __thread uint64_t wide __attribute__((aligned(64)));

static int fail(const char *what)
{
    printf("tls: %s\n", what);
    return SOLO5_EXIT_FAILURE;
}

/* Carves one TLS block, 64-byte aligned, out of the heap. */
static uintptr_t block_at(uintptr_t *heap)
{
    uintptr_t block = (*heap + 63) & ~(uintptr_t)63;
    *heap = block + solo5_tls_size();
    return block;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uintptr_t heap = si->heap_start;
    uintptr_t a = block_at(&heap), b = block_at(&heap);
    size_t size = solo5_tls_size();

    /* Dirty the memory so that a block that is not cleared shows up. */
    memset((void *)a, 0xa5, size);
    memset((void *)b, 0xa5, size);
    if (solo5_tls_init(a) != SOLO5_R_OK || solo5_tls_init(b) != SOLO5_R_OK)
        return fail("solo5_tls_init failed");

    if (solo5_set_tls_base(solo5_tls_tp_offset(a)) != SOLO5_R_OK)
        return fail("solo5_set_tls_base failed");
    if (counter != 41 || wide != 0)
        return fail("initial values wrong in block a");
    uintptr_t pc = (uintptr_t)&counter, pw = (uintptr_t)&wide;
    if (pc < a || pc + sizeof(counter) > a + size || pw < a ||
        pw + sizeof(wide) > a + size || (pw & 63) != 0)
        return fail("variables of block a lie outside it or misaligned");
    counter++;
    wide = 0x1122334455667788ull;

    /* Another "thread": its own copies, untouched by block a's writes. */
    if (solo5_set_tls_base(solo5_tls_tp_offset(b)) != SOLO5_R_OK)
        return fail("solo5_set_tls_base failed");
    if (counter != 41 || wide != 0)
        return fail("block b is not independent of block a");
    counter = 7;

    if (solo5_set_tls_base(solo5_tls_tp_offset(a)) != SOLO5_R_OK)
        return fail("solo5_set_tls_base failed");
    if (counter != 42 || wide != 0x1122334455667788ull)
        return fail("block a lost its values");

    printf("tls ok\n");
    return SOLO5_EXIT_SUCCESS;
}
