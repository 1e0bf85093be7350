/* tcp-echo.c: a TCP echo server (RFC 862) on the SDK's lwIP stack: many
 * connections, each echoed until the client closes. */
#include "solo5.h"
#include "nabla_lib.h"
#include "nabla_tcpip.h"
#include "lwip/tcp.h"

/*
 * Usage: tcp-echo.nabla [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--port=N]
 *
 * Listens on the network device "service" (port 7 by default) and sends
 * every byte back on the connection it came from. When the client closes
 * its side (FIN), the server sends what is left and closes too; a reset
 * connection is forgotten.
 */
#define PROG "tcp-echo"

/*
 * One record per connection, from a static table as large as lwIP's PCB
 * pool (MEMP_NUM_TCP_PCB): no allocation per connection or per packet.
 */
#define MAX_CONNS 1100

struct conn {
    struct tcp_pcb *pcb;
    struct pbuf *pending; /* received, not yet handed to tcp_write */
    bool peer_closed;     /* FIN seen: close once pending is sent */
    struct conn *next_free;
};

static struct conn conns[MAX_CONNS];
static struct conn *free_conns;
static uint16_t port = 7;

static void conn_release(struct conn *c)
{
    if (c->pending != NULL)
        pbuf_free(c->pending);
    c->pending = NULL;
    c->pcb = NULL;
    c->next_free = free_conns;
    free_conns = c;
}

/* Ends a connection: a graceful close, or an abort if lwIP has no memory for
 * the FIN. */
static err_t conn_close(struct conn *c)
{
    struct tcp_pcb *pcb = c->pcb;
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    conn_release(c);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

/*
 * Moves what was received into the send buffer, as far as it has room, and
 * only then opens the receive window by as much: a client that does not
 * read its echoes is slowed down instead of filling the guest's memory.
 */
static err_t conn_flush(struct conn *c)
{
    while (c->pending != NULL) {
        struct pbuf *p = c->pending;
        u16_t n = p->len;
        if (n > tcp_sndbuf(c->pcb))
            n = tcp_sndbuf(c->pcb);
        if (n == 0)
            break;
        u8_t flags = TCP_WRITE_FLAG_COPY;
        if (n < p->tot_len)
            flags |= TCP_WRITE_FLAG_MORE;
        if (tcp_write(c->pcb, p->payload, n, flags) != ERR_OK)
            break; /* out of segments or memory: retried on the next ACK */
        c->pending = pbuf_free_header(p, n);
        tcp_recved(c->pcb, n);
    }
    tcp_output(c->pcb);
    if (c->pending == NULL && c->peer_closed)
        return conn_close(c);
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;
    (void)pcb;
    if (p == NULL) {
        c->peer_closed = true;
        return conn_flush(c);
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return err;
    }
    if (c->pending == NULL)
        c->pending = p;
    else
        pbuf_cat(c->pending, p);
    return conn_flush(c);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb;
    (void)len;
    return conn_flush(arg);
}

/* Every 2 s (4 × 500 ms) on an idle connection: retry what could not be
 * written. */
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
    (void)pcb;
    return conn_flush(arg);
}

/* The connection was reset or aborted; lwIP has already freed the PCB. */
static void on_error(void *arg, err_t err)
{
    (void)err;
    struct conn *c = arg;
    if (c != NULL)
        conn_release(c);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    struct conn *c = free_conns;
    if (c == NULL) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    free_conns = c->next_free;
    *c = (struct conn){.pcb = pcb};
    tcp_nagle_disable(pcb); /* echoes go out as they come, not batched */
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
    tcp_poll(pcb, on_poll, 4);
    return ERR_OK;
}

static bool parse_port(const char *cmdline)
{
    const char *s = cmdline;
    while (*s != '\0') {
        while (*s == ' ')
            s++;
        const char *word = s;
        while (*s != '\0' && *s != ' ')
            s++;
        size_t n = (size_t)(s - word);
        if (n == 0 || nabla_tcpip_is_option(word, n))
            continue;
        if (n > 7 && memcmp(word, "--port=", 7) == 0) {
            char *end;
            unsigned long v = strtoul(word + 7, &end, 10);
            if (end == s && v >= 1 && v <= 65535) {
                port = (uint16_t)v;
                continue;
            }
        }
        printf(PROG ": cannot use '%.*s'\n", (int)n, word);
        printf("usage: " PROG ".nabla [--ipv4=ADDR/PREFIX] "
               "[--ipv4-gateway=ADDR] [--port=N]\n");
        return false;
    }
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (!parse_port(si->cmdline) || !nabla_tcpip_start("service", si->cmdline))
        return SOLO5_EXIT_FAILURE;
    for (int i = MAX_CONNS - 1; i >= 0; i--)
        conn_release(&conns[i]);

    struct tcp_pcb *listener = tcp_new();
    if (listener == NULL || tcp_bind(listener, IP_ADDR_ANY, port) != ERR_OK) {
        printf(PROG ": cannot bind TCP port %u\n", (unsigned)port);
        return SOLO5_EXIT_FAILURE;
    }
    listener = tcp_listen_with_backlog(listener, TCP_DEFAULT_LISTEN_BACKLOG);
    if (listener == NULL) {
        printf(PROG ": cannot listen on TCP port %u\n", (unsigned)port);
        return SOLO5_EXIT_FAILURE;
    }
    tcp_accept(listener, on_accept);
    printf(PROG ": echoing TCP port %u\n", (unsigned)port);
    for (;;)
        nabla_tcpip_poll(UINT64_MAX);
}
