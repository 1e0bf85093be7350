/* fuzz_plan.c: libFuzzer harness: arbitrary bytes as a launch plan. */
/*
 * The input is the plan as the tender would read it from its descriptor.
 * plan_check (spt/plan_read.c) is the whole validation, separate from the
 * reading so that it can be called here on a buffer. The input is copied
 * into a buffer of exactly its size, so ASan sees any read past the end,
 * and malloc's alignment gives the 8-byte alignment plan_check requires,
 * as plan_read's buffer does.
 *
 * An accepted plan must give views that lie inside the buffer, strings
 * that end at their last byte, and devices, control groups and descriptors
 * as nabla_plan.h describes them; the harness reads every byte of every view so
 * that ASan checks them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "spt_abi.h"
#include "nabla_plan.h"
#include "msg.h"
#include "../spt/device.h"
#include "../spt/plan_read.h"

/* Where spawnTender puts the plan in the child (src/launch/spawn.ts). */
#define PLAN_FD 3

#define REQUIRE(cond) FUZZ_REQUIRE("fuzz_plan", cond)

/* NABLA_FUZZ_VERBOSE=1: one verdict line per input, for triage and tests. */
static int verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    verbose = fuzz_verbose();
    return 0;
}

static int inside(const uint8_t *buf, size_t size, const void *p, size_t n)
{
    const uint8_t *q = p;

    return q >= buf && q <= buf + size && n <= (size_t)(buf + size - q);
}

static int fd_ok(int32_t fd)
{
    return fd >= 3 && fd < NABLA_PLAN_FD_LIMIT;
}

static void check_plan(const uint8_t *buf, size_t size, const struct plan *p)
{
    const struct nabla_plan_header *h = p->hdr;
    unsigned sum = 0;

    REQUIRE((const uint8_t *)h == buf);
    REQUIRE(h->total_size == size && size <= NABLA_PLAN_MAX_SIZE);
    REQUIRE(h->mem_size >= NABLA_PLAN_MIN_MEM_SIZE &&
            h->mem_size <= NABLA_PLAN_MAX_MEM_SIZE &&
            h->mem_size % 0x1000 == 0);
    REQUIRE(fd_ok(h->elf_fd) && fd_ok(h->epoll_fd) && fd_ok(h->timer_fd));
    REQUIRE(h->epoll_fd != h->timer_fd && h->elf_fd != PLAN_FD);

    REQUIRE(h->device_count <= NABLA_PLAN_MAX_DEVICES);
    REQUIRE(inside(buf, size, p->devices,
                   h->device_count * sizeof(struct nabla_plan_device)));
    for (unsigned i = 0; i < h->device_count; i++) {
        const struct nabla_plan_device *d = &p->devices[i];

        REQUIRE(d->mft_index >= 1 && d->mft_index < MFT_MAX_ENTRIES);
        REQUIRE(device_kind_of(d->type) != NULL);
        REQUIRE(fd_ok(d->source_fd) && fd_ok(d->host_fd));
        REQUIRE(d->host_fd != h->epoll_fd && d->host_fd != h->timer_fd);
        REQUIRE(d->source_fd != h->elf_fd && d->source_fd != PLAN_FD);
        /* Restated for the kinds whose fields have a rule to check. */
        if (d->type == MFT_DEV_BLOCK_BASIC)
            REQUIRE(d->block_size >= 512 && d->capacity != 0 &&
                    d->capacity % d->block_size == 0);
        for (unsigned j = 0; j < i; j++) {
            REQUIRE(p->devices[j].mft_index != d->mft_index);
            REQUIRE(p->devices[j].host_fd != d->host_fd);
            REQUIRE(p->devices[j].source_fd != d->source_fd);
        }
    }

    /* v3: a run of cgroup.procs sources, each number taken by nothing else. */
    REQUIRE(h->cgroup_count <= NABLA_PLAN_MAX_CGROUPS);
    REQUIRE(h->cgroup_count != 0 || h->cgroup_fd == 0);
    for (unsigned i = 0; i < h->cgroup_count; i++) {
        int fd = h->cgroup_fd + (int)i;

        REQUIRE(fd_ok(fd) && fd != h->elf_fd && fd != PLAN_FD);
        for (unsigned j = 0; j < h->device_count; j++)
            REQUIRE(p->devices[j].source_fd != fd);
    }

    REQUIRE(p->bpf_len >= 1 && p->bpf_len <= NABLA_PLAN_MAX_BPF_INSNS);
    REQUIRE(inside(buf, size, p->bpf, p->bpf_len * sizeof *p->bpf));
    for (unsigned i = 0; i < p->bpf_len; i++)
        sum += p->bpf[i].code + p->bpf[i].k;

    REQUIRE(h->cmdline_size >= 1 && h->cmdline_size <= SPT_CMDLINE_SIZE);
    REQUIRE(inside(buf, size, p->cmdline, h->cmdline_size));
    REQUIRE(strlen(p->cmdline) == h->cmdline_size - 1);
    REQUIRE(h->kernel_path_size >= 1 &&
            h->kernel_path_size <= NABLA_PLAN_MAX_PATH_SIZE);
    REQUIRE(inside(buf, size, p->kernel_path, h->kernel_path_size));
    REQUIRE(strlen(p->kernel_path) == h->kernel_path_size - 1);
    /* Keep the BPF reads from being optimised away. */
    __asm__ volatile("" : : "r"(sum));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct plan plan;
    char msg[NABLA_MSG_SIZE] = "";
    uint8_t *buf;

    /* plan_read refuses these sizes before plan_check sees them. */
    if (size < sizeof(struct nabla_plan_header) || size > NABLA_PLAN_MAX_SIZE) {
        if (verbose)
            fprintf(stderr, "fuzz_plan: refused: %zu bytes\n", size);
        return 0;
    }
    buf = malloc(size);
    if (buf == NULL)
        abort();
    memcpy(buf, data, size);
    if (plan_check(buf, size, PLAN_FD, &plan, msg, sizeof msg) == 0) {
        check_plan(buf, size, &plan);
        if (verbose)
            fprintf(stderr, "fuzz_plan: accepted: %u devices\n",
                    plan.hdr->device_count);
    } else {
        REQUIRE(msg[0] != '\0');
        if (verbose)
            fprintf(stderr, "fuzz_plan: refused: %s\n", msg);
    }
    free(buf);
    return 0;
}
