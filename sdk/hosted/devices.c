/* devices.c: attaching block files and taps for a hosted run. */
#include "hosted.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define DEFAULT_BLOCK_SIZE 512u
/* MTU assumed for a descriptor passed with @FD, whose interface is unknown. */
#define DEFAULT_MTU 1500u
/* The manifest stores the MTU in 16 bits. */
#define MAX_MTU 65535u

const char *mft_type_name(uint32_t type)
{
    return type == MFT_DEV_BLOCK_BASIC ? "BLOCK_BASIC" : "NET_BASIC";
}

/* Declared as (name) with (type), else the message nabla-run gives. */
static unsigned declared_index(const char *name, uint32_t type)
{
    for (unsigned i = 1; i < hosted_manifest_entries; i++)
        if (hosted_manifest[i].type == type &&
            strcmp(hosted_manifest[i].name, name) == 0)
            return i;
    hosted_fail("Resource not declared in manifest: '%s'", name);
}

/* "@" and decimal digits: a descriptor number; anything else is a name. */
static bool parse_fd(const char *value, int *fd)
{
    long v = 0;
    if (value[0] != '@' || value[1] == '\0')
        return false;
    for (const char *p = value + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v > 0x7fffffff ? v : v * 10 + (*p - '0');
    }
    *fd = v > 0x7fffffff ? -1 : (int)v; /* -1: fcntl says EBADF */
    return true;
}

/*
 * The file is opened read-write; capacity is its size, as under spt. @FD (the
 * hosted target's own extension, which `nabla audit` uses to hand over the
 * files it opened) takes a regular file already open for reading and writing.
 */
static void attach_block(struct mft_entry *e, const char *path,
                         const char *sector)
{
    unsigned bs = sector != NULL ? (unsigned)strtoul(sector, NULL, 10)
                                 : DEFAULT_BLOCK_SIZE;
    int fd;
    if (parse_fd(path, &fd)) {
        int flags = fcntl(fd, F_GETFL);
        struct stat given;
        if (flags < 0 || fstat(fd, &given) != 0)
            hosted_fail("Could not open block device: %s: %s", path,
                        strerror(errno));
        if (!S_ISREG(given.st_mode) || (flags & O_ACCMODE) != O_RDWR)
            hosted_fail("Could not open block device: %s: not a regular file "
                        "open for reading and writing",
                        path);
    } else {
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            hosted_fail("Could not open block device: %s: %s", path,
                        strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0)
        hosted_fail("Could not open block device: %s: %s", path,
                    strerror(errno));
    uint64_t capacity = (uint64_t)st.st_size;
    /* Upstream's order: a short non-empty file is "not block aligned". */
    if (capacity % bs != 0)
        hosted_fail("%s: Backing storage size must be block aligned (%u "
                    "bytes)",
                    e->name, bs);
    if (capacity < bs)
        hosted_fail("%s: Backing storage must be at least 1 block (%u bytes) "
                    "in size",
                    e->name, bs);
    e->u.block_basic.capacity = capacity;
    e->u.block_basic.block_size = (uint16_t)bs;
    e->b.hostfd = fd;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* xx:xx:xx:xx:xx:xx exactly, or a random locally administered unicast. */
static void set_mac(uint8_t mac[6], const char *name, const char *text)
{
    if (text == NULL) {
        if (getrandom(mac, 6, 0) != 6)
            hosted_fail("Could not get random bytes for a MAC address: %s",
                        strerror(errno));
        mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
        return;
    }
    for (int i = 0; i < 6; i++) {
        const char *p = text + 3 * i;
        int hi = hex_digit(p[0]), lo = hi < 0 ? -1 : hex_digit(p[1]);
        char sep = i < 5 ? ':' : '\0';
        if (lo < 0 || p[2] != sep)
            hosted_fail("Malformed argument to --net-mac:%s: '%s'", name, text);
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
}

/* Closes (fd) on an error path; returns -1 with the error that led there. */
static int close_keeping_errno(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/*
 * TUNSETIFF creates the interface when it does not exist (and as root that
 * succeeds), so a missing one is refused first: like nabla-run, this only
 * ever attaches to taps the operator made.
 */
static int tap_open(const char *iface, unsigned *mtu)
{
    struct ifreq ifr;
    if (strlen(iface) >= IFNAMSIZ) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (if_nametoindex(iface) == 0) {
        errno = ENODEV;
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, iface, strlen(iface) + 1);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        return close_keeping_errno(fd);
    /* Anything but the asked-for name means it is not the operator's tap. */
    if (strncmp(ifr.ifr_name, iface, IFNAMSIZ) != 0) {
        errno = ENODEV;
        return close_keeping_errno(fd);
    }
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return close_keeping_errno(fd);
    int rc = ioctl(sock, SIOCGIFMTU, &ifr);
    close_keeping_errno(sock);
    if (rc < 0)
        return close_keeping_errno(fd);
    *mtu = (unsigned)ifr.ifr_mtu;
    return fd;
}

static void attach_net(struct mft_entry *e, const char *target, const char *mac)
{
    int fd;
    unsigned mtu = DEFAULT_MTU;

    set_mac(e->u.net_basic.mac, e->name, mac);
    if (parse_fd(target, &fd)) {
        /*
         * As nabla-run does: solo5_net_read() must return SOLO5_R_AGAIN
         * when no frame waits, not stop the application in read(2).
         */
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
            hosted_fail("Could not attach interface: %s: %s", target,
                        strerror(errno));
    } else {
        fd = tap_open(target, &mtu);
        if (fd < 0)
            hosted_fail("Could not attach interface: %s: %s", target,
                        strerror(errno));
        if (mtu > MAX_MTU)
            hosted_fail("Could not attach interface: %s: MTU %u is above "
                        "%u, the largest the manifest can hold",
                        target, mtu, MAX_MTU);
    }
    e->u.net_basic.mtu = (uint16_t)mtu;
    e->b.hostfd = fd;
}

static void epoll_add(int epfd, int fd, uint64_t data)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = data};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        hosted_fail("cannot add descriptor %d to the epoll set: %s", fd,
                    strerror(errno));
}

void devices_attach(const struct options *o, struct mft *mft)
{
    mft->version = MFT_VERSION;
    mft->entries = hosted_manifest_entries;
    for (unsigned i = 0; i < hosted_manifest_entries; i++) {
        memset(&mft->e[i], 0, sizeof(mft->e[i]));
        (void)strlcpy(mft->e[i].name, hosted_manifest[i].name, MFT_NAME_SIZE);
        mft->e[i].type = hosted_manifest[i].type;
    }

    /* nabla-run's order: blocks, then nets, each in the order given. */
    for (unsigned k = 0; k < o->blocks.count; k++) {
        const struct dev_option *d = &o->blocks.opt[k];
        struct mft_entry *e =
            &mft->e[declared_index(d->name, MFT_DEV_BLOCK_BASIC)];
        attach_block(e, d->value, dev_option_get(&o->sector, d->name));
        e->attached = 1;
    }
    for (unsigned k = 0; k < o->nets.count; k++) {
        const struct dev_option *d = &o->nets.opt[k];
        struct mft_entry *e =
            &mft->e[declared_index(d->name, MFT_DEV_NET_BASIC)];
        attach_net(e, d->value, dev_option_get(&o->macs, d->name));
        e->attached = 1;
    }

    bool missing = false;
    for (unsigned i = 1; i < hosted_manifest_entries; i++) {
        if (!mft->e[i].attached) {
            hosted_error("Device '%s' of type %s declared but not attached.",
                         mft->e[i].name, mft_type_name(mft->e[i].type));
            missing = true;
        }
    }
    if (missing)
        hosted_fail(
            "All declared devices must be attached. See --help for syntax.");

    /* The same event sources the spt tender sets up for solo5_yield(). */
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        hosted_fail("cannot create the epoll set: %s", strerror(errno));
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0)
        hosted_fail("cannot create the timerfd: %s", strerror(errno));
    epoll_add(ep, tfd, SPT_EPOLL_TIMERFD_DATA);
    for (unsigned i = 1; i < hosted_manifest_entries; i++)
        if (mft->e[i].type == MFT_DEV_NET_BASIC)
            epoll_add(ep, mft->e[i].b.hostfd, i);

    sdk_host.mft = mft;
    sdk_host.epollfd = ep;
    sdk_host.timerfd = tfd;
}
