/* device_net.c: NET_BASIC devices in the tender: a tap interface. */
/*
 * The guest reads and writes whole Ethernet frames at host_fd and waits for
 * the next one in solo5_yield, so the descriptor joins the epoll set.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>

#include "device.h"
#include "msg.h"

static int check_entry(const struct nabla_plan_device *d, char *why,
                       size_t why_size)
{
    if (d->capacity != 0 || d->block_size != 0)
        return nabla_msg(why, why_size, "a net device with block fields set");
    if (d->mtu == 0)
        return nabla_msg(why, why_size, "mtu is 0");
    return 0;
}

static void fill_entry(struct mft_entry *e, const struct nabla_plan_device *d)
{
    memcpy(e->u.net_basic.mac, d->mac, sizeof e->u.net_basic.mac);
    e->u.net_basic.mtu = d->mtu;
}

/*
 * The descriptor must be a tap carrying bare Ethernet frames, as upstream
 * opens one (IFF_TAP | IFF_NO_PI): the guest writes to whatever the number
 * holds. The orchestrator refuses anything else before it writes the plan
 * (src/devices/net.ts, same reasons); this is the check for a plan that
 * came from elsewhere, as the ELF is checked twice. Only the kernel's word
 * counts: TUNGETIFF, which nothing but an attached tun/tap descriptor
 * answers.
 */
static int check_tap(int fd, char *why, size_t why_size)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    if (ioctl(fd, TUNGETIFF, &ifr) != 0) {
        int err = errno;

        if (err == EBADFD)
            return nabla_msg(why, why_size,
                             "not a tap device (a tun/tap descriptor "
                             "attached to no interface)");
        if (err == ENOTTY || err == EINVAL)
            return nabla_msg(why, why_size, "not a tap device (TUNGETIFF: %s)",
                             strerror(err));
        return nabla_msg(why, why_size, "%s", strerror(err));
    }
    if (ifr.ifr_flags & IFF_TUN)
        return nabla_msg(why, why_size,
                         "not a tap device (a tun device: IFF_TUN)");
    if (!(ifr.ifr_flags & IFF_TAP))
        return nabla_msg(why, why_size,
                         "not a tap device (TUNGETIFF flags 0x%x)",
                         (unsigned)(uint16_t)ifr.ifr_flags);
    /*
     * The bit is IFF_NOFILTER too (no socket filter on the queue): set, it
     * proves nothing; clear, IFF_NO_PI is missing.
     */
    if (!(ifr.ifr_flags & IFF_NO_PI))
        return nabla_msg(why, why_size,
                         "tap device without IFF_NO_PI (frames would carry "
                         "a packet information header)");
    if (ifr.ifr_flags & IFF_VNET_HDR)
        return nabla_msg(why, why_size,
                         "tap device with IFF_VNET_HDR (frames would carry "
                         "a virtio-net header)");
    return 0;
}

const struct device_kind device_net = {
    .mft_type = MFT_DEV_NET_BASIC,
    .check_entry = check_entry,
    .check_source = NULL,
    .fill_entry = fill_entry,
    /* At step 9: a bad ELF or manifest is reported before a bad tap. */
    .check_take = check_tap,
    .polled = true,
};
