/* blkraw.c: test guest making raw block syscalls that bypass the bindings. */
#include "solo5.h"
#include "nabla_lib.h"
#include "spt_abi.h"

/*
 * The command line picks one call; only "ok" is within the filter's rules
 * (fd == the device's hostfd, count == block_size, offset <= capacity -
 * block_size), every other one must be killed by SIGSYS:
 *   ok     pread64(hostfd, block_size, 0)         prints "ok", status 0
 *   past   pread64(hostfd, block_size, capacity)  one block past the end
 *   len    pread64(hostfd, 2 * block_size, 0)     two blocks at once
 *   fd     pread64(1, block_size, 0)              not the device
 *   wpast  pwrite64(hostfd, block_size, capacity) write past the end
 */
#define SYS_pread64 17
#define SYS_pwrite64 18

static uint8_t buf[2 * 65536];

static long raw4(long nr, long fd, void *p, size_t n, uint64_t off)
{
    long ret;
    register long r10 __asm__("r10") = (long)off;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(fd), "S"(p), "d"(n), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    solo5_handle_t h;
    struct solo5_block_info info;

    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        printf("blkraw: cannot acquire 'storage'\n");
        return SOLO5_EXIT_FAILURE;
    }
    if (info.block_size > sizeof(buf) / 2) {
        printf("blkraw: block size too large\n");
        return SOLO5_EXIT_FAILURE;
    }
    /* The API hides descriptors; the tender-filled manifest has them. */
    const struct spt_boot_info *bi =
        (const struct spt_boot_info *)(uintptr_t)SPT_BOOT_INFO_BASE;
    const struct mft *m = bi->mft;
    int fd = m->e[h].b.hostfd;
    size_t bs = info.block_size;
    const char *op = si->cmdline;
    long ret;

    if (strcmp(op, "ok") == 0)
        ret = raw4(SYS_pread64, fd, buf, bs, 0);
    else if (strcmp(op, "past") == 0)
        ret = raw4(SYS_pread64, fd, buf, bs, info.capacity);
    else if (strcmp(op, "len") == 0)
        ret = raw4(SYS_pread64, fd, buf, 2 * bs, 0);
    else if (strcmp(op, "fd") == 0)
        ret = raw4(SYS_pread64, 1, buf, bs, 0);
    else if (strcmp(op, "wpast") == 0)
        ret = raw4(SYS_pwrite64, fd, buf, bs, info.capacity);
    else {
        printf("blkraw: unknown operation '%s' (ok|past|len|fd|wpast)\n", op);
        return SOLO5_EXIT_FAILURE;
    }

    if (strcmp(op, "ok") == 0 && ret == (long)bs) {
        printf("ok\n");
        return SOLO5_EXIT_SUCCESS;
    }
    printf("blkraw: %s returned %ld and was not killed\n", op, ret);
    return SOLO5_EXIT_FAILURE;
}
