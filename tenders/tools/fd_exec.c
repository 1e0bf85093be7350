/* fd_exec.c: fd-exec, puts a descriptor of a given kind at a number, execs. */
/*
 * Usage: fd-exec [--netns PATH] [--inject HEX] [--nonblock] FD KIND [IFNAME]
 *          -- PROGRAM ARGV0 [ARGS...]
 *        fd-exec --send SOCK [--netns PATH] [--inject HEX] [--nonblock] FD
 *          KIND [IFNAME]
 *
 * A test tool: it makes the descriptors nabla must refuse or accept as a
 * network device, the way another program handing nabla-run "@FD" would,
 * and leaves one at number FD (blocking, inheritable) for PROGRAM, which it
 * execs with argv[0] ARGV0 and every other descriptor as it was. KIND:
 *
 *   tap       IFNAME (an existing tap) attached with IFF_TAP | IFF_NO_PI,
 *             and IFF_MULTI_QUEUE when the tap was made multi_queue, so
 *             that several runs can hold it at once
 *   tap-pi    a new tap IFNAME without IFF_NO_PI, with an accept-all
 *             socket filter: TUNGETIFF reports bit 0x1000 both for
 *             IFF_NO_PI and for "no filter" (IFF_NOFILTER), so only with a
 *             filter does the kernel say that IFF_NO_PI is missing
 *   tap-vnet  the same with IFF_VNET_HDR
 *   tun       a new tun interface IFNAME (IFF_TUN | IFF_NO_PI)
 *   tun-none  /dev/net/tun opened, attached to nothing
 *   unix      one end of a unix stream socket pair
 *   pipe      the read end of a pipe
 *   file      a new, empty, unlinked regular file in /tmp
 *
 * --netns enters the network namespace at PATH (/run/netns/NAME) first, so
 * that taps are looked up and made there, never on the host's own
 * interfaces. --inject sends one Ethernet frame (hex) out of IFNAME through
 * a packet socket once a tap is attached, so that it waits in the tap's
 * queue for PROGRAM to read. --nonblock sets O_NONBLOCK on the descriptor,
 * as nabla-run does to an @FD (for PROGRAMs that skip it: the bare tender).
 * --send hands the descriptor to the process holding the other end of the
 * unix socket at descriptor SOCK instead (SCM_RIGHTS, with one byte) and
 * exits 0: a tap of another network namespace for a caller that cannot
 * enter it, such as a test driving nabla's start engine (the descriptor
 * stays attached to the tap it was made for). FD is then unused.
 * Tap and tun kinds need root. On failure: one
 * line on stderr and status 127, PROGRAM is not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd_pass.h"

static const char *prog = "fd-exec";

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
                                                                ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(127);
}

static int tun_open(const char *ifname, short flags)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR);

    if (fd < 0)
        die("open /dev/net/tun: %s", strerror(errno));
    if (flags == 0)
        return fd;
    if (ifname == NULL || strlen(ifname) >= IFNAMSIZ)
        die("KIND needs an interface name of at most %d bytes", IFNAMSIZ - 1);
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, ifname);
    ifr.ifr_flags = flags;
    if (ioctl(fd, TUNSETIFF, &ifr) == 0)
        return fd;
    /* A tap made multi_queue takes only multi-queue attaches, and back. */
    ifr.ifr_flags = (short)(flags | IFF_MULTI_QUEUE);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0)
        die("TUNSETIFF %s: %s", ifname, strerror(errno));
    return fd;
}

/* The other half of a pair stays open here only until the exec. */
static int make(const char *kind, const char *ifname)
{
    int pair[2];

    if (strcmp(kind, "tap") == 0)
        return tun_open(ifname, IFF_TAP | IFF_NO_PI);
    if (strcmp(kind, "tap-pi") == 0) {
        struct sock_filter accept = BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
        struct sock_fprog fprog = {.len = 1, .filter = &accept};
        int fd = tun_open(ifname, IFF_TAP);

        if (ioctl(fd, TUNATTACHFILTER, &fprog) != 0)
            die("TUNATTACHFILTER %s: %s", ifname, strerror(errno));
        return fd;
    }
    if (strcmp(kind, "tap-vnet") == 0)
        return tun_open(ifname, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
    if (strcmp(kind, "tun") == 0)
        return tun_open(ifname, IFF_TUN | IFF_NO_PI);
    if (strcmp(kind, "tun-none") == 0)
        return tun_open(NULL, 0);
    if (strcmp(kind, "unix") == 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
            die("socketpair: %s", strerror(errno));
        return pair[0];
    }
    if (strcmp(kind, "pipe") == 0) {
        if (pipe2(pair, O_CLOEXEC) != 0)
            die("pipe: %s", strerror(errno));
        return pair[0];
    }
    if (strcmp(kind, "file") == 0) {
        int fd = open("/tmp", O_RDWR | O_TMPFILE, 0600);
        if (fd < 0)
            die("open O_TMPFILE in /tmp: %s", strerror(errno));
        return fd;
    }
    die("unknown KIND '%s'", kind);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Transmits the frame on ifname: the tap hands it to its attached queue. */
static void inject(const char *ifname, const char *hex)
{
    unsigned char frame[2048];
    size_t n = strlen(hex) / 2;
    struct sockaddr_ll to;
    int s;

    if (strlen(hex) % 2 != 0 || n > sizeof frame || n < ETH_HLEN)
        die("--inject needs an even number of hex digits, %d to %zu bytes",
            ETH_HLEN, sizeof frame);
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            die("--inject: '%c%c' is not a hex byte", hex[2 * i],
                hex[2 * i + 1]);
        frame[i] = (unsigned char)(hi << 4 | lo);
    }
    s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s < 0)
        die("socket AF_PACKET: %s", strerror(errno));
    memset(&to, 0, sizeof to);
    to.sll_family = AF_PACKET;
    to.sll_ifindex = (int)if_nametoindex(ifname);
    if (to.sll_ifindex == 0)
        die("if_nametoindex %s: %s", ifname, strerror(errno));
    if (sendto(s, frame, n, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)n)
        die("sendto %s: %s", ifname, strerror(errno));
    close(s);
}

/* --send: the descriptor to whoever holds the socket's other end. */
static void send_fd(int sock, int fd)
{
    char byte = 'F';
    struct iovec iov = {&byte, 1};

    if (nabla_send_with_fd(sock, &iov, 1, fd) != 1)
        die("sendmsg to descriptor %d: %s", sock, strerror(errno));
}

int main(int argc, char **argv)
{
    const char *netns = NULL, *hex = NULL, *kind, *ifname = NULL;
    int i = 1, want, fd, nonblock = 0, send_to = -1;
    char *end;

    while (i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]) {
        if (strcmp(argv[i], "--nonblock") == 0) {
            nonblock = 1;
            i++;
            continue;
        }
        if (i + 1 >= argc)
            die("option %s needs a value", argv[i]);
        if (strcmp(argv[i], "--netns") == 0)
            netns = argv[i + 1];
        else if (strcmp(argv[i], "--inject") == 0)
            hex = argv[i + 1];
        else if (strcmp(argv[i], "--send") == 0) {
            send_to = (int)strtol(argv[i + 1], &end, 10);
            if (*end != '\0' || send_to < 0 || end == argv[i + 1])
                die("--send '%s' is not a descriptor number", argv[i + 1]);
        } else
            die("unknown option %s", argv[i]);
        i += 2;
    }
    if (argc - i < 2)
        die("usage: fd-exec [--netns PATH] [--inject HEX] [--nonblock] FD KIND "
            "[IFNAME] -- PROGRAM ARGV0 [ARGS...]");
    want = (int)strtol(argv[i], &end, 10);
    if (*end != '\0' || want < 0 || end == argv[i])
        die("FD '%s' is not a descriptor number", argv[i]);
    kind = argv[i + 1];
    i += 2;
    if (i < argc && strcmp(argv[i], "--") != 0)
        ifname = argv[i++];
    if (send_to >= 0 && i != argc)
        die("--send takes no PROGRAM");
    if (send_to < 0 &&
        (i >= argc || strcmp(argv[i], "--") != 0 || argc - i < 3))
        die("expected -- PROGRAM ARGV0 [ARGS...]");
    i++;

    if (netns != NULL) {
        int ns = open(netns, O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWNET) != 0)
            die("enter %s: %s", netns, strerror(errno));
        close(ns);
    }
    fd = make(kind, ifname);
    if (hex != NULL)
        inject(ifname, hex);
    if (nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
        die("fcntl O_NONBLOCK: %s", strerror(errno));
    if (send_to >= 0) {
        send_fd(send_to, fd);
        return 0;
    }
    /* dup2 clears close-on-exec: PROGRAM inherits the descriptor. */
    if (fd != want) {
        if (dup2(fd, want) < 0)
            die("dup2 to %d: %s", want, strerror(errno));
        close(fd);
    } else if (fcntl(fd, F_SETFD, 0) != 0) {
        die("fcntl %d: %s", fd, strerror(errno));
    }
    execv(argv[i], &argv[i + 1]);
    die("exec %s: %s", argv[i], strerror(errno));
}
