/* tcp-hooks.c: lwIP's one per-segment TCP hook, handed to the file that deals
 * with the segment's kind of PCB. */
#include "nabla_hooks.h"
#include "lwip/tcp.h"

err_t nabla_tcpip_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
                               u16_t optlen, u16_t opt1len, u8_t *opt2,
                               struct pbuf *p)
{
    (void)optlen;
    (void)opt1len;
    (void)opt2;
    switch (pcb->state) {
    case LISTEN:
        return nabla_tcpip_syn_guard((struct tcp_pcb_listen *)pcb, hdr);
    case TIME_WAIT:
        return nabla_tcpip_time_wait_syn(pcb, hdr, p);
    default:
        return ERR_OK;
    }
}
