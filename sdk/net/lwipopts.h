/* lwipopts.h: the lwIP configuration the SDK builds (raw API, NO_SYS, IPv4,
 * pools sized for throughput). */
#ifndef NABLA_LWIPOPTS_H
#define NABLA_LWIPOPTS_H

/*
 * One thread, no OS: the guest's main loop calls into lwIP (nabla_tcpip_poll),
 * so there are no locks, no mailboxes, and only the callback ("raw") API.
 */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0

/* Protocols: Ethernet with ARP, IPv4 with ICMP (ping), TCP and UDP. */
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define LWIP_IPV4 1
#define LWIP_IPV6                                                              \
    0 /* not cheap enough yet: ND6/MLD need their own timers and tests */
#define LWIP_ICMP 1
#define LWIP_TCP 1
#define LWIP_UDP 1
#define LWIP_RAW 0
#define LWIP_DHCP                                                              \
    0 /* addresses come from the command line, as MirageOS takes them */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
/* More entries than a listen backlog of half-open peers (255): spoofed SYNs
 * from the guest's own subnet each leave a pending entry, and lwIP recycles
 * the oldest stable entry (a real peer's) before any pending one. With 64,
 * 1,000 connections right after such a flood took 6-16 s, with 512 0.7-2.5 s.
 * The hot path finds its entry through etharp's cached index. */
#define ARP_TABLE_SIZE 512
#define ARP_QUEUEING 1

/*
 * Memory: no malloc. MEM_LIBC_MALLOC 0 makes lwIP carve its heap (MEM_SIZE,
 * used for PBUF_RAM: the copies tcp_write makes) out of a static array, and
 * every fixed-size object (PCBs, segments, received frames) comes from static
 * pools. Nothing is allocated per packet outside these.
 */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
/* 32 MiB: the send-side copies of many connections in flight (TCP_SND_BUF
 * each). */
#define MEM_SIZE (32u * 1024 * 1024)

/* 1,000 concurrent connections (issue 12's test) and some in TIME_WAIT. */
#define MEMP_NUM_TCP_PCB 1100
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_UDP_PCB 16
/* Segments are small (~40 bytes); enough for many connections' queues. */
#define MEMP_NUM_TCP_SEG 16384
/* References to application data (tcp_write without TCP_WRITE_FLAG_COPY). */
#define MEMP_NUM_PBUF 1024
#define MEMP_NUM_REASSDATA 16
#define IP_REASS_MAX_PBUFS 64
#define MEMP_NUM_FRAG_PBUF 64
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_SYS_TIMEOUT 16

/*
 * Received frames: one pool buffer holds one whole 1500-byte-MTU frame, so
 * the netif reads a frame straight into it (no copy). 4,096 buffers (~6.5 MiB)
 * absorb the receive windows of many busy connections.
 */
#define PBUF_POOL_SIZE 4096
#define PBUF_POOL_BUFSIZE                                                      \
    LWIP_MEM_ALIGN_SIZE(1514 + PBUF_LINK_ENCAPSULATION_HLEN)

/*
 * TCP, sized for throughput on a local tap: a 1460-byte MSS (1500 MTU),
 * window scaling with a 256 KiB receive window, 128 KiB of send buffer per
 * connection, out-of-order segments kept rather than dropped.
 */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (256u * 1024)
#define TCP_SND_BUF (128u * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
/* lwIP counts the low-water mark in 16 bits (init.c checks it against 0xffff).
 */
#define TCP_SNDLOWAT (16 * TCP_MSS)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_PBUFS 64
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 255
/* A full backlog of half-open connections drops its oldest for a new SYN
 * instead of ignoring the SYN: a SYN flood cannot lock clients out
 * (syn-guard.c). */
#define LWIP_HOOK_FILENAME "nabla_hooks.h"
#define LWIP_HOOK_TCP_INPACKET_PCB nabla_tcpip_tcp_inpacket
#define LWIP_HOOK_TCP_ISN nabla_tcpip_isn
#define LWIP_TCP_KEEPALIVE 1
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_CALLBACK_API 1

/*
 * One pbuf per outgoing frame where lwIP can manage it, so the netif hands it
 * to solo5_net_write without gathering a chain into a bounce buffer.
 */
#define LWIP_NETIF_TX_SINGLE_PBUF 1
#define LWIP_CHECKSUM_ON_COPY 1
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_SINGLE_NETIF 1

/* No statistics or debug output in the image (they cost time on every packet).
 */
#define LWIP_STATS 0
#define LWIP_DEBUG 0

/* Initial sequence numbers and ephemeral ports (nabla_tcpip_rand in
 * sdk/net/clock.c). */
#define LWIP_RAND() nabla_tcpip_rand()

#endif /* NABLA_LWIPOPTS_H */
