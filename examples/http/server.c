/* server.c: the connections of examples/http: requests in, files streamed
 * from the image out, keep-alive, pipelining, timeouts, closes. */
#include "solo5.h"
#include "nabla_lib.h"
#include "nabla_tarfs.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "http.h"

/*
 * Memory is fixed: a table of connections, each with its request buffer and
 * its response's head; file bytes go from the device through one shared
 * buffer into lwIP's send buffer, as far as it has room, and the rest waits
 * for the client's ACKs (tcp_sent). A large file never needs more memory and
 * a slow client holds only its own connection.
 */
#define PROG "http"

#define MAX_CONNS 1100    /* lwIP's PCB pool, MEMP_NUM_TCP_PCB */
#define REQUEST_MAX 8192  /* a header section, request line included */
#define HEAD_MAX 1024     /* a response's head (and an error's short body) */
#define CHUNK (64 * 1024) /* file bytes read per tcp_write */
#define LINGER_MS 2000    /* after our FIN, how long to wait for the client's */
#define POLL_TICKS 2      /* tcp_poll's period: 2 × 500 ms */
/* Received pbufs a connection holds before it refuses more (see on_recv). */
#define MAX_PENDING_PBUFS 16

struct conn {
    struct tcp_pcb *pcb;
    struct pbuf *pending; /* received, not yet in `request` */
    bool peer_closed;     /* the client's FIN came */
    bool sending;         /* a response is being queued */
    bool close_after;     /* close once the response is queued */
    bool closing;         /* our FIN is sent: discard until the client's */
    u32_t last_active;    /* sys_now() of the last byte in or ACK */
    const struct nabla_tarfs_file *file; /* the body's file, or NULL */
    uint64_t body_offset, body_left;
    size_t head_len, head_sent, request_len;
    char head[HEAD_MAX];
    char request[REQUEST_MAX];
    struct conn *next_free;
};

static struct conn conns[MAX_CONNS];
static struct conn *free_conns;
static u32_t idle_timeout_ms;
static struct nabla_tarfs *fs;
static uint8_t chunk[CHUNK] __attribute__((aligned(64)));

static void conn_release(struct conn *c)
{
    if (c->pending != NULL)
        pbuf_free(c->pending);
    c->pending = NULL;
    c->pcb = NULL;
    c->next_free = free_conns;
    free_conns = c;
}

static void conn_detach(struct conn *c)
{
    tcp_arg(c->pcb, NULL);
    tcp_recv(c->pcb, NULL);
    tcp_sent(c->pcb, NULL);
    tcp_err(c->pcb, NULL);
    tcp_poll(c->pcb, NULL, 0);
}

/* Forgets what the client sent and has not been read, and opens the window
 * by as much, so that closing does not reset the connection. */
static void conn_discard_input(struct conn *c)
{
    if (c->pending != NULL) {
        tcp_recved(c->pcb, c->pending->tot_len);
        pbuf_free(c->pending);
        c->pending = NULL;
    }
    c->request_len = 0;
}

/* Ends the connection: a close, or an abort if lwIP has no memory for it. */
static err_t conn_close(struct conn *c)
{
    struct tcp_pcb *pcb = c->pcb;
    conn_discard_input(c);
    conn_detach(c);
    conn_release(c);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

/* Resets the connection (a client that stopped reading, a failed device). */
static err_t conn_abort(struct conn *c)
{
    struct tcp_pcb *pcb = c->pcb;
    conn_detach(c);
    conn_release(c);
    tcp_abort(pcb);
    return ERR_ABRT;
}

/*
 * Sends our FIN after what is queued and keeps reading (and discarding) until
 * the client's FIN or LINGER_MS: closing both ways at once would answer the
 * client's next bytes with a reset, which can destroy the response in flight.
 */
static err_t conn_shutdown(struct conn *c)
{
    conn_discard_input(c);
    if (c->peer_closed)
        return conn_close(c);
    if (tcp_shutdown(c->pcb, 0, 1) != ERR_OK)
        return conn_abort(c);
    c->closing = true;
    c->last_active = sys_now();
    return ERR_OK;
}

/* Moves received bytes into the request buffer as far as it has room, and
 * only then opens the receive window by as much. */
static void conn_absorb(struct conn *c)
{
    while (c->pending != NULL && c->request_len < REQUEST_MAX) {
        size_t room = REQUEST_MAX - c->request_len;
        u16_t n = c->pending->len < room ? c->pending->len : (u16_t)room;
        memcpy(c->request + c->request_len, c->pending->payload, n);
        c->request_len += n;
        c->pending = pbuf_free_header(c->pending, n);
        tcp_recved(c->pcb, n);
    }
}

static void conn_consume(struct conn *c, size_t n)
{
    memmove(c->request, c->request + n, c->request_len - n);
    c->request_len -= n;
}

/* Formats the response's head (and an error's body) and starts sending. */
static void conn_respond(struct conn *c, const struct http_request *r)
{
    int status = r->status;
    const struct nabla_tarfs_file *f = NULL;
    if (status == 0) {
        f = nabla_tarfs_lookup(fs, r->name);
        if (f == NULL || (f->is_dir && r->raw_path[0] == '\0'))
            status = 404;
        else
            status = f->is_dir ? 301 : 200;
    }
    /* After an error but 404 the stream may be out of step (a body that was
     * not read, a version it does not speak): close. */
    c->close_after =
        !r->keep_alive || (status != 200 && status != 301 && status != 404);
    const char *connection = c->close_after ? "Connection: close\r\n"
                             : r->http10    ? "Connection: keep-alive\r\n"
                                            : "";
    int n;
    c->file = NULL;
    c->body_offset = 0;
    c->body_left = 0;
    if (status == 200) {
        n = snprintf(c->head, HEAD_MAX,
                     "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
                     "Content-Length: %llu\r\n%s\r\n",
                     http_content_type(f->name), (unsigned long long)f->size,
                     connection);
        if (!r->head) {
            c->file = f;
            c->body_left = f->size;
        }
    } else {
        char body[64];
        int body_len =
            snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
        char extra[HTTP_LOCATION_MAX + 16] = "";
        if (status == 405)
            snprintf(extra, sizeof extra, "Allow: GET, HEAD\r\n");
        else if (status == 301)
            snprintf(extra, sizeof extra, "Location: %s/\r\n", r->raw_path);
        n = snprintf(c->head, HEAD_MAX,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain; "
                     "charset=utf-8\r\nContent-Length: %d\r\n%s%s\r\n%s",
                     status, http_reason(status), body_len, extra, connection,
                     r->head ? "" : body);
    }
    c->head_len = n > 0 && n < HEAD_MAX ? (size_t)n : 0;
    c->head_sent = 0;
    c->sending = true;
}

/*
 * Queues as much of the response as lwIP takes: 1 when all of it is queued,
 * 0 when the rest waits for room (tcp_sent or tcp_poll call back), -1 when
 * the device failed.
 */
static int conn_send(struct conn *c)
{
    struct tcp_pcb *pcb = c->pcb;
    while (c->head_sent < c->head_len) {
        size_t n = c->head_len - c->head_sent;
        if (n > tcp_sndbuf(pcb))
            n = tcp_sndbuf(pcb);
        if (n == 0)
            return 0;
        u8_t flags = TCP_WRITE_FLAG_COPY;
        if (c->head_sent + n < c->head_len || c->body_left > 0)
            flags |= TCP_WRITE_FLAG_MORE;
        if (tcp_write(pcb, c->head + c->head_sent, (u16_t)n, flags) != ERR_OK)
            return 0;
        c->head_sent += n;
    }
    while (c->body_left > 0) {
        size_t room = tcp_sndbuf(pcb);
        /* Wait for a segment's worth of room rather than dribble. */
        if (room < TCP_MSS && room < c->body_left)
            return 0;
        size_t n = room < CHUNK ? room : CHUNK;
        if (n > c->body_left)
            n = (size_t)c->body_left;
        long got = nabla_tarfs_read(fs, c->file, c->body_offset, chunk, n);
        if (got <= 0) {
            printf(PROG ": reading '%s': %s\n", c->file->name,
                   got < 0 ? fs->error : "ends early");
            return -1;
        }
        u8_t flags = TCP_WRITE_FLAG_COPY;
        if ((uint64_t)got < c->body_left)
            flags |= TCP_WRITE_FLAG_MORE;
        if (tcp_write(pcb, chunk, (u16_t)got, flags) != ERR_OK)
            return 0; /* lwIP's memory is short: read again on the next ACK */
        c->body_offset += (uint64_t)got;
        c->body_left -= (uint64_t)got;
    }
    return 1;
}

/*
 * Everything a connection can do now: finish queueing the response in
 * progress, then answer the next complete request in the buffer (pipelined
 * requests are answered in order, one at a time), then close if the client
 * has, or the last answer asked to.
 */
static err_t conn_run(struct conn *c)
{
    for (;;) {
        if (c->closing) {
            conn_discard_input(c);
            return ERR_OK;
        }
        if (c->sending) {
            int sent = conn_send(c);
            if (sent < 0)
                return conn_abort(c);
            if (sent == 0)
                break;
            c->sending = false;
            tcp_output(c->pcb);
            if (c->close_after)
                return conn_shutdown(c);
            continue;
        }
        conn_absorb(c);
        conn_consume(c, http_leading_empty_lines(c->request, c->request_len));
        size_t end = http_header_end(c->request, c->request_len);
        struct http_request r;
        if (end == 0 && c->request_len == REQUEST_MAX) {
            r = (struct http_request){.status = 431};
        } else if (end == 0) {
            if (c->peer_closed) /* nothing, or half a request: done */
                return conn_shutdown(c);
            break;
        } else {
            http_parse(c->request, end, &r);
            conn_consume(c, end);
        }
        conn_respond(c, &r);
    }
    tcp_output(c->pcb);
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;
    (void)pcb;
    if (p != NULL && err != ERR_OK) {
        pbuf_free(p);
        return err;
    }
    if (p != NULL && c->pending != NULL &&
        pbuf_clen(c->pending) >= MAX_PENDING_PBUFS) {
        /* Busy answering while the client sends on, in small segments: refuse
         * this pbuf. lwIP keeps it and offers it again (tcp_fasttmr), and
         * drops further data meanwhile (the client retransmits), so one
         * client cannot drain the shared pbuf pool. */
        return ERR_MEM;
    }
    c->last_active = sys_now();
    if (p == NULL) {
        c->peer_closed = true;
        if (c->closing)
            return conn_close(c);
    } else if (c->pending == NULL) {
        c->pending = p;
    } else {
        pbuf_cat(c->pending, p);
    }
    return conn_run(c);
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct conn *c = arg;
    (void)pcb;
    (void)len;
    c->last_active = sys_now();
    return conn_run(c);
}

/* Every second: the idle timeout, the linger's end, and a retry of what lwIP
 * had no memory for. */
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
    struct conn *c = arg;
    (void)pcb;
    u32_t idle = sys_now() - c->last_active;
    if (c->closing)
        return idle >= LINGER_MS ? conn_close(c) : ERR_OK;
    if (idle >= idle_timeout_ms) {
        /* Waiting for a request: close. Stuck mid-response with a client
         * that does not read: reset, as the FIN could never be sent. */
        return c->sending ? conn_abort(c) : conn_shutdown(c);
    }
    return conn_run(c);
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
    if (c == NULL) { /* the table is full: refuse with a reset */
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    free_conns = c->next_free;
    c->pcb = pcb;
    c->pending = NULL;
    c->peer_closed = c->sending = c->close_after = c->closing = false;
    c->last_active = sys_now();
    c->file = NULL;
    c->head_len = c->head_sent = c->request_len = 0;
    tcp_nagle_disable(pcb); /* a response's last segment goes out at once */
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
    tcp_poll(pcb, on_poll, POLL_TICKS);
    return ERR_OK;
}

bool http_serve(struct nabla_tarfs *image, uint16_t port, uint32_t idle_ms)
{
    fs = image;
    idle_timeout_ms = idle_ms;
    for (int i = MAX_CONNS - 1; i >= 0; i--)
        conn_release(&conns[i]);
    struct tcp_pcb *listener = tcp_new();
    if (listener == NULL || tcp_bind(listener, IP_ADDR_ANY, port) != ERR_OK) {
        printf(PROG ": cannot bind TCP port %u\n", (unsigned)port);
        return false;
    }
    listener = tcp_listen_with_backlog(listener, TCP_DEFAULT_LISTEN_BACKLOG);
    if (listener == NULL) {
        printf(PROG ": cannot listen on TCP port %u\n", (unsigned)port);
        return false;
    }
    tcp_accept(listener, on_accept);
    printf(PROG ": serving %llu entries from storage on TCP port %u\n",
           (unsigned long long)fs->count, (unsigned)port);
    return true;
}
