/* probe.c: test guest that looks for readable memory in ranges it is given. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * test/security/address-space.test.ts starts this guest, reads where the
 * tender had its code, libraries, heap and stack (from its watchdog, a fork
 * of the tender) and where the vDSO and the trampoline are (from the
 * guest's /proc/PID/maps), and writes them to the disk "ranges":
 *
 *   offset 0   u64 RANGES_MAGIC
 *   offset 8   u64 count (at most MAX_RANGES)
 *   offset 16  count x { u64 start, u64 end }, page-aligned
 *
 * The guest waits for them, then tries every page of every range with the
 * address oracle a hostile guest has: an allowed call that reads user
 * memory through a pointer. epoll_pwait(3, ev, 1, 0, sigmask, 8) copies the
 * 8-byte signal mask from the pointer before it waits, and fails with
 * EFAULT when nothing readable is there; otherwise it returns at once
 * (timeout 0) with the mask restored, having written nothing the guest does
 * not own. It prints one line per range: "probe: range I: R of N pages
 * readable".
 */
#define RANGES_MAGIC 0x45424f5250414c4eull /* "NLAPROBE" */
#define DISK_READ 4096
#define MAX_RANGES ((DISK_READ - 16) / 16)
#define PAGE 4096ull
#define EPOLL_FD 3 /* nabla's fixed number (docs/abi.md §4.4) */
#define SYS_epoll_pwait 281
#define EFAULT 14

static uint8_t disk[DISK_READ] __attribute__((aligned(16)));

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* 1: the 8 bytes at p can be read by the kernel for us; 0: EFAULT. */
static int readable(uint64_t p)
{
    uint8_t events[16];
    long ret;

    register long r10 __asm__("r10") = 0; /* timeout */
    register long r8 __asm__("r8") = (long)p;
    register long r9 __asm__("r9") = 8; /* sizeof(sigset_t) */
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)SYS_epoll_pwait), "D"((long)EPOLL_FD),
                       "S"(events), "d"(1L), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    if (ret == -EFAULT)
        return 0;
    if (ret < 0) {
        printf("probe: epoll_pwait on 0x%llx: unexpected error %ld\n",
               (unsigned long long)p, -ret);
        solo5_exit(2);
    }
    return 1;
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    solo5_handle_t h;
    struct solo5_block_info info;
    uint64_t count;

    if (solo5_block_acquire("ranges", &h, &info) != SOLO5_R_OK ||
        info.capacity < DISK_READ) {
        printf("probe: no 'ranges' disk of %d bytes\n", DISK_READ);
        return 2;
    }
    printf("ready\n");
    for (;;) {
        for (uint64_t at = 0; at < DISK_READ; at += info.block_size)
            if (solo5_block_read(h, at, disk + at, info.block_size) !=
                SOLO5_R_OK) {
                printf("probe: cannot read the disk\n");
                return 2;
            }
        if (get64(disk) == RANGES_MAGIC)
            break;
        solo5_yield(solo5_clock_monotonic() + 10000000ull, NULL);
    }
    count = get64(disk + 8);
    if (count > MAX_RANGES) {
        printf("probe: %llu ranges, at most %d\n", (unsigned long long)count,
               (int)MAX_RANGES);
        return 2;
    }
    for (uint64_t i = 0; i < count; i++) {
        uint64_t start = get64(disk + 16 + 16 * i);
        uint64_t end = get64(disk + 24 + 16 * i);
        uint64_t hits = 0;

        for (uint64_t p = start; p < end; p += PAGE)
            hits += (uint64_t)readable(p);
        printf("probe: range %llu: %llu of %llu pages readable\n",
               (unsigned long long)i, (unsigned long long)hits,
               (unsigned long long)((end - start) / PAGE));
    }
    printf("probe: done\n");
    return 0;
}
