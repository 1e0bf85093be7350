/* plan_read.c: reading the launch plan and checking every field of it. */
/*
 * The orchestrator wrote the plan, so it is trusted to say what to do; it
 * is still checked, completely, before anything is done with it: a bad
 * size, offset or descriptor number here would otherwise become an
 * out-of-bounds read, a clobbered descriptor or a guest with the wrong
 * devices. Every message names the field and the numbers.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spt_abi.h"
#include "device.h"
#include "io.h"
#include "msg.h"
#include "plan_read.h"

#define BAD(fmt, ...)                                                          \
    nabla_msg(msg, msg_size, "invalid launch plan: " fmt, ##__VA_ARGS__)

/* Descriptors 0, 1 and 2 are the guest's console: never a plan number. */
#define FIRST_FD 3

/* A byte range of the plan, for the bounds and overlap checks. */
struct region {
    const char *name;
    uint64_t offset;
    uint64_t size;
};

static bool fd_ok(int32_t fd)
{
    return fd >= FIRST_FD && fd < NABLA_PLAN_FD_LIMIT;
}

/* The fixed fields of the header, before any region is looked at. */
static int check_header(const struct nabla_plan_header *h, size_t size,
                        char *msg, size_t msg_size)
{
    if (h->magic != NABLA_PLAN_MAGIC)
        return BAD("bad magic 0x%x (expected 0x%x)", h->magic,
                   NABLA_PLAN_MAGIC);
    if (h->version != NABLA_PLAN_VERSION)
        return BAD("version %u is not supported (expected %u)", h->version,
                   NABLA_PLAN_VERSION);
    if (h->header_size != sizeof *h)
        return BAD("header_size %u (expected %zu)", h->header_size, sizeof *h);
    if (h->total_size != size)
        return BAD("total_size %u but the descriptor holds %zu bytes",
                   h->total_size, size);
    if (h->device_size != sizeof(struct nabla_plan_device))
        return BAD("device_size %u (expected %zu)", h->device_size,
                   sizeof(struct nabla_plan_device));
    if (h->flags & ~NABLA_PLAN_F_ALL)
        return BAD("unknown flags 0x%x", h->flags & ~NABLA_PLAN_F_ALL);
    if (h->mem_size < NABLA_PLAN_MIN_MEM_SIZE ||
        h->mem_size > NABLA_PLAN_MAX_MEM_SIZE)
        return BAD("mem_size 0x%llx is outside 0x%llx-0x%llx",
                   (unsigned long long)h->mem_size, NABLA_PLAN_MIN_MEM_SIZE,
                   NABLA_PLAN_MAX_MEM_SIZE);
    if (h->mem_size % 0x1000 != 0)
        return BAD("mem_size 0x%llx is not a multiple of 4 KiB",
                   (unsigned long long)h->mem_size);
    if (!fd_ok(h->elf_fd))
        return BAD("elf_fd %d is not in %d..%d", h->elf_fd, FIRST_FD,
                   NABLA_PLAN_FD_LIMIT - 1);
    if (!fd_ok(h->epoll_fd))
        return BAD("epoll_fd %d is not in %d..%d", h->epoll_fd, FIRST_FD,
                   NABLA_PLAN_FD_LIMIT - 1);
    if (!fd_ok(h->timer_fd))
        return BAD("timer_fd %d is not in %d..%d", h->timer_fd, FIRST_FD,
                   NABLA_PLAN_FD_LIMIT - 1);
    if (h->device_count > NABLA_PLAN_MAX_DEVICES)
        return BAD("device_count %u exceeds %u", h->device_count,
                   NABLA_PLAN_MAX_DEVICES);
    if (h->bpf_size == 0 || h->bpf_size % sizeof(struct sock_filter) != 0)
        return BAD("bpf_size %u is not a non-zero multiple of %zu", h->bpf_size,
                   sizeof(struct sock_filter));
    if (h->bpf_size / sizeof(struct sock_filter) > NABLA_PLAN_MAX_BPF_INSNS)
        return BAD("bpf_size %u is more than %u instructions", h->bpf_size,
                   NABLA_PLAN_MAX_BPF_INSNS);
    /* Same words as upstream's solo5-spt, which users may grep for. */
    if (h->cmdline_size > SPT_CMDLINE_SIZE)
        return nabla_msg(msg, msg_size,
                         "Guest command line too long (max=%u characters)",
                         SPT_CMDLINE_SIZE - 1);
    if (h->cmdline_size == 0)
        return BAD("cmdline_size is 0 (the NUL is required)");
    if (h->kernel_path_size == 0 ||
        h->kernel_path_size > NABLA_PLAN_MAX_PATH_SIZE)
        return BAD("kernel_path_size %u is not in 1..%u", h->kernel_path_size,
                   NABLA_PLAN_MAX_PATH_SIZE);
    return 0;
}

/*
 * The v2 fields. Their values are the orchestrator's to choose (any uid, any
 * limit); only combinations without a meaning are refused.
 */
static int check_privileges(const struct nabla_plan_header *h, char *msg,
                            size_t msg_size)
{
    /* Half a switch (a new gid, the old uid) is a plan bug, not a choice. */
    if ((h->uid == NABLA_PLAN_ID_KEEP) != (h->gid == NABLA_PLAN_ID_KEEP))
        return BAD("uid %u and gid %u: either both switch or both keep "
                   "(0x%x)",
                   h->uid, h->gid, NABLA_PLAN_ID_KEEP);
    if (h->namespaces & ~NABLA_PLAN_NS_ALL)
        return BAD("unknown namespace flags 0x%x",
                   h->namespaces & ~NABLA_PLAN_NS_ALL);
    if (h->parent_pid < 0)
        return BAD("parent_pid %d is negative", h->parent_pid);
    if (h->parent_pid != 0 && !(h->flags & NABLA_PLAN_F_PDEATHSIG))
        return BAD("parent_pid %d without the PDEATHSIG flag", h->parent_pid);
    return 0;
}

/* The v3 fields: a run of cgroup.procs descriptors, or none at all. */
static int check_cgroups(const struct nabla_plan_header *h, char *msg,
                         size_t msg_size)
{
    if (h->cgroup_count > NABLA_PLAN_MAX_CGROUPS)
        return BAD("cgroup_count %u exceeds %u", h->cgroup_count,
                   NABLA_PLAN_MAX_CGROUPS);
    if (h->cgroup_count == 0 && h->cgroup_fd != 0)
        return BAD("cgroup_fd %u without cgroups (expected 0)", h->cgroup_fd);
    /* The last of the run too: u16 sums cannot overflow an int. */
    if (h->cgroup_count != 0 &&
        (!fd_ok(h->cgroup_fd) || !fd_ok(h->cgroup_fd + h->cgroup_count - 1)))
        return BAD("cgroup descriptors %u..%u are not in %d..%d", h->cgroup_fd,
                   h->cgroup_fd + h->cgroup_count - 1, FIRST_FD,
                   NABLA_PLAN_FD_LIMIT - 1);
    return 0;
}

/*
 * Every region lies after the header and inside the plan, the arrays are
 * 8-aligned (the buffer is, so their elements are naturally aligned), and
 * no two non-empty regions share a byte.
 */
static int check_regions(const struct nabla_plan_header *h, char *msg,
                         size_t msg_size)
{
    /* 32-bit offsets and sizes: sums in 64 bits cannot overflow. */
    const struct region r[] = {
        {"devices", h->devices_offset,
         (uint64_t)h->device_count * sizeof(struct nabla_plan_device)},
        {"bpf", h->bpf_offset, h->bpf_size},
        {"cmdline", h->cmdline_offset, h->cmdline_size},
        {"kernel_path", h->kernel_path_offset, h->kernel_path_size},
    };
    const size_t n = sizeof r / sizeof r[0];

    if (h->devices_offset % 8 != 0)
        return BAD("devices_offset 0x%x is not 8-byte aligned",
                   h->devices_offset);
    if (h->bpf_offset % 8 != 0)
        return BAD("bpf_offset 0x%x is not 8-byte aligned", h->bpf_offset);
    for (size_t i = 0; i < n; i++) {
        if (r[i].offset < h->header_size ||
            r[i].offset + r[i].size > h->total_size)
            return BAD("%s region 0x%llx-0x%llx lies outside 0x%x-0x%x",
                       r[i].name, (unsigned long long)r[i].offset,
                       (unsigned long long)(r[i].offset + r[i].size),
                       h->header_size, h->total_size);
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            if (r[i].size == 0 || r[j].size == 0)
                continue;
            if (r[i].offset < r[j].offset + r[j].size &&
                r[j].offset < r[i].offset + r[i].size)
                return BAD("%s region 0x%llx-0x%llx overlaps %s region "
                           "0x%llx-0x%llx",
                           r[i].name, (unsigned long long)r[i].offset,
                           (unsigned long long)(r[i].offset + r[i].size),
                           r[j].name, (unsigned long long)r[j].offset,
                           (unsigned long long)(r[j].offset + r[j].size));
        }
    }
    return 0;
}

/* A string region holds exactly one NUL, at its last byte. */
static int check_string(const char *name, const char *s, uint32_t size,
                        char *msg, size_t msg_size)
{
    const char *nul = memchr(s, '\0', size);

    if (nul != s + size - 1)
        return BAD("%s is not NUL-terminated exactly at its last byte "
                   "(size %u)",
                   name, size);
    return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/*
 * One device entry on its own: index, descriptors, reserved bytes, then the
 * type and, by its kind's module, the type's fields.
 */
static int check_device(unsigned i, const struct nabla_plan_device *d,
                        char *msg, size_t msg_size)
{
    const struct device_kind *kind;
    char why[NABLA_MSG_SIZE];

    if (d->mft_index < 1 || d->mft_index >= MFT_MAX_ENTRIES)
        return BAD("device %u: mft_index %u is not in 1..%u", i, d->mft_index,
                   MFT_MAX_ENTRIES - 1);
    if (!fd_ok(d->source_fd))
        return BAD("device %u: source_fd %d is not in %d..%d", i, d->source_fd,
                   FIRST_FD, NABLA_PLAN_FD_LIMIT - 1);
    if (!fd_ok(d->host_fd))
        return BAD("device %u: host_fd %d is not in %d..%d", i, d->host_fd,
                   FIRST_FD, NABLA_PLAN_FD_LIMIT - 1);
    if (!all_zero(d->reserved, sizeof d->reserved))
        return BAD("device %u: reserved bytes are not zero", i);
    kind = device_kind_of(d->type);
    if (kind == NULL) {
        char known[128];

        device_kinds_describe(known, sizeof known);
        return BAD("device %u: type %u is %s", i, d->type, known);
    }
    if (kind->check_entry(d, why, sizeof why) != 0)
        return BAD("device %u: %s", i, why);
    return 0;
}

/* Names a descriptor's role for messages; roles are small integers. */
enum {
    ROLE_NONE = -1,
    ROLE_EPOLL = 1000,
    ROLE_TIMER,
    ROLE_ELF,
    ROLE_PLAN,
    ROLE_CGROUP
};

static const char *role_name(int role, char *buf, size_t size)
{
    switch (role) {
    case ROLE_EPOLL:
        return "epoll_fd";
    case ROLE_TIMER:
        return "timer_fd";
    case ROLE_ELF:
        return "elf_fd";
    case ROLE_PLAN:
        return "the plan descriptor";
    case ROLE_CGROUP:
        return "a cgroup descriptor";
    default:
        snprintf(buf, size, "device %d", role);
        return buf;
    }
}

/* Claims descriptor fd for role in table; fails if another role has it. */
static int claim(int *table, int fd, int role, const char *what, char *msg,
                 size_t msg_size)
{
    char a[32], b[32];

    if (table[fd] != ROLE_NONE)
        return BAD("descriptor %d is the %s of both %s and %s", fd, what,
                   role_name(table[fd], a, sizeof a),
                   role_name(role, b, sizeof b));
    table[fd] = role;
    return 0;
}

/*
 * Each number the guest will see (device host_fd, epoll_fd, timer_fd) is
 * unique, or one would silently replace another. Each number we take
 * something from (plan, ELF, device source_fd) is unique too, because the
 * plan and the ELF are closed before devices move and a device sharing
 * their number would be closed with them.
 */
static int check_descriptors(const struct nabla_plan_header *h,
                             const struct nabla_plan_device *devs, int plan_fd,
                             char *msg, size_t msg_size)
{
    int dst[NABLA_PLAN_FD_LIMIT], src[NABLA_PLAN_FD_LIMIT];

    for (int fd = 0; fd < NABLA_PLAN_FD_LIMIT; fd++)
        dst[fd] = src[fd] = ROLE_NONE;
    if (claim(dst, h->epoll_fd, ROLE_EPOLL, "destination", msg, msg_size) ||
        claim(dst, h->timer_fd, ROLE_TIMER, "destination", msg, msg_size) ||
        claim(src, plan_fd, ROLE_PLAN, "source", msg, msg_size) ||
        claim(src, h->elf_fd, ROLE_ELF, "source", msg, msg_size))
        return -1;
    for (unsigned i = 0; i < h->device_count; i++) {
        if (claim(dst, devs[i].host_fd, (int)i, "destination", msg, msg_size) ||
            claim(src, devs[i].source_fd, (int)i, "source", msg, msg_size))
            return -1;
    }
    for (unsigned i = 0; i < h->cgroup_count; i++) {
        if (claim(src, h->cgroup_fd + (int)i, ROLE_CGROUP, "source", msg,
                  msg_size))
            return -1;
    }
    return 0;
}

int plan_check(const uint8_t *buf, size_t size, int plan_fd, struct plan *out,
               char *msg, size_t msg_size)
{
    const struct nabla_plan_header *h = (const void *)buf;
    const struct nabla_plan_device *devs;
    bool used[MFT_MAX_ENTRIES] = {false};

    if (plan_fd < 0 || plan_fd >= NABLA_PLAN_FD_LIMIT)
        return BAD("plan descriptor %d is not in 0..%d", plan_fd,
                   NABLA_PLAN_FD_LIMIT - 1);
    if (size < sizeof *h)
        return BAD("%zu bytes is smaller than the %zu-byte header", size,
                   sizeof *h);
    if (check_header(h, size, msg, msg_size) ||
        check_privileges(h, msg, msg_size) || check_cgroups(h, msg, msg_size) ||
        check_regions(h, msg, msg_size))
        return -1;
    if (check_string("cmdline", (const char *)buf + h->cmdline_offset,
                     h->cmdline_size, msg, msg_size) ||
        check_string("kernel_path", (const char *)buf + h->kernel_path_offset,
                     h->kernel_path_size, msg, msg_size))
        return -1;

    devs = (const void *)(buf + h->devices_offset);
    for (unsigned i = 0; i < h->device_count; i++) {
        if (check_device(i, &devs[i], msg, msg_size) != 0)
            return -1;
        /* One manifest entry backs one device: a second would be lost. */
        if (used[devs[i].mft_index])
            return BAD("device %u: mft_index %u is used twice", i,
                       devs[i].mft_index);
        used[devs[i].mft_index] = true;
    }
    if (check_descriptors(h, devs, plan_fd, msg, msg_size) != 0)
        return -1;

    out->hdr = h;
    out->devices = devs;
    out->bpf = (const void *)(buf + h->bpf_offset);
    out->bpf_len = (unsigned short)(h->bpf_size / sizeof(struct sock_filter));
    out->cmdline = (const char *)buf + h->cmdline_offset;
    out->kernel_path = (const char *)buf + h->kernel_path_offset;
    return 0;
}

/*
 * What each device's descriptor holds, for the kinds that say (device.h,
 * check_source). After plan_check, so every type has a kind. A template's
 * guest calls it once its descriptors are at their source numbers.
 */
int plan_check_sources(const struct plan *p, char *msg, size_t msg_size)
{
    char why[NABLA_MSG_SIZE];

    for (unsigned i = 0; i < p->hdr->device_count; i++) {
        const struct nabla_plan_device *d = &p->devices[i];
        const struct device_kind *kind = device_kind_of(d->type);

        if (kind->check_source != NULL &&
            kind->check_source(d->source_fd, why, sizeof why) != 0)
            return BAD("device %u: source_fd %d: %s", i, d->source_fd, why);
    }
    return 0;
}

int plan_read(int plan_fd, struct plan *out, char *msg, size_t msg_size)
{
    struct stat st;
    uint8_t *buf;
    ssize_t n;

    if (fstat(plan_fd, &st) != 0)
        return nabla_msg(msg, msg_size,
                         "cannot read the launch plan from descriptor %d: %s",
                         plan_fd, strerror(errno));
    if (st.st_size < (off_t)sizeof(struct nabla_plan_header) ||
        st.st_size > (off_t)NABLA_PLAN_MAX_SIZE)
        return BAD("descriptor %d holds %lld bytes, not %zu..%u", plan_fd,
                   (long long)st.st_size, sizeof(struct nabla_plan_header),
                   NABLA_PLAN_MAX_SIZE);
    /* malloc aligns to 16, so every 8-aligned region is aligned too. */
    buf = malloc((size_t)st.st_size);
    if (buf == NULL)
        return nabla_msg(msg, msg_size,
                         "cannot read the launch plan: out of memory");
    n = nabla_pread_full(plan_fd, buf, (size_t)st.st_size, 0);
    if (n < 0) {
        free(buf);
        return nabla_msg(msg, msg_size,
                         "cannot read the launch plan from descriptor %d: %s",
                         plan_fd, strerror(errno));
    }
    /* The buffer stays allocated for the life of the process. */
    if (plan_check(buf, (size_t)n, plan_fd, out, msg, msg_size) != 0 ||
        plan_check_sources(out, msg, msg_size) != 0) {
        free(buf);
        return -1;
    }
    return 0;
}
