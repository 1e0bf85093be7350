/* malloc.c: the guest heap allocator: first fit, boundary tags, coalescing. */
#include "bindings.h"

/*
 * The region the start code hands over ([heap_start, heap_start +
 * heap_size)) is cut into chunks laid end to end. Each chunk starts with a
 * 16-byte header; the payload follows, so it is 16-aligned like the chunk:
 *
 *   prev_size  size of the chunk just below, 0 for the first one
 *   size       this chunk's size, header included, a multiple of 16;
 *              bit 0 set while the chunk is allocated
 *
 * The two sizes let free() find both neighbours in constant time and merge
 * with the free ones, so no two free chunks are ever adjacent. A free chunk
 * keeps its links in the free list inside its payload, hence the 32-byte
 * minimum. A sentinel header (size 0, allocated) closes the region, so every
 * chunk has a successor to look at. Each header is checked against its
 * neighbours whenever it is used: a mismatch means an overflow or a bad
 * pointer, and the guest aborts rather than hand out overlapping memory.
 *
 * Nothing is written to the region before the first allocation, so an
 * application that manages heap_start itself and never calls malloc() finds
 * the memory exactly as the tender left it.
 */
struct chunk {
    size_t prev_size;
    size_t size;
    struct chunk *next; /* free chunks only */
    struct chunk *prev;
};

#define HDR 16ul
#define ALIGN 16ul
#define MIN_CHUNK 32ul
#define IN_USE 1ul
#define ENOMEM 12
#define EINVAL 22

_Static_assert(sizeof(struct chunk) == MIN_CHUNK, "a free chunk fits");

static uintptr_t region_start;
static size_t region_size;
static struct chunk *first, *sentinel; /* NULL until the first allocation */
static struct chunk *free_list;

void heap_init(uintptr_t start, size_t size)
{
    region_start = start;
    region_size = size;
}

static size_t chunk_size(const struct chunk *c)
{
    return c->size & ~(ALIGN - 1);
}

static struct chunk *next_chunk(const struct chunk *c)
{
    return (struct chunk *)((uintptr_t)c + chunk_size(c));
}

static void set_size(struct chunk *c, size_t size, size_t in_use)
{
    c->size = size | in_use;
    next_chunk(c)->prev_size = size;
}

static void corrupt(void) __attribute__((noreturn));
static void corrupt(void)
{
    sdk_panic("malloc: heap corruption detected");
}

/* A chunk about to be used: in bounds and agreeing with its neighbours. */
static void check(const struct chunk *c)
{
    uintptr_t at = (uintptr_t)c, size = chunk_size(c);
    if (at < (uintptr_t)first || at >= (uintptr_t)sentinel ||
        size < MIN_CHUNK || size > (uintptr_t)sentinel - at ||
        next_chunk(c)->prev_size != size)
        corrupt();
    if (c->prev_size != 0 &&
        (c->prev_size > at - (uintptr_t)first ||
         chunk_size((const struct chunk *)(at - c->prev_size)) != c->prev_size))
        corrupt();
}

static bool heap_ready(void)
{
    if (sentinel != NULL)
        return true;
    uintptr_t lo = (region_start + ALIGN - 1) & ~(ALIGN - 1);
    uintptr_t hi = (region_start + region_size) & ~(ALIGN - 1);
    if (lo < region_start || hi <= lo || hi - lo < MIN_CHUNK + HDR)
        return false;
    first = (struct chunk *)lo;
    sentinel = (struct chunk *)(hi - HDR);
    first->prev_size = 0;
    set_size(first, hi - HDR - lo, 0);
    sentinel->size = IN_USE;
    first->next = first->prev = NULL;
    free_list = first;
    return true;
}

static void list_insert(struct chunk *c)
{
    c->prev = NULL;
    c->next = free_list;
    if (free_list != NULL)
        free_list->prev = c;
    free_list = c;
}

static void list_remove(struct chunk *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        free_list = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
}

/* Marks (c) free, merges it with free neighbours, and lists the result. */
static void release(struct chunk *c)
{
    size_t size = chunk_size(c);
    struct chunk *next = next_chunk(c);

    if (!(next->size & IN_USE)) {
        check(next);
        list_remove(next);
        size += chunk_size(next);
    }
    if (c->prev_size != 0) {
        struct chunk *prev = (struct chunk *)((uintptr_t)c - c->prev_size);
        if (!(prev->size & IN_USE)) {
            check(prev);
            list_remove(prev);
            size += chunk_size(prev);
            c = prev;
        }
    }
    set_size(c, size, 0);
    list_insert(c);
}

/* Shrinks allocated chunk (c) to (need) bytes if the rest can stand alone. */
static void trim(struct chunk *c, size_t need)
{
    size_t size = chunk_size(c);
    if (size - need < MIN_CHUNK)
        return;
    set_size(c, need, IN_USE);
    struct chunk *rest = next_chunk(c);
    set_size(rest, size - need, IN_USE);
    release(rest);
}

/* The chunk size for a request of (n) bytes; false when it cannot exist. */
static bool chunk_need(size_t n, size_t *need)
{
    if (n > SIZE_MAX - HDR - (ALIGN - 1))
        return false;
    size_t size = (n + HDR + ALIGN - 1) & ~(ALIGN - 1);
    *need = size < MIN_CHUNK ? MIN_CHUNK : size;
    return true;
}

/* The allocated chunk behind (p), or an abort if (p) is not one. */
static struct chunk *chunk_of(void *p)
{
    uintptr_t at = (uintptr_t)p;
    if (sentinel == NULL || (at & (ALIGN - 1)) != 0 ||
        at < (uintptr_t)first + HDR || at >= (uintptr_t)sentinel)
        sdk_panic("free(): invalid pointer");
    struct chunk *c = (struct chunk *)(at - HDR);
    if (!(c->size & IN_USE))
        sdk_panic("free(): double free or invalid pointer");
    check(c);
    return c;
}

void *malloc(size_t n)
{
    size_t need;
    if (!chunk_need(n, &need) || !heap_ready())
        return NULL;
    for (struct chunk *c = free_list; c != NULL; c = c->next) {
        check(c);
        if (c->size & IN_USE)
            corrupt();
        if (chunk_size(c) < need)
            continue;
        list_remove(c);
        set_size(c, chunk_size(c), IN_USE);
        trim(c, need);
        return (char *)c + HDR;
    }
    return NULL;
}

void free(void *p)
{
    if (p == NULL)
        return;
    struct chunk *c = chunk_of(p);
    set_size(c, chunk_size(c), 0);
    release(c);
}

void *calloc(size_t nmemb, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(nmemb, size, &total))
        return NULL;
    void *p = malloc(total);
    if (p != NULL)
        memset(p, 0, total);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (p == NULL)
        return malloc(n);
    if (n == 0) {
        /* glibc's behaviour: free and return NULL. */
        free(p);
        return NULL;
    }
    struct chunk *c = chunk_of(p);
    size_t need, size = chunk_size(c);
    if (!chunk_need(n, &need))
        return NULL;
    if (need <= size) {
        trim(c, need);
        return p;
    }
    /* Grow in place into a free successor when it is large enough. */
    struct chunk *next = next_chunk(c);
    if (!(next->size & IN_USE) && size + chunk_size(next) >= need) {
        check(next);
        list_remove(next);
        set_size(c, size + chunk_size(next), IN_USE);
        trim(c, need);
        return p;
    }
    void *q = malloc(n);
    if (q == NULL)
        return NULL; /* p is left as it was, as the standard asks */
    memcpy(q, p, size - HDR);
    free(p);
    return q;
}

void *aligned_alloc(size_t align, size_t n)
{
    if (align <= ALIGN)
        return malloc(n);
    if ((align & (align - 1)) != 0 || n > SIZE_MAX - align - MIN_CHUNK)
        return NULL;
    /*
     * Over-allocate, then give back the bytes below the first aligned
     * payload address as a free chunk of their own (so that gap must be 0
     * or at least MIN_CHUNK) and the tail as trim() does.
     */
    char *p = malloc(n + align + MIN_CHUNK);
    if (p == NULL)
        return NULL;
    uintptr_t at = ((uintptr_t)p + align - 1) & ~(align - 1);
    if (at != (uintptr_t)p) {
        while (at - (uintptr_t)p < MIN_CHUNK)
            at += align;
        struct chunk *c = (struct chunk *)(p - HDR);
        struct chunk *aligned = (struct chunk *)(at - HDR);
        size_t gap = at - (uintptr_t)p, size = chunk_size(c);
        set_size(c, gap, 0);
        set_size(aligned, size - gap, IN_USE);
        release(c);
        p = (char *)at;
    }
    size_t need;
    (void)chunk_need(n, &need);
    trim((struct chunk *)(p - HDR), need);
    return p;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if ((align & (align - 1)) != 0 || align < sizeof(void *))
        return EINVAL;
    void *p = aligned_alloc(align, n);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}
