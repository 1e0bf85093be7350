/* blk.c: conformance guest: block I/O on "storage" and what it refuses. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Upstream's checks: write and read back every tenth block, the last block
 * works, one block past the end fails, a size other than block_size fails,
 * an offset not a multiple of block_size fails. The test then reads the host
 * file and checks that the written blocks, and only those, hold the pattern.
 */
#define MAX_BLOCK 65536
#define STRIDE 10

static uint8_t wbuf[MAX_BLOCK + 1], rbuf[MAX_BLOCK + 1];

/* Byte (i) of block (b); the test computes the same. */
static uint8_t pattern(uint64_t b, uint64_t i)
{
    return (uint8_t)((b * 7 + i * 13 + (i >> 8)) & 0xff);
}

static int fail(const char *what, uint64_t offset)
{
    printf("blk: FAILED: %s (offset %llu)\n", what, (unsigned long long)offset);
    return SOLO5_EXIT_FAILURE;
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_t h;
    struct solo5_block_info bi;

    printf("\n**** nabla conformance: blk ****\n\n");
    if (solo5_block_acquire("storage", &h, &bi) != SOLO5_R_OK)
        return fail("cannot acquire 'storage'", 0);
    printf("blk: capacity %llu, block size %llu\n",
           (unsigned long long)bi.capacity, (unsigned long long)bi.block_size);
    uint64_t bs = bi.block_size;
    if (bs < 512 || bs > MAX_BLOCK || bi.capacity % bs != 0)
        return fail("unexpected geometry", 0);

    uint64_t blocks = bi.capacity / bs, written = 0;
    for (uint64_t b = 0; b < blocks; b += STRIDE) {
        for (uint64_t i = 0; i < bs; i++)
            wbuf[i] = pattern(b, i);
        memset(rbuf, 0, bs);
        if (solo5_block_write(h, b * bs, wbuf, bs) != SOLO5_R_OK)
            return fail("write", b * bs);
        if (solo5_block_read(h, b * bs, rbuf, bs) != SOLO5_R_OK)
            return fail("read", b * bs);
        if (memcmp(wbuf, rbuf, bs) != 0)
            return fail("read back differs", b * bs);
        written++;
    }

    /* The last block: read it and write the same bytes back. */
    uint64_t last = bi.capacity - bs;
    if (solo5_block_read(h, last, rbuf, bs) != SOLO5_R_OK)
        return fail("read of the last block", last);
    if (solo5_block_write(h, last, rbuf, bs) != SOLO5_R_OK)
        return fail("write of the last block", last);

    /* Any result but OK is right here (upstream allows EINVAL or EUNSPEC). */
    if (solo5_block_write(h, bi.capacity, wbuf, bs) == SOLO5_R_OK ||
        solo5_block_read(h, bi.capacity, rbuf, bs) == SOLO5_R_OK)
        return fail("I/O one block past the end succeeded", bi.capacity);
    if (solo5_block_write(h, 0, wbuf, bs - 1) == SOLO5_R_OK ||
        solo5_block_read(h, 0, rbuf, bs - 1) == SOLO5_R_OK ||
        solo5_block_write(h, 0, wbuf, bs + 1) == SOLO5_R_OK ||
        solo5_block_read(h, 0, rbuf, bs + 1) == SOLO5_R_OK)
        return fail("I/O of a size other than the block size succeeded", 0);
    if (solo5_block_write(h, bs - 1, wbuf, bs) == SOLO5_R_OK ||
        solo5_block_read(h, bs - 1, rbuf, bs) == SOLO5_R_OK)
        return fail("I/O at a misaligned offset succeeded", bs - 1);

    printf("blk: %llu of %llu blocks written and verified\n",
           (unsigned long long)written, (unsigned long long)blocks);
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
