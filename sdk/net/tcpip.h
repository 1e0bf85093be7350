/* tcpip.h: what the stack's glue files share (not for applications). */
#ifndef NABLA_NET_TCPIP_H
#define NABLA_NET_TCPIP_H

#include <stdbool.h>
#include "lwip/netif.h"
#include "solo5.h"

/* Adds the Solo5 device (handle, info) to lwIP as its one, default interface.
 */
bool nabla_netif_add(struct netif *nif, solo5_handle_t handle,
                     const struct solo5_net_info *info,
                     const ip4_addr_t *address, const ip4_addr_t *netmask,
                     const ip4_addr_t *gateway);

/* Hands every frame the device holds to lwIP; returns how many. */
unsigned nabla_netif_receive(struct netif *nif);

/* Gives lwIP the SYNs time-wait.c took from TIME_WAIT PCBs, once it has
 * finished with the frame they came in. */
void nabla_tcpip_time_wait_requeue(struct netif *nif);

#endif /* NABLA_NET_TCPIP_H */
