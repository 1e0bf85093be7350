/* block.c: block devices: one-block pread64/pwrite64 on the host file. */
#include "core.h"

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    const struct mft_entry *e;

    if (info == NULL)
        return SOLO5_R_EINVAL;
    solo5_result_t rc = mft_acquire(name, MFT_DEV_BLOCK_BASIC, handle, &e);
    if (rc != SOLO5_R_OK)
        return rc;
    info->capacity = e->u.block_basic.capacity;
    info->block_size = e->u.block_basic.block_size;
    log_printf(LOG_DEBUG, "Solo5: acquired block device '%s' as handle %llu\n",
               name, (unsigned long long)*handle);
    return SOLO5_R_OK;
}

/*
 * The same checks the spt tender's filter makes (fd, count == block_size,
 * offset <= capacity - block_size), done first here so that a bad request
 * is an error result rather than a SIGSYS, plus the API's alignment rule.
 * The hosted target makes them too, so both refuse the same requests.
 */
static struct mft_entry *block_check(solo5_handle_t handle, solo5_off_t offset,
                                     size_t size)
{
    const struct mft_entry *e =
        mft_entry_by_handle(handle, MFT_DEV_BLOCK_BASIC);
    if (e == NULL)
        return NULL;
    uint64_t bs = e->u.block_basic.block_size;
    uint64_t cap = e->u.block_basic.capacity;
    if (bs == 0 || size != bs || offset % bs != 0 || cap < bs ||
        offset > cap - bs)
        return NULL;
    return e;
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size)
{
    const struct mft_entry *e = block_check(handle, offset, size);
    if (e == NULL)
        return SOLO5_R_EINVAL;
    long n;
    do
        n = host_pread(e->b.hostfd, buf, size, offset);
    while (n == -HOST_EINTR);
    return n == (long)size ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    const struct mft_entry *e = block_check(handle, offset, size);
    if (e == NULL)
        return SOLO5_R_EINVAL;
    long n;
    do
        n = host_pwrite(e->b.hostfd, buf, size, offset);
    while (n == -HOST_EINTR);
    return n == (long)size ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}
