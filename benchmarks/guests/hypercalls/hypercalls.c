/* hypercalls.c: times N calls of one Solo5 hypercall, prints ns per call. */
#include "solo5.h"
#include "nabla_lib.h"
#include "host_options.h"

/*
 * Usage: hypercalls OP CALLS [warmup=N] [rounds=R] [pattern=seq|rand]
 *                   [syscalls=spt|glibc] [seccomp=PATH]
 *   OP        clock-monotonic | clock-wall | yield | block-read | block-write
 *   CALLS     calls timed per round, after `warmup` untimed ones (default
 *             1000)
 *   rounds    timed rounds (default 1); the fastest is reported, so that a
 *             round in which another process took the CPU does not count
 *   pattern   block offsets: sequential (wrapping at the end of the device)
 *             or uniformly random blocks from a fixed seed, so every run
 *             and both builds visit the same offsets
 *   syscalls=, seccomp=   see host_options.h (hosted-build controls)
 *
 * Block operations move one block of the device "storage" per call, so the
 * transfer size is its block size (--block-sector-size:storage=N).
 * The result is one line the benchmark harness parses (T: the fastest round):
 *   hypercalls: op=OP size=BYTES pattern=P rounds=R calls=N total_ns=T
 *   ns_per_call=X
 * The loop is timed with solo5_clock_monotonic(), like any guest would.
 */
#define PROG "hypercalls"
/* The largest block size nabla-run and the hosted build accept. */
#define MAX_BLOCK 32768

enum op { OP_CLOCK_MONO, OP_CLOCK_WALL, OP_YIELD, OP_READ, OP_WRITE };

static const char *const op_names[] = {"clock-monotonic", "clock-wall", "yield",
                                       "block-read", "block-write"};

struct config {
    enum op op;
    uint64_t calls, warmup, rounds;
    bool random;
};

struct block {
    solo5_handle_t handle;
    uint64_t size, blocks;
    uint64_t next;  /* sequential: the next block */
    uint64_t state; /* random: xorshift64 state */
};

static _Alignas(4096) uint8_t buf[MAX_BLOCK];
/* Where clock results go, so that no read can be optimised away. */
static volatile solo5_time_t sink;

static const char *next_word(const char **cursor, size_t *n)
{
    const char *p = *cursor;
    while (*p == ' ')
        p++;
    if (*p == '\0')
        return NULL;
    const char *start = p;
    while (*p != '\0' && *p != ' ')
        p++;
    *n = (size_t)(p - start);
    *cursor = p;
    return start;
}

static bool word_is(const char *w, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(w, s, n) == 0;
}

static bool parse_count(const char *w, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 15) /* 15 digits: far beyond any run, no overflow */
        return false;
    for (size_t i = 0; i < n; i++) {
        if (w[i] < '0' || w[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(w[i] - '0');
    }
    *out = v;
    return true;
}

/* The guest's printf has no precision: the word is copied out to print it. */
static bool bad_word(const char *what, const char *w, size_t n)
{
    char word[64];
    size_t len = n < sizeof word - 1 ? n : sizeof word - 1;
    memcpy(word, w, len);
    word[len] = '\0';
    printf(PROG ": %s: '%s'\n", what, word);
    return false;
}

static bool parse_args(const char *cmdline, struct config *c)
{
    const char *cursor = cmdline, *w;
    size_t n;
    bool have_op = false, have_calls = false;

    c->warmup = 1000;
    c->rounds = 1;
    c->random = false;
    while ((w = next_word(&cursor, &n)) != NULL) {
        if (!have_op) {
            for (size_t i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
                if (word_is(w, n, op_names[i])) {
                    c->op = (enum op)i;
                    have_op = true;
                }
            if (!have_op)
                return bad_word("unknown operation", w, n);
        } else if (!have_calls) {
            if (!parse_count(w, n, &c->calls) || c->calls == 0)
                return bad_word("CALLS must be a count above 0", w, n);
            have_calls = true;
        } else if (n > 7 && memcmp(w, "warmup=", 7) == 0) {
            if (!parse_count(w + 7, n - 7, &c->warmup))
                return bad_word("warmup must be a count", w, n);
        } else if (n > 7 && memcmp(w, "rounds=", 7) == 0) {
            if (!parse_count(w + 7, n - 7, &c->rounds) || c->rounds == 0)
                return bad_word("rounds must be a count above 0", w, n);
        } else if (word_is(w, n, "pattern=seq") ||
                   word_is(w, n, "pattern=rand")) {
            c->random = w[8] == 'r';
        } else {
            int taken = host_option(w, n);
            if (taken < 0)
                return false; /* host_option said why */
            if (taken == 0)
                return bad_word("unknown option", w, n);
        }
    }
    if (!have_calls)
        printf(PROG ": usage: " PROG " OP CALLS [warmup=N] [rounds=R] "
                    "[pattern=seq|rand] [syscalls=spt|glibc] [seccomp=PATH]\n");
    return have_calls;
}

/* The next block's offset; the random stream is xorshift64 from a fixed seed.
 */
static uint64_t next_offset(struct block *b, bool random)
{
    if (!random) {
        uint64_t off = b->next * b->size;
        if (++b->next == b->blocks)
            b->next = 0;
        return off;
    }
    b->state ^= b->state << 13;
    b->state ^= b->state >> 7;
    b->state ^= b->state << 17;
    return (b->state % b->blocks) * b->size;
}

/*
 * Makes (count) calls of the operation. Each is checked, so that a failing
 * call cannot pass for a fast one; the check costs a compare per call on
 * both builds alike.
 */
static bool run_calls(const struct config *c, struct block *b, uint64_t count)
{
    solo5_handle_set_t ready;

    for (uint64_t i = 0; i < count; i++) {
        switch (c->op) {
        case OP_CLOCK_MONO:
            sink = solo5_clock_monotonic();
            break;
        case OP_CLOCK_WALL:
            sink = solo5_clock_wall();
            break;
        case OP_YIELD:
            /* A deadline already past: a poll of the device set. */
            solo5_yield(0, &ready);
            break;
        case OP_READ:
            if (solo5_block_read(b->handle, next_offset(b, c->random), buf,
                                 b->size) != SOLO5_R_OK) {
                printf(PROG ": block read failed\n");
                return false;
            }
            break;
        case OP_WRITE:
            if (solo5_block_write(b->handle, next_offset(b, c->random), buf,
                                  b->size) != SOLO5_R_OK) {
                printf(PROG ": block write failed\n");
                return false;
            }
            break;
        }
    }
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    struct config c;
    struct block b = {.state = 0x9e3779b97f4a7c15ull};
    struct solo5_block_info info;

    if (!parse_args(si->cmdline, &c))
        return SOLO5_EXIT_FAILURE;
    /* Acquired for every operation, so that all runs have the same devices. */
    if (solo5_block_acquire("storage", &b.handle, &info) != SOLO5_R_OK) {
        printf(PROG ": cannot acquire block device 'storage'\n");
        return SOLO5_EXIT_FAILURE;
    }
    if (info.block_size > MAX_BLOCK) {
        printf(PROG ": block size %llu is above %u\n",
               (unsigned long long)info.block_size, MAX_BLOCK);
        return SOLO5_EXIT_FAILURE;
    }
    b.size = info.block_size;
    b.blocks = info.capacity / info.block_size;
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131 + 7);

    if (!run_calls(&c, &b, c.warmup))
        return SOLO5_EXIT_FAILURE;
    b.next = 0; /* a sequential pass starts at block 0 after the warm-up */
    solo5_time_t total = UINT64_MAX;
    for (uint64_t r = 0; r < c.rounds; r++) {
        solo5_time_t start = solo5_clock_monotonic();
        if (!run_calls(&c, &b, c.calls))
            return SOLO5_EXIT_FAILURE;
        solo5_time_t took = solo5_clock_monotonic() - start;
        if (took < total)
            total = took;
    }

    /* No floating point in the guest's printf: tenths, by integer division. */
    uint64_t tenths = (total * 10 + c.calls / 2) / c.calls;
    bool block_op = c.op == OP_READ || c.op == OP_WRITE;
    printf(PROG ": op=%s size=%llu pattern=%s rounds=%llu calls=%llu "
                "total_ns=%llu ns_per_call=%llu.%llu\n",
           op_names[c.op], (unsigned long long)(block_op ? b.size : 0),
           block_op ? (c.random ? "rand" : "seq") : "none",
           (unsigned long long)c.rounds, (unsigned long long)c.calls,
           (unsigned long long)total, (unsigned long long)(tenths / 10),
           (unsigned long long)(tenths % 10));
    return SOLO5_EXIT_SUCCESS;
}
