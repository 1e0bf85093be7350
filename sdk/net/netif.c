/* netif.c: an lwIP network interface over solo5_net_read/solo5_net_write. */
#include "tcpip.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "nabla_lib.h"

/*
 * The largest frame the interface handles: lwIP keeps the MTU in 16 bits.
 * A frame that does not fit one pool buffer goes through this bounce buffer
 * (the only copy, and only for MTUs above 1500 or chained output).
 */
#define FRAME_MAX (65535 + SOLO5_NET_HLEN)
static uint8_t bounce[FRAME_MAX];

static solo5_handle_t device;
static size_t frame_max;

/* One outgoing frame; a chain is gathered first (a write sends one frame). */
static err_t link_output(struct netif *nif, struct pbuf *p)
{
    (void)nif;
    solo5_result_t r;
    if (p->next == NULL) {
        r = solo5_net_write(device, p->payload, p->len);
    } else {
        if (p->tot_len > sizeof bounce)
            return ERR_BUF;
        pbuf_copy_partial(p, bounce, p->tot_len, 0);
        r = solo5_net_write(device, bounce, p->tot_len);
    }
    return r == SOLO5_R_OK ? ERR_OK : ERR_IF;
}

static err_t netif_setup(struct netif *nif)
{
    nif->name[0] = 's';
    nif->name[1] = '5';
    nif->output = etharp_output;
    nif->linkoutput = link_output;
    nif->hwaddr_len = ETH_HWADDR_LEN;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                 NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

bool nabla_netif_add(struct netif *nif, solo5_handle_t handle,
                     const struct solo5_net_info *info,
                     const ip4_addr_t *address, const ip4_addr_t *netmask,
                     const ip4_addr_t *gateway)
{
    device = handle;
    size_t mtu = info->mtu > 65535 ? 65535 : info->mtu;
    frame_max = mtu + SOLO5_NET_HLEN;
    if (netif_add(nif, address, netmask, gateway, NULL, netif_setup,
                  ethernet_input) == NULL)
        return false;
    nif->mtu = (u16_t)mtu;
    memcpy(nif->hwaddr, info->mac_address, ETH_HWADDR_LEN);
    netif_set_default(nif);
    netif_set_link_up(nif);
    netif_set_up(nif); /* announces the address (gratuitous ARP) */
    return true;
}

/*
 * Reads one frame into a pool buffer (lwIP's PBUF_POOL: no allocation
 * outside its pools). When the pool is empty the frame is still read, into
 * the bounce buffer, and dropped: leaving it would keep the device readable
 * and the loop spinning; TCP retransmits what was lost.
 */
static bool receive_one(struct netif *nif)
{
    size_t n = 0;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)frame_max, PBUF_POOL);
    solo5_result_t r;
    if (p != NULL && p->next == NULL) {
        r = solo5_net_read(device, p->payload, p->len, &n);
    } else {
        r = solo5_net_read(device, bounce, frame_max, &n);
        if (r == SOLO5_R_OK && p != NULL)
            pbuf_take(p, bounce, (u16_t)n);
    }
    if (r != SOLO5_R_OK || p == NULL) {
        if (p != NULL)
            pbuf_free(p);
        return r == SOLO5_R_OK;
    }
    pbuf_realloc(p, (u16_t)n);
    if (nif->input(p, nif) != ERR_OK)
        pbuf_free(p);
    nabla_tcpip_time_wait_requeue(nif);
    return true;
}

unsigned nabla_netif_receive(struct netif *nif)
{
    unsigned frames = 0;
    while (receive_one(nif))
        frames++;
    return frames;
}
