/* syn-guard.c: a SYN flood does not lock real clients out: when a listener's
 * backlog of half-open connections is full, the oldest one makes room. */
#include "nabla_hooks.h"
#include <stdbool.h>
#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"

/*
 * lwIP keeps a connection in SYN_RCVD (our SYN-ACK sent, no ACK yet) for
 * TCP_SYN_RCVD_TIMEOUT, 20 s, and counts it against its listener's backlog;
 * once the backlog is full it ignores every new SYN, and once the PCB pool is
 * empty (tcp_alloc frees only TIME_WAIT, LAST_ACK and CLOSING PCBs) too.
 * Spoofed SYNs, whose sources never answer, fill the backlog at once: a flood
 * of a few hundred packets would lock every new client out for 20 s after
 * it ends, and with many connections open it would take the last PCBs.
 *
 * Instead, a SYN that finds the backlog full, or the pool empty with nothing
 * in TIME_WAIT to reuse, abandons the oldest half-open connection (of this
 * listener, or of any when the pool is short). No RST: its peer, if real,
 * gets one when its ACK finds nothing. A real client's handshake completes
 * within a round trip, long before a backlog's worth of newer SYNs pushes it
 * out, so real clients get in during a flood and at once after it. The cost
 * is a walk of the active PCBs per SYN while the backlog is full.
 */

/* Whether lwIP's PCB pool has no free element (memp's free list; lwIP 2.1.3,
 * MEMP_MEM_MALLOC 0). */
static bool pcb_pool_empty(void)
{
    return *memp_pools[MEMP_TCP_PCB]->tab == NULL;
}

err_t nabla_tcpip_syn_guard(struct tcp_pcb_listen *listener,
                            const struct tcp_hdr *hdr)
{
    if ((TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return ERR_OK;
    bool backlog_full = listener->accepts_pending >= listener->backlog;
    if (!backlog_full && (tcp_tw_pcbs != NULL || !pcb_pool_empty()))
        return ERR_OK;
    /* New PCBs go to the list's head: on equal ages the later one is older. */
    struct tcp_pcb *oldest = NULL;
    for (struct tcp_pcb *q = tcp_active_pcbs; q != NULL; q = q->next) {
        if (q->state == SYN_RCVD &&
            (!backlog_full || q->listener == listener) &&
            (oldest == NULL ||
             (u32_t)(tcp_ticks - q->tmr) >= (u32_t)(tcp_ticks - oldest->tmr)))
            oldest = q;
    }
    if (oldest != NULL)
        tcp_abandon(oldest, 0);
    return ERR_OK;
}
