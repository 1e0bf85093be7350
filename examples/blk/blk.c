/* blk.c: writes a distinct pattern to every block of "storage", reads it back.
 */
#include "solo5.h"
#include "nabla_lib.h"

/* Largest block size the example handles; the tender allows powers of two. */
#define MAX_BLOCK 65536

static uint8_t wbuf[MAX_BLOCK], rbuf[MAX_BLOCK];

/*
 * A pattern that differs from block to block and byte to byte, so that a
 * block written to or read from the wrong offset is detected.
 */
static void fill(uint8_t *buf, size_t size, uint64_t block)
{
    uint64_t x = block * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)(x >> 24);
    }
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_t h;
    struct solo5_block_info info;

    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        printf("blk: cannot acquire block device 'storage'\n");
        return SOLO5_EXIT_FAILURE;
    }
    if (info.block_size == 0 || info.block_size > MAX_BLOCK) {
        printf("blk: unsupported block size %llu\n",
               (unsigned long long)info.block_size);
        return SOLO5_EXIT_FAILURE;
    }
    uint64_t bs = info.block_size, blocks = info.capacity / bs;

    for (uint64_t b = 0; b < blocks; b++) {
        fill(wbuf, bs, b);
        if (solo5_block_write(h, b * bs, wbuf, bs) != SOLO5_R_OK) {
            printf("blk: write of block %llu failed\n", (unsigned long long)b);
            return SOLO5_EXIT_FAILURE;
        }
    }
    for (uint64_t b = 0; b < blocks; b++) {
        fill(wbuf, bs, b);
        if (solo5_block_read(h, b * bs, rbuf, bs) != SOLO5_R_OK) {
            printf("blk: read of block %llu failed\n", (unsigned long long)b);
            return SOLO5_EXIT_FAILURE;
        }
        if (memcmp(wbuf, rbuf, bs) != 0) {
            printf("blk: block %llu does not hold what was written\n",
                   (unsigned long long)b);
            return SOLO5_EXIT_FAILURE;
        }
    }

    /* The bindings refuse these before the host (and its filter) sees them. */
    if (solo5_block_read(h, info.capacity, rbuf, bs) != SOLO5_R_EINVAL) {
        printf("blk: read at offset == capacity was not refused\n");
        return SOLO5_EXIT_FAILURE;
    }
    if (solo5_block_read(h, 1, rbuf, bs) != SOLO5_R_EINVAL) {
        printf("blk: read at a misaligned offset was not refused\n");
        return SOLO5_EXIT_FAILURE;
    }

    printf("blk: %llu blocks of %llu bytes verified\n",
           (unsigned long long)blocks, (unsigned long long)bs);
    return SOLO5_EXIT_SUCCESS;
}
