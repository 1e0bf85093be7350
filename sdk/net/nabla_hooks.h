/* nabla_hooks.h: the lwIP hooks the SDK installs (LWIP_HOOK_FILENAME), for
 * every lwIP file that calls one. */
#ifndef NABLA_NET_HOOKS_H
#define NABLA_NET_HOOKS_H

#include "lwip/err.h"
#include "lwip/ip_addr.h"

struct tcp_pcb;
struct tcp_pcb_listen;
struct tcp_hdr;
struct pbuf;

/*
 * LWIP_HOOK_TCP_INPACKET_PCB: sees every segment lwIP matched to a PCB before
 * it processes it (tcp-hooks.c), and passes it on to:
 * - syn-guard.c for a listener: a SYN that finds the backlog of half-open
 *   connections full (or the PCB pool empty) first drops the oldest of them;
 * - time-wait.c for a PCB in TIME_WAIT: a SYN beyond the old connection's
 *   sequence numbers reopens the address pair.
 * ERR_OK lets lwIP go on; anything else drops the segment.
 */
err_t nabla_tcpip_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
                               u16_t optlen, u16_t opt1len, u8_t *opt2,
                               struct pbuf *p);
err_t nabla_tcpip_syn_guard(struct tcp_pcb_listen *listener,
                            const struct tcp_hdr *hdr);
err_t nabla_tcpip_time_wait_syn(struct tcp_pcb *pcb, const struct tcp_hdr *hdr,
                                const struct pbuf *p);

/* LWIP_HOOK_TCP_ISN: RFC 6528 initial sequence numbers (isn.c). */
u32_t nabla_tcpip_isn(const ip_addr_t *local_ip, u16_t local_port,
                      const ip_addr_t *remote_ip, u16_t remote_port);

#endif /* NABLA_NET_HOOKS_H */
