/* guest_mem.c: guest memory, and what the tender writes into it for boot. */
/*
 * Guest address == host address (docs/abi.md §4.1): the guest is just
 * code running in this process, so its pointers must be usable as they are.
 * Below SPT_GUEST_MIN_BASE the tender owns a few pages of guest memory and
 * lays them out as upstream Solo5 does:
 *
 *   0x10000  start of the mapping (vm.mmap_min_addr forbids lower)
 *   0x11000  struct spt_boot_info
 *   0x11028  the manifest copy (8-aligned), 8 + 104 * entries bytes
 *   ...      the command line, right after the manifest
 *   ...      the last stage's failure lines (launch.h), zeroed at the jump
 *   0x100000 the first byte an ELF segment may use
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spt_abi.h"
#include "device.h"
#include "guest_mem.h"
#include "launch.h"
#include "report.h"
#include "text_escape.h"

#define MFT_ADDR                                                               \
    ((SPT_BOOT_INFO_BASE + sizeof(struct spt_boot_info) + 7) & ~7ull)

/*
 * The largest manifest and command line, and the last stage's failure lines
 * after them (launch.h), still end below the ELF image.
 */
_Static_assert(MFT_ADDR + MFT_MAX_SIZE + SPT_CMDLINE_SIZE + 8 +
                       LAUNCH_LINES_SIZE <=
                   SPT_GUEST_MIN_BASE,
               "boot data fits below the guest image");

/* Start of the tender's own image, from the standard linker scripts. */
extern const char __executable_start[];

/* Where the command line went; the boot info points at it. */
static uint64_t cmdline_addr;

void guest_mem_map(uint64_t mem_size, bool x_exec_heap)
{
    uintptr_t self = (uintptr_t)__executable_start;
    int prot = PROT_READ | PROT_WRITE | (x_exec_heap ? PROT_EXEC : 0);
    void *mem;

    /* The loader and mprotect assume 4 KiB pages, like the x86_64 ABI. */
    if (sysconf(_SC_PAGESIZE) != 0x1000)
        fail("host page size %ld is not 4096", sysconf(_SC_PAGESIZE));
    /*
     * A PIE tender is placed far above 4 GiB, but nothing forces that (a
     * non-PIE build, or a kernel without ASLR, may put it low), so check
     * rather than assume it cannot overlap the guest.
     */
    if (self < mem_size)
        fail("the tender's image at 0x%llx lies inside guest memory "
             "(0x%llx-0x%llx); build nabla-spt as a position-independent "
             "executable or use less memory",
             (unsigned long long)self, SPT_HOST_MEM_BASE,
             (unsigned long long)mem_size);
    /*
     * MAP_FIXED_NOREPLACE, not MAP_FIXED: if anything of ours (heap, a
     * library) already lives in that range we fail instead of silently
     * replacing it. Kernels before 4.17 ignore the flag and may place the
     * mapping elsewhere, hence the address check.
     */
    mem = mmap((void *)SPT_HOST_MEM_BASE, mem_size - SPT_HOST_MEM_BASE, prot,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (mem == MAP_FAILED)
        fail("Could not allocate guest memory (0x%llx-0x%llx): %s",
             SPT_HOST_MEM_BASE, (unsigned long long)mem_size, strerror(errno));
    if ((uintptr_t)mem != SPT_HOST_MEM_BASE)
        fail("Could not allocate guest memory at 0x%llx (got %p)",
             SPT_HOST_MEM_BASE, mem);
}

/* Fills the manifest entry of one plan device and marks it attached. */
static void attach(struct mft *m, unsigned i, const struct nabla_plan_device *d)
{
    struct mft_entry *e;

    if (d->mft_index >= m->entries)
        fail("invalid launch plan: device %u: mft_index %u is not in the "
             "manifest (%u entries)",
             i, d->mft_index, m->entries);
    e = &m->e[d->mft_index];
    if (e->type != d->type) {
        char name[TEXT_ESCAPE_SIZE(MFT_NAME_SIZE)];

        fail("invalid launch plan: device %u: type %s does not match "
             "manifest entry %u '%s' of type %s",
             i, mft_type_name(d->type), d->mft_index,
             text_escape(name, sizeof name, e->name), mft_type_name(e->type));
    }
    /* plan_check found a kind for every type. */
    device_kind_of(d->type)->fill_entry(e, d);
    e->b.hostfd = d->host_fd;
    e->attached = 1;
}

void guest_mem_write_manifest(const struct plan *plan,
                              const struct solo5_notes *notes)
{
    struct mft *m = (struct mft *)MFT_ADDR;
    const struct nabla_plan_header *h = plan->hdr;
    bool all_attached = true;

    memcpy(m, notes->mft_buf, notes->mft_size);
    for (unsigned i = 0; i < h->device_count; i++)
        attach(m, i, &plan->devices[i]);
    /*
     * The orchestrator refuses this too; checking again costs nothing and
     * keeps a guest from finding a declared device without a descriptor.
     * One line per device, then the summary, as upstream prints them.
     */
    for (unsigned i = 1; i < m->entries; i++) {
        char name[TEXT_ESCAPE_SIZE(MFT_NAME_SIZE)];

        if (m->e[i].attached)
            continue;
        /* The name is the file's: escaped, so no byte of it reaches a terminal.
         */
        report("Device '%s' of type %s declared but not attached.",
               text_escape(name, sizeof name, m->e[i].name),
               mft_type_name(m->e[i].type));
        all_attached = false;
    }
    if (!all_attached)
        fail("All declared devices must be attached. See --help for "
             "syntax.");

    cmdline_addr = MFT_ADDR + notes->mft_size;
    memcpy((void *)cmdline_addr, plan->cmdline, h->cmdline_size);
}

uint64_t guest_mem_boot_end(const struct plan *plan)
{
    return (cmdline_addr + plan->hdr->cmdline_size + 7) & ~7ull;
}

void guest_mem_write_boot_info(const struct plan *plan, uint64_t kernel_end)
{
    struct spt_boot_info *bi = (struct spt_boot_info *)SPT_BOOT_INFO_BASE;

    memset(bi, 0, sizeof *bi);
    bi->mem_size = plan->hdr->mem_size;
    bi->kernel_end = kernel_end;
    bi->cmdline = (const char *)cmdline_addr;
    bi->mft = (const void *)MFT_ADDR;
    bi->epollfd = plan->hdr->epoll_fd;
    bi->timerfd = plan->hdr->timer_fd;
}
