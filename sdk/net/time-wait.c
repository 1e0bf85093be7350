/* time-wait.c: a SYN for an address pair still in TIME_WAIT opens a new
 * connection (RFC 1122 4.2.2.13) instead of being answered for the old one. */
#include "nabla_hooks.h"
#include "tcpip.h"
#include <string.h>
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"

/*
 * A server that closes first (HTTP with Connection: close) keeps each closed
 * connection in TIME_WAIT for 2 MSL, two minutes in lwIP. Linux clients close
 * second, so their side is free at once, and under load they use a port
 * again within seconds. lwIP answers the new SYN with an ACK for the old
 * connection (RFC 793), the client resets that, lwIP ignores resets in
 * TIME_WAIT (RFC 1337), and the client's connect() times out after its
 * retries. Seen in issue 12's stress rounds as a hung or refused connection
 * now and then.
 *
 * RFC 1122 4.2.2.13 lets a SYN whose sequence number lies beyond everything
 * the old connection used reopen it. lwIP's hook sees the segment before
 * tcp_timewait_input, but cannot hand it on to the listener; so the old PCB
 * is dropped, the segment is dropped here, and a copy of its datagram goes to
 * ip4_input again once lwIP is done with the frame (nabla_netif_receive),
 * where the listener now takes it. If no copy can be made, the client's SYN
 * retransmission a second later finds the pair free.
 */

#define REQUEUE_MAX 8

static struct pbuf *requeued[REQUEUE_MAX];
static unsigned n_requeued;

/*
 * A copy of the IP datagram that `p` came in, as it arrived: `p` is past its
 * TCP header, and tcp_input has turned the header's ports, numbers and window
 * to host order in place (put back here, or the checksum fails). Only when
 * the datagram lies whole in p's one buffer: frames are read into one pool
 * buffer each; a reassembled one is not, and is not worth it.
 */
static struct pbuf *copy_datagram(const struct pbuf *p,
                                  const struct tcp_hdr *hdr)
{
    const struct ip_hdr *ip = ip4_current_header();
    u16_t total = lwip_ntohs(IPH_LEN(ip));
    if (p->next != NULL ||
        (const u8_t *)ip + total != (const u8_t *)p->payload + p->len)
        return NULL;
    struct pbuf *copy = pbuf_alloc(PBUF_RAW, total, PBUF_RAM);
    if (copy == NULL)
        return NULL;
    memcpy(copy->payload, ip, total);
    struct tcp_hdr *wire =
        (struct tcp_hdr *)((u8_t *)copy->payload +
                           ((const u8_t *)hdr - (const u8_t *)ip));
    wire->src = lwip_htons(hdr->src);
    wire->dest = lwip_htons(hdr->dest);
    wire->seqno = lwip_htonl(hdr->seqno);
    wire->ackno = lwip_htonl(hdr->ackno);
    wire->wnd = lwip_htons(hdr->wnd);
    return copy;
}

err_t nabla_tcpip_time_wait_syn(struct tcp_pcb *pcb, const struct tcp_hdr *hdr,
                                const struct pbuf *p)
{
    u8_t flags = TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);
    /* hdr's fields are in host order by now (tcp_input) */
    if (flags != TCP_SYN || !TCP_SEQ_GT(hdr->seqno, pcb->rcv_nxt))
        return ERR_OK; /* lwIP's TIME_WAIT answer stands */
    if (n_requeued < REQUEUE_MAX) {
        struct pbuf *copy = copy_datagram(p, hdr);
        if (copy != NULL)
            requeued[n_requeued++] = copy;
    }
    tcp_abandon(pcb, 0); /* a TIME_WAIT PCB is freed, nothing is sent */
    return ERR_ABRT;
}

void nabla_tcpip_time_wait_requeue(struct netif *nif)
{
    while (n_requeued > 0) {
        struct pbuf *copy = requeued[--n_requeued];
        ip4_input(copy, nif); /* takes the buffer in every case */
    }
}
