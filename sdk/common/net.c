/* net.c: network devices: one frame per read/write on the host descriptor. */
#include "core.h"

/*
 * The device's descriptor is non-blocking (nabla-run and the hosted start
 * code open taps so, and set O_NONBLOCK on one passed with --net:NAME=@N),
 * so each read returns one frame or EAGAIN and each write sends one frame.
 */
solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    const struct mft_entry *e;

    if (info == NULL)
        return SOLO5_R_EINVAL;
    solo5_result_t rc = mft_acquire(name, MFT_DEV_NET_BASIC, handle, &e);
    if (rc != SOLO5_R_OK)
        return rc;
    memcpy(info->mac_address, e->u.net_basic.mac, SOLO5_NET_ALEN);
    info->mtu = e->u.net_basic.mtu;
    log_printf(LOG_DEBUG, "Solo5: acquired net device '%s' as handle %llu\n",
               name, (unsigned long long)*handle);
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size)
{
    const struct mft_entry *e = mft_entry_by_handle(handle, MFT_DEV_NET_BASIC);
    if (e == NULL || size > (size_t)e->u.net_basic.mtu + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    long n;
    do
        n = host_write(e->b.hostfd, buf, size);
    while (n == -HOST_EINTR);
    /* A frame the host cannot take now is dropped, as the API allows. */
    if (n == -HOST_EAGAIN)
        return SOLO5_R_OK;
    return n == (long)size ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    const struct mft_entry *e = mft_entry_by_handle(handle, MFT_DEV_NET_BASIC);
    if (e == NULL || read_size == NULL ||
        size < (size_t)e->u.net_basic.mtu + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    long n;
    do
        n = host_read(e->b.hostfd, buf, size);
    while (n == -HOST_EINTR);
    if (n == -HOST_EAGAIN)
        return SOLO5_R_AGAIN;
    if (n < 0)
        return SOLO5_R_EUNSPEC;
    *read_size = (size_t)n;
    return SOLO5_R_OK;
}
