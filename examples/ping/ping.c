/* ping.c: answers ARP and ICMP echo requests, fast enough for a flood ping. */
#include "solo5.h"
#include "nabla_lib.h"
#include "../common/netproto.h"

/*
 * Usage: ping.nabla [ADDRESS] [NAME=ADDRESS ...] [--limit=N]
 *
 * Serves the network device "service" at ADDRESS (default 10.0.0.2), or each
 * device NAME the manifest declares at its own ADDRESS (a guest built from
 * this file with a manifest of several devices serves them all). With
 * --limit=N it exits 0 once it has sent at least N echo replies in total.
 */
#define PROG "ping"
#define MAX_IFS 8

static struct netif ifs[MAX_IFS];
static uint64_t replies[MAX_IFS];
static size_t n_ifs;
static uint64_t limit; /* 0: serve forever */

/* The one frame buffer: requests are answered where they were read. */
static uint8_t frame[NET_FRAME_MAX];

/* Device names outlive the command line scan; a word is not NUL-ended. */
static char names[MAX_IFS][68];

static size_t answer_ping(struct netif *nif, uint8_t *f, size_t len)
{
    size_t reply = arp_answer(nif, f, len);
    if (reply > 0)
        return reply;

    size_t n;
    struct ipv4_hdr *ip = ipv4_accept(nif, f, len, IP_PROTO_ICMP, &n);
    if (ip == NULL || n < sizeof(struct icmp_echo))
        return 0;
    struct icmp_echo *icmp = (struct icmp_echo *)(ip + 1);
    if (icmp->type != 8 || icmp->code != 0 ||
        inet_fold(inet_sum(0, (const uint8_t *)icmp, n)) != 0)
        return 0;

    /* The reply carries the request's identifier, sequence and data. */
    icmp->type = 0;
    put16(icmp->csum, 0);
    put16(icmp->csum, inet_fold(inet_sum(0, (const uint8_t *)icmp, n)));
    eth_turn_around(nif, f);
    replies[nif - ifs]++;
    return ipv4_turn_around(nif, ip, n);
}

static bool add_if(const char *name, size_t name_len, const char *addr,
                   size_t addr_len)
{
    if (n_ifs == MAX_IFS || name_len == 0 || name_len >= sizeof names[0])
        return false;
    memcpy(names[n_ifs], name, name_len);
    names[n_ifs][name_len] = '\0';
    ifs[n_ifs].name = names[n_ifs];
    if (!parse_ipv4(addr, addr_len, ifs[n_ifs].ip))
        return false;
    n_ifs++;
    return true;
}

static bool parse_args(const char *cmdline)
{
    const char *cursor = cmdline, *w;
    size_t n;

    while ((w = next_word(&cursor, &n)) != NULL) {
        const char *eq = NULL;
        for (size_t i = 0; i < n && eq == NULL; i++)
            if (w[i] == '=')
                eq = w + i;
        if (has_prefix(w, n, "--limit=")) {
            size_t skip = strlen("--limit=");
            if (!parse_uint(w + skip, n - skip, UINT64_MAX, &limit))
                return false;
        } else if (eq != NULL) {
            if (!add_if(w, (size_t)(eq - w), eq + 1, n - (size_t)(eq - w) - 1))
                return false;
        } else if (!add_if("service", strlen("service"), w, n)) {
            return false;
        }
    }
    if (n_ifs == 0)
        return add_if("service", strlen("service"), "10.0.0.2", 8);
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (!parse_args(si->cmdline)) {
        printf(PROG ": cannot use the command line '%s'\n", si->cmdline);
        printf("usage: " PROG ".nabla [ADDRESS] [NAME=ADDRESS ...] "
               "[--limit=N]\n");
        return SOLO5_EXIT_FAILURE;
    }
    for (size_t i = 0; i < n_ifs; i++) {
        if (!netif_open(&ifs[i], PROG))
            return SOLO5_EXIT_FAILURE;
        arp_announce(&ifs[i]);
    }
    printf(PROG ": ready\n");

    uint64_t total = 0, write_errors = 0;
    while (limit == 0 || total < limit) {
        if (!net_serve_once(ifs, n_ifs, frame, sizeof frame, answer_ping,
                            &write_errors))
            return SOLO5_EXIT_FAILURE;
        total = 0;
        for (size_t i = 0; i < n_ifs; i++)
            total += replies[i];
    }
    for (size_t i = 0; i < n_ifs; i++)
        printf(PROG ": %s: %llu echo replies\n", ifs[i].name,
               (unsigned long long)replies[i]);
    printf(PROG ": limit of %llu reached, %llu writes failed\n",
           (unsigned long long)limit, (unsigned long long)write_errors);
    return SOLO5_EXIT_SUCCESS;
}
