/* heap.c: test guest stressing malloc/calloc/realloc/free; prints "heap ok". */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Thousands of random operations over a table of live blocks, each filled
 * with a pattern derived from its slot and generation, verified before it
 * is resized or freed: any overlap between blocks, or a realloc that loses
 * data, shows up as a pattern mismatch. Then the edges: huge and
 * overflowing requests, alignment, and, once everything is freed, one
 * allocation of nearly the whole heap, which only succeeds if free()
 * merged every neighbour back. The command line picks a misuse instead:
 *   double     frees a block twice          expect ABORT, status 255
 *   overflow   writes past a block, frees   expect ABORT, status 255
 */
#define SLOTS 512
#define ROUNDS 40000

struct slot {
    uint8_t *p;
    size_t size;
    uint32_t gen;
};

static struct slot slots[SLOTS];
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint8_t pattern(size_t slot, uint32_t gen, size_t i)
{
    return (uint8_t)(slot * 31 + gen * 7 + i * 13 + (i >> 8));
}

static void fill(size_t s, size_t from)
{
    for (size_t i = from; i < slots[s].size; i++)
        slots[s].p[i] = pattern(s, slots[s].gen, i);
}

/* (n): the slot, or the size or alignment involved. */
static int fail(const char *what, size_t n)
{
    printf("heap: %s (%llu)\n", what, (unsigned long long)n);
    return SOLO5_EXIT_FAILURE;
}

static bool intact(size_t s, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if (slots[s].p[i] != pattern(s, slots[s].gen, i))
            return false;
    return true;
}

/*
 * Mostly small sizes, sometimes a few pages, rarely a quarter megabyte;
 * scaled down for small heaps (upstream runs its tests in 2 MiB) so that
 * the live blocks always fit.
 */
static size_t big_max, mid_max;

static size_t random_size(void)
{
    uint64_t r = next();
    switch (r % 16) {
    case 0:
        return (size_t)(r >> 8) % big_max;
    case 1:
    case 2:
        return (size_t)(r >> 8) % mid_max;
    default:
        return (size_t)(r >> 8) % 512;
    }
}

static bool in_heap(const struct solo5_start_info *si, const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    return a >= si->heap_start && a + n <= si->heap_start + si->heap_size;
}

static int misuse(const char *how)
{
    uint8_t *p = malloc(64), *q = malloc(64);
    if (strcmp(how, "double") == 0) {
        free(p);
        printf("heap: freeing a block twice\n");
        free(p);
    } else {
        printf("heap: writing past a block, then freeing it\n");
        memset(p, 0x41, 64 + 16); /* over q's header */
        free(q);
    }
    printf("heap: misuse went unnoticed\n");
    return SOLO5_EXIT_FAILURE;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (si->cmdline[0] != '\0')
        return misuse(si->cmdline);
    big_max =
        si->heap_size / 1024 < (1u << 18) ? si->heap_size / 1024 : (1u << 18);
    mid_max = si->heap_size / 256 < 65536 ? si->heap_size / 256 : 65536;

    for (int round = 0; round < ROUNDS; round++) {
        size_t s = (size_t)(next() % SLOTS);
        struct slot *sl = &slots[s];
        if (sl->p != NULL && !intact(s, sl->size))
            return fail("block contents changed", s);
        uint64_t op = next() % 4;
        if (sl->p == NULL || op == 0) {
            free(sl->p);
            size_t n = random_size();
            bool zeroed = op == 0 && (next() & 1);
            sl->p = zeroed ? calloc(n, 1) : malloc(n);
            if (sl->p == NULL)
                return fail("malloc failed", s);
            for (size_t i = 0; zeroed && i < n; i++)
                if (sl->p[i] != 0)
                    return fail("calloc memory not zeroed", s);
            sl->size = n;
            sl->gen++;
            fill(s, 0);
        } else if (op == 1) {
            size_t n = random_size();
            uint8_t *q = realloc(sl->p, n == 0 ? 1 : n);
            if (q == NULL)
                return fail("realloc failed", s);
            sl->p = q;
            size_t kept = sl->size < n ? sl->size : n;
            if (!intact(s, kept))
                return fail("realloc lost data", s);
            sl->size = n;
            fill(s, kept);
        } else if (op == 2) {
            free(sl->p);
            sl->p = NULL;
            sl->size = 0;
        }
        if (sl->p != NULL &&
            (((uintptr_t)sl->p & 15) != 0 || !in_heap(si, sl->p, sl->size)))
            return fail("block misaligned or outside the heap", s);
    }

    /* calloc zeroes memory that held a pattern a moment ago. */
    for (size_t s = 0; s < SLOTS; s++) {
        if (slots[s].p == NULL)
            continue;
        size_t n = slots[s].size;
        free(slots[s].p);
        uint8_t *z = calloc(n, 1);
        if (z == NULL)
            return fail("calloc failed", s);
        for (size_t i = 0; i < n; i++)
            if (z[i] != 0)
                return fail("calloc memory not zeroed", s);
        slots[s].p = z;
    }

    for (size_t s = 0; s < SLOTS; s++)
        free(slots[s].p);

    for (size_t align = 32; align <= 65536; align *= 2) {
        void *a = aligned_alloc(align, 100), *b = NULL;
        if (a == NULL || ((uintptr_t)a & (align - 1)) != 0)
            return fail("aligned_alloc misaligned", align);
        if (posix_memalign(&b, align, 3000) != 0 ||
            ((uintptr_t)b & (align - 1)) != 0)
            return fail("posix_memalign misaligned", align);
        memset(a, 0x5a, 100);
        memset(b, 0xa5, 3000);
        free(a);
        free(b);
    }
    void *bad = NULL;
    if (posix_memalign(&bad, 24, 8) != 22 || aligned_alloc(48, 8) != NULL)
        return fail("a bad alignment was accepted", 0);

    if (malloc(~(size_t)0) != NULL || malloc(~(size_t)0 - 8) != NULL ||
        calloc(~(size_t)0 / 2, 3) != NULL || malloc(si->heap_size) != NULL)
        return fail("an impossible request succeeded", 0);
    char *dup = strdup("heap");
    if (dup == NULL || strcmp(dup, "heap") != 0)
        return fail("strdup failed", 0);
    free(dup);
    free(NULL);

    /* Only a fully coalesced heap has room for this. */
    size_t big = si->heap_size - 4096;
    uint8_t *all = malloc(big);
    if (all == NULL)
        return fail("freed memory was not merged back", 0);
    all[0] = 1;
    all[big - 1] = 2;
    free(all);

    printf("heap ok\n");
    return SOLO5_EXIT_SUCCESS;
}
