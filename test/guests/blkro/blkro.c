/* blkro.c: test guest reading "storage", writing one block, reading again. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * For read-only block devices: reads every block (and prints a checksum the
 * test computes from the host file), writes a pattern to block 0 and prints
 * the result, then reads block 0 again and says whether it changed. A
 * refused write is reported and the guest exits with SOLO5_EXIT_FAILURE (1);
 * a filter that killed the write instead would end it with SIGSYS.
 */
#define MAX_BLOCK 65536

static uint8_t before[MAX_BLOCK], wbuf[MAX_BLOCK], rbuf[MAX_BLOCK];

/* FNV-1a over the bytes, 32 bits: the test's checksum is the same. */
static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_t h;
    struct solo5_block_info info;

    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        printf("blkro: cannot acquire 'storage'\n");
        return 2;
    }
    uint64_t bs = info.block_size, blocks = info.capacity / bs;
    if (bs > MAX_BLOCK) {
        printf("blkro: block size too large\n");
        return 2;
    }

    uint32_t sum = 2166136261u;
    for (uint64_t b = 0; b < blocks; b++) {
        if (solo5_block_read(h, b * bs, rbuf, bs) != SOLO5_R_OK) {
            printf("blkro: read of block %llu failed\n", (unsigned long long)b);
            return 2;
        }
        sum = fnv(sum, rbuf, bs);
        if (b == 0)
            memcpy(before, rbuf, bs);
    }
    printf("blkro: read %llu blocks, checksum %08x\n",
           (unsigned long long)blocks, (unsigned)sum);

    for (uint64_t i = 0; i < bs; i++)
        wbuf[i] = (uint8_t)(0xa5 ^ i);
    solo5_result_t w = solo5_block_write(h, 0, wbuf, bs);
    if (w == SOLO5_R_OK)
        printf("blkro: write of block 0: ok\n");
    else
        printf("blkro: write of block 0: failed (result %d)\n", (int)w);

    if (solo5_block_read(h, 0, rbuf, bs) != SOLO5_R_OK) {
        printf("blkro: read of block 0 after the write failed\n");
        return 2;
    }
    if (memcmp(rbuf, before, bs) == 0)
        printf("blkro: block 0 read back: unchanged\n");
    else if (memcmp(rbuf, wbuf, bs) == 0)
        printf("blkro: block 0 read back: written\n");
    else
        printf("blkro: block 0 read back: neither\n");
    return w == SOLO5_R_OK ? SOLO5_EXIT_SUCCESS : SOLO5_EXIT_FAILURE;
}
