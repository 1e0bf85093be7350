/* mft_maxdevices.c: conformance guest: I/O on all 63 block devices. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * 63 devices plus the reserved entry 0 fill the manifest's 64 entries.
 * Upstream only acquires the first and the last; here every device is
 * acquired, must have its own handle, and gets one block written with its
 * own number (the test reads all 63 files back). Block (i % 8) of storage(i)
 * is used, so offsets other than 0 are exercised too.
 */
#define DEVICES 63

static uint8_t buf[512], check_buf[512];

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_set_t seen = 0;

    printf("\n**** nabla conformance: mft_maxdevices ****\n\n");
    for (int i = 0; i < DEVICES; i++) {
        char name[16];
        solo5_handle_t h;
        struct solo5_block_info bi;

        snprintf(name, sizeof(name), "storage%d", i);
        if (solo5_block_acquire(name, &h, &bi) != SOLO5_R_OK) {
            printf("FAILURE: cannot acquire '%s'\n", name);
            return SOLO5_EXIT_FAILURE;
        }
        if (h == 0 || h >= 64 || (seen & (1ull << h)) != 0 ||
            bi.block_size != 512 || bi.capacity != 4096) {
            printf("FAILURE: '%s': handle %llu, capacity %llu, block %llu\n",
                   name, (unsigned long long)h, (unsigned long long)bi.capacity,
                   (unsigned long long)bi.block_size);
            return SOLO5_EXIT_FAILURE;
        }
        seen |= 1ull << h;

        solo5_off_t offset = (solo5_off_t)(i % 8) * 512;
        memset(buf, 0, sizeof(buf));
        snprintf((char *)buf, sizeof(buf), "device %d of %d\n", i, DEVICES);
        if (solo5_block_write(h, offset, buf, sizeof(buf)) != SOLO5_R_OK ||
            solo5_block_read(h, offset, check_buf, sizeof(check_buf)) !=
                SOLO5_R_OK ||
            memcmp(buf, check_buf, sizeof(buf)) != 0) {
            printf("FAILURE: I/O on '%s'\n", name);
            return SOLO5_EXIT_FAILURE;
        }
    }
    solo5_handle_t h;
    struct solo5_block_info bi;
    if (solo5_block_acquire("storage63", &h, &bi) == SOLO5_R_OK) {
        printf("FAILURE: acquired 'storage63', which is not declared\n");
        return SOLO5_EXIT_FAILURE;
    }
    printf("mft_maxdevices: %d devices acquired and written\n", DEVICES);
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
