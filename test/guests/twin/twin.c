/* twin.c: test guest built for spt and hosted; both must print the same. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Walks the API's rules one line each: what it checks and whether the
 * result matched. Attach "storage" (a block file) and "service0" (any
 * descriptor, e.g. --net:service0=@0). Only the TLS line may differ by
 * target: hosted, glibc owns the thread pointer and set_tls_base refuses.
 */
#define MS 1000000ull

static int bad;
static uint8_t buf[65536 + 1], back[65536];

static void report(const char *what, bool ok)
{
    printf("twin: %s %s\n", what, ok ? "ok" : "FAILED");
    bad += !ok;
}

static __thread int counter = 41;

static void clocks_and_yield(void)
{
    solo5_time_t t0 = solo5_clock_monotonic();
    solo5_handle_set_t ready = ~0ull;
    solo5_yield(t0 + 30 * MS, &ready);
    solo5_time_t t1 = solo5_clock_monotonic();
    report("yield sleeps until the deadline", t1 >= t0 + 30 * MS && ready == 0);
    solo5_yield(0, &ready);
    report("yield with a past deadline returns at once",
           solo5_clock_monotonic() - t1 < 20 * MS && ready == 0);
    /* 2020-01-01 in ns since the epoch: any real wall clock is later. */
    report("wall clock is plausible",
           solo5_clock_wall() > 1577836800ull * 1000000000ull);
}

static void block(void)
{
    solo5_handle_t h, h2;
    struct solo5_block_info bi;
    report("block acquire",
           solo5_block_acquire("storage", &h, &bi) == SOLO5_R_OK);
    report("block acquire twice refused",
           solo5_block_acquire("storage", &h2, &bi) == SOLO5_R_EINVAL);
    report("unknown device refused",
           solo5_block_acquire("nope", &h2, &bi) == SOLO5_R_EINVAL);
    uint64_t bs = bi.block_size, last = bi.capacity - bs;
    printf("twin: block handle %llu, %llu bytes in blocks of %llu\n",
           (unsigned long long)h, (unsigned long long)bi.capacity,
           (unsigned long long)bs);
    for (uint64_t i = 0; i < bs; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    report("block write and read back",
           solo5_block_write(h, last, buf, bs) == SOLO5_R_OK &&
               solo5_block_read(h, last, back, bs) == SOLO5_R_OK &&
               memcmp(buf, back, bs) == 0);
    report("misaligned offset refused",
           solo5_block_read(h, bs / 2, buf, bs) == SOLO5_R_EINVAL);
    report("offset at capacity refused",
           solo5_block_read(h, bi.capacity, buf, bs) == SOLO5_R_EINVAL);
    report("short transfer refused",
           solo5_block_write(h, 0, buf, bs / 2) == SOLO5_R_EINVAL);
    report("block size + 1 refused",
           solo5_block_read(h, 0, buf, bs + 1) == SOLO5_R_EINVAL);
}

static void net(void)
{
    solo5_handle_t h, h2;
    struct solo5_net_info ni;
    report("net acquire", solo5_net_acquire("service0", &h, &ni) == SOLO5_R_OK);
    report("net acquire twice refused",
           solo5_net_acquire("service0", &h2, &ni) == SOLO5_R_EINVAL);
    report("block device as net refused",
           solo5_net_acquire("storage", &h2, &ni) == SOLO5_R_EINVAL);
    printf("twin: net handle %llu, mtu %llu, mac "
           "%02x:%02x:%02x:%02x:%02x:%02x\n",
           (unsigned long long)h, (unsigned long long)ni.mtu, ni.mac_address[0],
           ni.mac_address[1], ni.mac_address[2], ni.mac_address[3],
           ni.mac_address[4], ni.mac_address[5]);
    size_t n;
    size_t frame = ni.mtu + SOLO5_NET_HLEN;
    report("read buffer below mtu + 14 refused",
           solo5_net_read(h, buf, frame - 1, &n) == SOLO5_R_EINVAL);
    report("frame above mtu + 14 refused",
           solo5_net_write(h, buf, frame + 1) == SOLO5_R_EINVAL);
    report("net handle used as block refused",
           solo5_block_read(h, 0, buf, 512) == SOLO5_R_EINVAL);
}

static void tls(void)
{
    size_t size = solo5_tls_size();
    uintptr_t block = (uintptr_t)aligned_alloc(64, (size + 63) & ~63ul);
    solo5_result_t init = solo5_tls_init(block);
    solo5_result_t set = solo5_set_tls_base(solo5_tls_tp_offset(block));
    printf("twin: set_tls_base %s\n", set == SOLO5_R_OK       ? "OK"
                                      : set == SOLO5_R_EINVAL ? "EINVAL"
                                                              : "other");
    /* Hosted, __thread works without it: glibc set up the main thread. */
    counter++;
    report("__thread variable", init == SOLO5_R_OK && counter == 42);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    printf("twin: command line '%s'\n", si->cmdline);
    report("heap region",
           si->heap_size >= (1u << 20) && si->heap_start % 4096 == 0);
    clocks_and_yield();
    block();
    net();
    tls();
    printf("twin: %s\n", bad == 0 ? "all ok" : "FAILURES");
    return bad == 0 ? SOLO5_EXIT_SUCCESS : SOLO5_EXIT_FAILURE;
}
