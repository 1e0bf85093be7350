/* udp-echo.c: answers ARP and sends every UDP datagram for its port back. */
#include "solo5.h"
#include "nabla_lib.h"
#include "../common/netproto.h"

/*
 * Usage: udp-echo.nabla [ADDRESS] [--port=N] [--limit=N]
 *
 * The echo service of RFC 862 over UDP on the network device "service":
 * ADDRESS defaults to 10.0.0.2 and the port to 7. With --limit=N it exits 0
 * after echoing N datagrams.
 */
#define PROG "udp-echo"

static struct netif nif = {.name = "service", .ip = {10, 0, 0, 2}};
static uint64_t port = 7;
static uint64_t limit; /* 0: serve forever */
static uint64_t echoed;

/* The one frame buffer: datagrams are answered where they were read. */
static uint8_t frame[NET_FRAME_MAX];

/* The UDP checksum covers a pseudo-header: addresses, protocol, length. */
static uint16_t udp_checksum(const struct ipv4_hdr *ip, const uint8_t *udp,
                             size_t n)
{
    uint64_t sum = inet_sum(0, ip->src, 4);

    sum = inet_sum(sum, ip->dst, 4);
    sum += IP_PROTO_UDP + n;
    return inet_fold(inet_sum(sum, udp, n));
}

static size_t answer_udp(struct netif *dev, uint8_t *f, size_t len)
{
    size_t reply = arp_answer(dev, f, len);
    if (reply > 0)
        return reply;

    size_t n;
    struct ipv4_hdr *ip = ipv4_accept(dev, f, len, IP_PROTO_UDP, &n);
    if (ip == NULL || n < sizeof(struct udp_hdr))
        return 0;
    struct udp_hdr *udp = (struct udp_hdr *)(ip + 1);
    size_t udp_len = get16(udp->len);
    if (udp_len < sizeof *udp || udp_len > n || get16(udp->dport) != port)
        return 0;
    /* A zero checksum means the sender did not compute one (RFC 768). */
    if (get16(udp->csum) != 0 &&
        udp_checksum(ip, (const uint8_t *)udp, udp_len) != 0)
        return 0;

    uint8_t their_port[2];
    memcpy(their_port, udp->sport, 2);
    memcpy(udp->sport, udp->dport, 2);
    memcpy(udp->dport, their_port, 2);
    eth_turn_around(dev, f);
    size_t answer = ipv4_turn_around(dev, ip, udp_len);
    /* Recomputed over the new addresses; 0 is sent as 0xffff (RFC 768). */
    put16(udp->csum, 0);
    uint16_t csum = udp_checksum(ip, (const uint8_t *)udp, udp_len);
    put16(udp->csum, csum == 0 ? 0xffff : csum);
    echoed++;
    return answer;
}

static bool parse_args(const char *cmdline)
{
    const char *cursor = cmdline, *w;
    size_t n;

    while ((w = next_word(&cursor, &n)) != NULL) {
        if (has_prefix(w, n, "--port=")) {
            size_t skip = strlen("--port=");
            if (!parse_uint(w + skip, n - skip, 65535, &port) || port == 0)
                return false;
        } else if (has_prefix(w, n, "--limit=")) {
            size_t skip = strlen("--limit=");
            if (!parse_uint(w + skip, n - skip, UINT64_MAX, &limit))
                return false;
        } else if (!parse_ipv4(w, n, nif.ip)) {
            return false;
        }
    }
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (!parse_args(si->cmdline)) {
        printf(PROG ": cannot use the command line '%s'\n", si->cmdline);
        printf("usage: " PROG ".nabla [ADDRESS] [--port=N] [--limit=N]\n");
        return SOLO5_EXIT_FAILURE;
    }
    if (!netif_open(&nif, PROG))
        return SOLO5_EXIT_FAILURE;
    arp_announce(&nif);
    printf(PROG ": echoing UDP port %llu\n", (unsigned long long)port);

    uint64_t write_errors = 0;
    while (limit == 0 || echoed < limit)
        if (!net_serve_once(&nif, 1, frame, sizeof frame, answer_udp,
                            &write_errors))
            return SOLO5_EXIT_FAILURE;
    printf(PROG ": %llu datagrams echoed, %llu writes failed\n",
           (unsigned long long)echoed, (unsigned long long)write_errors);
    return SOLO5_EXIT_SUCCESS;
}
