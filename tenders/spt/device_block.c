/* device_block.c: BLOCK_BASIC devices in the tender: a disk in a file. */
/*
 * The orchestrator opened the backing file read-write and measured it; the
 * guest reads and writes it with pread64 and pwrite64 at host_fd, one whole
 * block at a time (the filter pins the count and the offsets), so it never
 * waits for it and the descriptor stays out of the epoll set. A read-only
 * device is the same to the tender: its descriptor is O_RDONLY, so the
 * kernel refuses the guest's pwrite64 with EBADF (no check here is needed).
 */
#include <string.h>

#include "device.h"
#include "msg.h"
#include "regular_file.h"

static int check_entry(const struct nabla_plan_device *d, char *why,
                       size_t why_size)
{
    static const uint8_t no_mac[sizeof d->mac];
    uint16_t bs = d->block_size;

    /* A power of two: the guest's block arithmetic may use masks. */
    if (bs < 512 || (bs & (bs - 1)) != 0)
        return nabla_msg(why, why_size,
                         "block_size %u is not a power of two >= 512", bs);
    if (d->capacity == 0 || d->capacity % bs != 0)
        return nabla_msg(why, why_size,
                         "capacity 0x%llx is not a non-zero multiple of "
                         "block_size %u",
                         (unsigned long long)d->capacity, bs);
    if (d->mtu != 0 || memcmp(d->mac, no_mac, sizeof d->mac) != 0)
        return nabla_msg(why, why_size, "a block device with net fields set");
    return 0;
}

static void fill_entry(struct mft_entry *e, const struct nabla_plan_device *d)
{
    e->u.block_basic.capacity = d->capacity;
    e->u.block_basic.block_size = d->block_size;
}

const struct device_kind device_block = {
    .mft_type = MFT_DEV_BLOCK_BASIC,
    .check_entry = check_entry,
    /*
     * A regular file, as the orchestrator opened it: its capacity is the
     * file's size, and anything else (a FIFO, a socket, a terminal) would
     * not behave as a disk under pread and pwrite.
     */
    .check_source = nabla_check_regular,
    .fill_entry = fill_entry,
    .check_take = NULL,
    .polled = false,
};
