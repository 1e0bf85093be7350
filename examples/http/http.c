/* http.c: a static file server (HTTP/1.1, GET and HEAD, keep-alive) on the
 * SDK's lwIP stack, serving the files of a ustar image on a block device. */
#include "solo5.h"
#include "nabla_lib.h"
#include "nabla_tarfs.h"
#include "nabla_tcpip.h"
#include "http.h"

/*
 * Usage: http.nabla [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--port=N]
 *                   [--idle-timeout=SECONDS]
 *
 * Serves the image on the block device "storage" (`nabla fs build`) on the
 * network device "service", TCP port 80 by default. examples/http/README.md
 * says what it answers; server.c serves, parse.c reads requests.
 */
#define PROG "http"
#define MAX_FILES 4096 /* entries of the image */

static uint16_t port = 80;
static uint32_t idle_timeout_ms = 30000;
static struct nabla_tarfs fs;
static struct nabla_tarfs_file files[MAX_FILES];

/* --NAME=N with 1 <= N <= max, into (value); false when the word is not it. */
static bool number_option(const char *word, size_t n, const char *name,
                          unsigned long max, unsigned long *value)
{
    size_t len = strlen(name);
    if (n <= len || memcmp(word, name, len) != 0)
        return false;
    char *end;
    unsigned long v = strtoul(word + len, &end, 10);
    if (end != word + n || v < 1 || v > max || word[len] < '0' ||
        word[len] > '9')
        return false;
    *value = v;
    return true;
}

static bool parse_args(const char *cmdline)
{
    const char *s = cmdline;
    while (*s != '\0') {
        while (*s == ' ')
            s++;
        const char *word = s;
        while (*s != '\0' && *s != ' ')
            s++;
        size_t n = (size_t)(s - word);
        unsigned long v;
        if (n == 0 || nabla_tcpip_is_option(word, n))
            continue;
        if (number_option(word, n, "--port=", 65535, &v)) {
            port = (uint16_t)v;
            continue;
        }
        if (number_option(word, n, "--idle-timeout=", 86400, &v)) {
            idle_timeout_ms = (uint32_t)v * 1000;
            continue;
        }
        printf(PROG ": cannot use '%.*s'\n", (int)n, word);
        printf("usage: " PROG ".nabla [--ipv4=ADDR/PREFIX] "
               "[--ipv4-gateway=ADDR] [--port=N] [--idle-timeout=SECONDS]\n");
        return false;
    }
    return true;
}

static bool open_image(void)
{
    solo5_handle_t h;
    struct solo5_block_info info;
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        printf(PROG ": cannot acquire block device 'storage'\n");
        return false;
    }
    if (nabla_tarfs_open(&fs, h, &info, files, MAX_FILES) != NABLA_TARFS_OK) {
        printf(PROG ": storage: %s\n", fs.error);
        return false;
    }
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    if (!parse_args(si->cmdline) || !open_image() ||
        !nabla_tcpip_start("service", si->cmdline) ||
        !http_serve(&fs, port, idle_timeout_ms))
        return SOLO5_EXIT_FAILURE;
    for (;;)
        nabla_tcpip_poll(UINT64_MAX);
}
