/* netproto.h: Ethernet, ARP, IPv4, ICMP and UDP for the network examples. */
#ifndef NABLA_EXAMPLES_NETPROTO_H
#define NABLA_EXAMPLES_NETPROTO_H

/*
 * Header-only on purpose: every guest directory is built from its own .c
 * files, so the examples share this code by including it. Headers are byte
 * arrays, read and written in network byte order through get16/put16: no
 * packed structs, no alignment or endianness assumptions. Everything works
 * in place on the one frame buffer a guest owns, so serving a packet never
 * allocates.
 */
#include "solo5.h"
#include "nabla_lib.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP 17

/* The manifest's MTU field is 16 bits: no device can carry a larger frame. */
#define NET_FRAME_MAX (65535 + SOLO5_NET_HLEN)
/* Frames read from one device before looking at the others again. */
#define NET_BATCH 64
/* How long solo5_yield() sleeps when nothing arrives. */
#define NET_IDLE_NS 1000000000ull

struct eth_hdr {
    uint8_t dst[6], src[6], type[2];
};
struct arp_ipv4 {
    uint8_t htype[2], ptype[2], hlen, plen, op[2];
    uint8_t sha[6], spa[4], tha[6], tpa[4];
};
struct ipv4_hdr {
    uint8_t ver_ihl, tos, len[2], id[2], frag[2], ttl, proto, csum[2];
    uint8_t src[4], dst[4];
};
struct icmp_echo {
    uint8_t type, code, csum[2], id[2], seq[2];
};
struct udp_hdr {
    uint8_t sport[2], dport[2], len[2], csum[2];
};
_Static_assert(sizeof(struct eth_hdr) == SOLO5_NET_HLEN, "ethernet header");
_Static_assert(sizeof(struct arp_ipv4) == 28, "ARP for IPv4");
_Static_assert(sizeof(struct ipv4_hdr) == 20, "IPv4 header, no options");
_Static_assert(sizeof(struct icmp_echo) == 8, "ICMP echo header");
_Static_assert(sizeof(struct udp_hdr) == 8, "UDP header");

/* One acquired network device and the IPv4 address the guest answers on. */
struct netif {
    const char *name;
    solo5_handle_t handle;
    struct solo5_net_info info;
    uint8_t ip[4];
};

static const uint8_t ETH_BROADCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/*
 * The Internet checksum (RFC 1071): the ones' complement of the ones'
 * complement sum of 16-bit big-endian words. inet_sum() accumulates (several
 * pieces, e.g. a UDP pseudo-header, may be added); inet_fold() finishes. A
 * region holding a correct checksum folds to 0.
 */
static inline uint64_t inet_sum(uint64_t sum, const uint8_t *p, size_t n)
{
    for (; n > 1; p += 2, n -= 2)
        sum += get16(p);
    if (n > 0)
        sum += (uint64_t)p[0] << 8;
    return sum;
}

static inline uint16_t inet_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* "02:00:00:00:00:01" into (out), which holds at least 18 bytes. */
static inline void format_mac(char *out, const uint8_t mac[6])
{
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
             mac[3], mac[4], mac[5]);
}

/* "10.0.0.2" into (out), which holds at least 16 bytes. */
static inline void format_ip(char *out, const uint8_t ip[4])
{
    snprintf(out, 16, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

/* A decimal number of (n) characters, at most (max). */
static inline bool parse_uint(const char *s, size_t n, uint64_t max,
                              uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        uint64_t digit = (uint64_t)(s[i] - '0');
        /* Checked before multiplying, so that nothing can wrap around. */
        if (v > (max - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}

/* A dotted quad of exactly (n) characters. */
static inline bool parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t start = 0;

    for (int part = 0; part < 4; part++) {
        size_t end = start;
        uint64_t v;

        while (end < n && s[end] != '.')
            end++;
        if (end - start > 3 || !parse_uint(s + start, end - start, 255, &v))
            return false;
        out[part] = (uint8_t)v;
        if (part < 3 && end == n)
            return false;
        start = end + 1;
    }
    return start == n + 1;
}

/*
 * The next space-separated word of a command line: its start, with its
 * length in (*n) and (*cursor) moved past it; NULL at the end.
 */
static inline const char *next_word(const char **cursor, size_t *n)
{
    const char *p = *cursor;

    while (*p == ' ')
        p++;
    if (*p == '\0')
        return NULL;
    const char *start = p;
    while (*p != '\0' && *p != ' ')
        p++;
    *n = (size_t)(p - start);
    *cursor = p;
    return start;
}

/* Whether the word (w, n) starts with (prefix); its value follows it. */
static inline bool has_prefix(const char *w, size_t n, const char *prefix)
{
    size_t len = strlen(prefix);
    return n >= len && memcmp(w, prefix, len) == 0;
}

/* Acquires (nif->name) and prints one line describing it. */
static inline bool netif_open(struct netif *nif, const char *prog)
{
    char mac[18], ip[16];

    if (solo5_net_acquire(nif->name, &nif->handle, &nif->info) != SOLO5_R_OK) {
        printf("%s: cannot acquire network device '%s'\n", prog, nif->name);
        return false;
    }
    format_mac(mac, nif->info.mac_address);
    format_ip(ip, nif->ip);
    printf("%s: %s: mac %s, mtu %llu, address %s\n", prog, nif->name, mac,
           (unsigned long long)nif->info.mtu, ip);
    return true;
}

/* Ethernet: is the frame for this device (its MAC or broadcast)? */
static inline bool eth_for_us(const struct netif *nif, const uint8_t *f,
                              size_t len)
{
    const struct eth_hdr *e = (const struct eth_hdr *)f;

    return len >= sizeof *e && (memcmp(e->dst, nif->info.mac_address, 6) == 0 ||
                                memcmp(e->dst, ETH_BROADCAST, 6) == 0);
}

/* Turns a received frame around: back to its sender, from this device. */
static inline void eth_turn_around(const struct netif *nif, uint8_t *f)
{
    struct eth_hdr *e = (struct eth_hdr *)f;

    memcpy(e->dst, e->src, 6);
    memcpy(e->src, nif->info.mac_address, 6);
}

/*
 * ARP: if (f) is a request for this device's address, rewrites it in place
 * into the reply and returns the reply's length; otherwise returns 0.
 */
static inline size_t arp_answer(const struct netif *nif, uint8_t *f, size_t len)
{
    struct arp_ipv4 *a = (struct arp_ipv4 *)(f + SOLO5_NET_HLEN);

    if (len < SOLO5_NET_HLEN + sizeof *a ||
        get16(((struct eth_hdr *)f)->type) != ETHERTYPE_ARP ||
        get16(a->htype) != 1 || get16(a->ptype) != ETHERTYPE_IPV4 ||
        a->hlen != 6 || a->plen != 4 || get16(a->op) != 1 ||
        memcmp(a->tpa, nif->ip, 4) != 0)
        return 0;
    eth_turn_around(nif, f);
    put16(a->op, 2);
    memcpy(a->tha, a->sha, 6);
    memcpy(a->tpa, a->spa, 4);
    memcpy(a->sha, nif->info.mac_address, 6);
    memcpy(a->spa, nif->ip, 4);
    /* Whatever padding the request had is returned as is: still >= 60. */
    return len;
}

/*
 * Announces (address, MAC) with a gratuitous ARP request, so that hosts
 * that knew the address under an earlier MAC (a restarted guest draws a new
 * random one) update their caches.
 */
static inline void arp_announce(const struct netif *nif)
{
    uint8_t f[60] = {0}; /* the Ethernet minimum, without the FCS */
    struct eth_hdr *e = (struct eth_hdr *)f;
    struct arp_ipv4 *a = (struct arp_ipv4 *)(f + SOLO5_NET_HLEN);

    memcpy(e->dst, ETH_BROADCAST, 6);
    memcpy(e->src, nif->info.mac_address, 6);
    put16(e->type, ETHERTYPE_ARP);
    put16(a->htype, 1);
    put16(a->ptype, ETHERTYPE_IPV4);
    a->hlen = 6;
    a->plen = 4;
    put16(a->op, 1);
    memcpy(a->sha, nif->info.mac_address, 6);
    memcpy(a->spa, nif->ip, 4);
    memcpy(a->tpa, nif->ip, 4);
    (void)solo5_net_write(nif->handle, f, sizeof f);
}

/*
 * IPv4: if (f) carries an intact, unfragmented datagram of protocol (proto)
 * addressed to this device, returns its header and stores its payload
 * length (from the header's total length, so Ethernet padding is left out).
 * Options are not supported: such datagrams are ignored.
 */
static inline struct ipv4_hdr *ipv4_accept(const struct netif *nif, uint8_t *f,
                                           size_t len, uint8_t proto,
                                           size_t *payload)
{
    struct ipv4_hdr *ip = (struct ipv4_hdr *)(f + SOLO5_NET_HLEN);

    if (len < SOLO5_NET_HLEN + sizeof *ip ||
        get16(((struct eth_hdr *)f)->type) != ETHERTYPE_IPV4 ||
        ip->ver_ihl != 0x45 || ip->proto != proto ||
        memcmp(ip->dst, nif->ip, 4) != 0)
        return NULL;
    size_t total = get16(ip->len);
    /* More-fragments set or a fragment offset: only whole datagrams. */
    if (total < sizeof *ip || total > len - SOLO5_NET_HLEN ||
        (get16(ip->frag) & 0x3fff) != 0 ||
        inet_fold(inet_sum(0, (const uint8_t *)ip, sizeof *ip)) != 0)
        return NULL;
    *payload = total - sizeof *ip;
    return ip;
}

/*
 * Makes (ip) the header of the answer to it: from this device's address to
 * the sender, a fresh TTL, (payload) bytes after the header, and a new
 * checksum. Returns the answer's frame length.
 */
static inline size_t ipv4_turn_around(const struct netif *nif,
                                      struct ipv4_hdr *ip, size_t payload)
{
    memcpy(ip->dst, ip->src, 4);
    memcpy(ip->src, nif->ip, 4);
    put16(ip->len, (uint16_t)(sizeof *ip + payload));
    put16(ip->id, 0);
    put16(ip->frag, 0x4000); /* don't fragment: it already fit one way */
    ip->ttl = 64;
    put16(ip->csum, 0);
    put16(ip->csum, inet_fold(inet_sum(0, (const uint8_t *)ip, sizeof *ip)));
    return SOLO5_NET_HLEN + sizeof *ip + payload;
}

/* Handles one received frame in place; returns the answer's length or 0. */
typedef size_t (*frame_handler)(struct netif *nif, uint8_t *f, size_t len);

/*
 * Sleeps until a device has input or NET_IDLE_NS passed, then reads what
 * arrived, at most NET_BATCH frames per device so that a flooded device does
 * not starve the others (epoll is level-triggered: what is left wakes the
 * next call at once). Answers are sent from the same buffer. Returns false
 * when a device fails to read; a failed write is counted in (*write_errors)
 * and the frame dropped, as the network itself may drop it.
 */
static inline bool net_serve_once(struct netif *ifs, size_t n, uint8_t *frame,
                                  size_t size, frame_handler handle,
                                  uint64_t *write_errors)
{
    solo5_handle_set_t ready = 0;

    solo5_yield(solo5_clock_monotonic() + NET_IDLE_NS, &ready);
    for (size_t i = 0; i < n; i++) {
        if (!(ready & (1ull << ifs[i].handle)))
            continue;
        for (int b = 0; b < NET_BATCH; b++) {
            size_t len;
            solo5_result_t rc =
                solo5_net_read(ifs[i].handle, frame, size, &len);
            if (rc == SOLO5_R_AGAIN)
                break;
            if (rc != SOLO5_R_OK) {
                printf("reading from '%s' failed\n", ifs[i].name);
                return false;
            }
            if (!eth_for_us(&ifs[i], frame, len))
                continue;
            size_t answer = handle(&ifs[i], frame, len);
            if (answer > 0 &&
                solo5_net_write(ifs[i].handle, frame, answer) != SOLO5_R_OK)
                (*write_errors)++;
        }
    }
    return true;
}

#endif /* NABLA_EXAMPLES_NETPROTO_H */
