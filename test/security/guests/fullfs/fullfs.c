/* fullfs.c: test guest: fills a disk larger than its filesystem can hold. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * The disk image is sparse and lives on a filesystem with less free space
 * than its capacity, so some pwrite64 fails with ENOSPC on the host. The
 * bindings must turn that into SOLO5_R_EUNSPEC for the guest, and nothing
 * may kill the process: the guest keeps writing every block, reads back
 * the first one, prints what it saw and chooses its own status.
 */
#define FULLFS_EXIT_DISK_FULL 3 /* saw the errors, as expected */
#define MAX_BLOCK 65536

static uint8_t wbuf[MAX_BLOCK], rbuf[MAX_BLOCK];

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_t h;
    struct solo5_block_info info;
    uint64_t written = 0, eunspec = 0, other = 0, first_failed = 0;

    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK ||
        info.block_size > MAX_BLOCK) {
        printf("fullfs: cannot use block device 'storage'\n");
        return SOLO5_EXIT_FAILURE;
    }
    uint64_t bs = info.block_size, blocks = info.capacity / bs;

    for (uint64_t b = 0; b < blocks; b++) {
        memset(wbuf, (int)(b & 0xff) | 1, bs);
        solo5_result_t rc = solo5_block_write(h, b * bs, wbuf, bs);
        if (rc == SOLO5_R_OK) {
            written++;
            continue;
        }
        if (eunspec + other == 0) {
            first_failed = b;
            printf("fullfs: block %llu: write returned %d\n",
                   (unsigned long long)b, (int)rc);
        }
        if (rc == SOLO5_R_EUNSPEC)
            eunspec++;
        else
            other++;
    }
    /* What was written before the disk filled up must still be there. */
    memset(wbuf, 1, bs);
    if (written > 0 && (solo5_block_read(h, 0, rbuf, bs) != SOLO5_R_OK ||
                        memcmp(wbuf, rbuf, bs) != 0)) {
        printf("fullfs: block 0 does not read back\n");
        return SOLO5_EXIT_FAILURE;
    }
    printf("fullfs: %llu of %llu blocks written, %llu failed with "
           "SOLO5_R_EUNSPEC, %llu otherwise, first failure at block %llu\n",
           (unsigned long long)written, (unsigned long long)blocks,
           (unsigned long long)eunspec, (unsigned long long)other,
           (unsigned long long)first_failed);
    if (eunspec == 0 || other != 0)
        return SOLO5_EXIT_FAILURE;
    return FULLFS_EXIT_DISK_FULL;
}
