/* nabla_hooks.h: the lwIP hooks the SDK installs (LWIP_HOOK_FILENAME), for
 * every lwIP file that calls one. */
#ifndef NABLA_NET_HOOKS_H
#define NABLA_NET_HOOKS_H

#include "lwip/err.h"

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

/*
 * LWIP_HOOK_TCP_INPACKET_PCB: sees every segment for a known PCB before
 * lwIP processes it. For a SYN to a listener whose backlog of half-open
 * connections is full (or when the PCB pool is empty), it drops the oldest
 * of them so the SYN is taken (syn-guard.c); everything else passes.
 */
err_t nabla_tcpip_syn_guard(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
                            u16_t optlen, u16_t opt1len, u8_t *opt2,
                            struct pbuf *p);

#endif /* NABLA_NET_HOOKS_H */
