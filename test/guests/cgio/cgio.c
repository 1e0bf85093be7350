/* cgio.c: test guest for per-guest counters: block and net I/O on a cue. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Prints "ready", then sleeps until a frame arrives on 'service' (the
 * test's cue: any frame, an ARP request will do) and reads it. Then writes
 * and reads back BLOCKS blocks of 'storage', sends FRAMES broadcast frames
 * of FRAME_SIZE bytes on 'service', prints "io done" and sleeps forever. So
 * the counters read at "ready" hold none of this I/O, and those read at
 * "io done" hold all of it (test/daemon/limits.test.ts).
 */
#define BLOCKS 16
#define FRAMES 8
#define FRAME_SIZE 200
#define SECOND 1000000000ull

static uint8_t block[4096];
static uint8_t frame[1600];

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_t disk, net;
    struct solo5_block_info binfo;
    struct solo5_net_info ninfo;
    size_t got;

    if (solo5_block_acquire("storage", &disk, &binfo) != SOLO5_R_OK ||
        solo5_net_acquire("service", &net, &ninfo) != SOLO5_R_OK ||
        binfo.block_size > sizeof block ||
        binfo.capacity < BLOCKS * binfo.block_size) {
        printf("cgio: cannot acquire its devices\n");
        return SOLO5_EXIT_FAILURE;
    }
    printf("ready\n");
    for (;;) {
        solo5_yield(solo5_clock_monotonic() + SECOND, NULL);
        if (solo5_net_read(net, frame, sizeof frame, &got) == SOLO5_R_OK)
            break;
    }
    for (unsigned i = 0; i < BLOCKS; i++) {
        memset(block, (int)i, binfo.block_size);
        if (solo5_block_write(disk, i * binfo.block_size, block,
                              binfo.block_size) != SOLO5_R_OK ||
            solo5_block_read(disk, i * binfo.block_size, block,
                             binfo.block_size) != SOLO5_R_OK) {
            printf("cgio: block %u failed\n", i);
            return SOLO5_EXIT_FAILURE;
        }
    }
    memset(frame, 0xff, SOLO5_NET_ALEN); /* broadcast */
    memcpy(frame + SOLO5_NET_ALEN, ninfo.mac_address, SOLO5_NET_ALEN);
    frame[12] = 0x88; /* EtherType 0x88b5: local experimental */
    frame[13] = 0xb5;
    for (unsigned i = 0; i < FRAMES; i++)
        solo5_net_write(net, frame, FRAME_SIZE);
    printf("io done\n");
    for (;;)
        solo5_yield(solo5_clock_monotonic() + SECOND, NULL);
}
