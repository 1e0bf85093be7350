/* netring.c: test guest: frames queued at once arrive whole and in order. */
#include "solo5.h"
#include "nabla_lib.h"
#include "../../../../examples/common/netproto.h"

/*
 * Usage: netring.nabla count=N hold=MS
 *
 * The host sends N test frames (EtherType 0x88b5, IEEE's "local
 * experimental") in one burst. When the first arrives, the guest stops
 * reading for MS milliseconds, so the rest wait in the tap's queue, then
 * drains it. Every frame must carry the next sequence number, the length it
 * was sent with and its pattern; each is sent back with the addresses
 * swapped so the host can check the way out too. The guest reports how many
 * frames it found queued at once, then SUCCESS, or FAILURE at the first bad
 * frame.
 */
#define PROG "netring"
#define ETHERTYPE_TEST 0x88b5
/* After the Ethernet header: sequence (4 bytes), frame length (2), pattern. */
#define TEST_HDR (SOLO5_NET_HLEN + 6)
#define MSEC 1000000ull

static struct netif nif = {.name = "service"};
static uint8_t frame[NET_FRAME_MAX];
static uint64_t expected; /* next sequence number */

/* The pattern byte at offset (i) of frame (seq); the host computes it too. */
static uint8_t pattern(uint64_t seq, size_t i)
{
    return (uint8_t)(seq * 31 + i * 7);
}

/* Reads one frame; 1 test frame, 0 nothing waiting, -1 failure. */
static int next_test_frame(size_t *len)
{
    for (;;) {
        solo5_result_t rc =
            solo5_net_read(nif.handle, frame, sizeof frame, len);
        if (rc == SOLO5_R_AGAIN)
            return 0;
        if (rc != SOLO5_R_OK) {
            printf(PROG ": read failed\n");
            return -1;
        }
        /* Anything else the host's stack sends (none expected) is skipped. */
        if (*len >= TEST_HDR &&
            get16(((struct eth_hdr *)frame)->type) == ETHERTYPE_TEST)
            return 1;
    }
}

/* Checks the frame just read and echoes it; false at the first fault. */
static bool check_and_echo(size_t len)
{
    uint64_t seq = (uint64_t)frame[14] << 24 | (uint64_t)frame[15] << 16 |
                   (uint64_t)frame[16] << 8 | frame[17];
    size_t sent_len = get16(frame + 18);

    if (memcmp(frame, nif.info.mac_address, 6) != 0) {
        printf(PROG ": frame %llu: not addressed to us\n",
               (unsigned long long)expected);
        return false;
    }
    if (seq != expected) {
        printf(PROG ": frame %llu arrived where %llu was due\n",
               (unsigned long long)seq, (unsigned long long)expected);
        return false;
    }
    if (sent_len != len) {
        printf(PROG ": frame %llu: %llu bytes read, %llu sent\n",
               (unsigned long long)seq, (unsigned long long)len,
               (unsigned long long)sent_len);
        return false;
    }
    for (size_t i = TEST_HDR; i < len; i++) {
        if (frame[i] != pattern(seq, i)) {
            printf(PROG ": frame %llu: byte %llu differs\n",
                   (unsigned long long)seq, (unsigned long long)i);
            return false;
        }
    }
    eth_turn_around(&nif, frame);
    if (solo5_net_write(nif.handle, frame, len) != SOLO5_R_OK) {
        printf(PROG ": frame %llu: echo failed\n", (unsigned long long)seq);
        return false;
    }
    expected++;
    return true;
}

static bool parse_args(const char *cmdline, uint64_t *count, uint64_t *hold)
{
    const char *cursor = cmdline, *w;
    size_t n;

    while ((w = next_word(&cursor, &n)) != NULL) {
        bool ok = false;
        if (has_prefix(w, n, "count="))
            ok = parse_uint(w + 6, n - 6, 1000000, count);
        else if (has_prefix(w, n, "hold="))
            ok = parse_uint(w + 5, n - 5, 60000, hold);
        if (!ok)
            return false;
    }
    return *count > 0;
}

static int fail(void)
{
    printf("FAILURE\n");
    return SOLO5_EXIT_FAILURE;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t count = 0, hold = 0, queued = 0;
    size_t len;
    int got;

    if (!parse_args(si->cmdline, &count, &hold)) {
        printf("usage: " PROG ".nabla count=N hold=MS\n");
        return fail();
    }
    if (!netif_open(&nif, PROG))
        return fail();
    printf(PROG ": ready\n");

    /* Wait for the first test frame. */
    while ((got = next_test_frame(&len)) == 0)
        solo5_yield(solo5_clock_monotonic() + NET_IDLE_NS, NULL);
    if (got < 0 || !check_and_echo(len))
        return fail();

    /*
     * Leave the rest of the burst in the tap's queue. solo5_yield() returns
     * at once while input waits (the epoll set is level-triggered), so this
     * polls the clock until the hold is over rather than sleeping.
     */
    solo5_time_t until = solo5_clock_monotonic() + hold * MSEC;
    while (solo5_clock_monotonic() < until)
        solo5_yield(until, NULL);

    /* Everything read before the first SOLO5_R_AGAIN was queued at once. */
    queued = 1;
    while (expected < count && (got = next_test_frame(&len)) == 1) {
        if (!check_and_echo(len))
            return fail();
        queued++;
    }
    if (got < 0)
        return fail();

    /* Whatever was not queued yet comes as it arrives. */
    while (expected < count) {
        got = next_test_frame(&len);
        if (got < 0 || (got == 1 && !check_and_echo(len)))
            return fail();
        if (got == 0)
            solo5_yield(solo5_clock_monotonic() + NET_IDLE_NS, NULL);
    }
    printf(PROG ": %llu frames in order and intact, %llu of them queued at "
                "once\n",
           (unsigned long long)count, (unsigned long long)queued);
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
