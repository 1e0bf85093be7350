/* ext_page.c: nabla's extension page, written for the guest (nabla_ext.h). */
/*
 * The page is what lets an SDK guest read the clock without a system call:
 * the vDSO stays mapped after the jump (addr_space.c), and the guest needs
 * only to know where its clock_gettime is. The tender finds it the way a
 * dynamic loader would, through the vDSO's own symbol table
 * (common/vdso_sym.c), bounded by the [vdso] mapping /proc/self/maps
 * listed; nothing here trusts an address it did not check.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/auxv.h>

#include "nabla_ext.h"
#include "ext_page.h"
#include "msg.h"
#include "report.h"
#include "vdso_sym.h"

/* The name the x86_64 vDSO exports it under (version LINUX_2.6). */
#define VDSO_CLOCK_GETTIME "__vdso_clock_gettime"

/* The address of __vdso_clock_gettime, or 0 with the reason in msg. */
static uint64_t find_clock(const struct addr_space *as, char *msg,
                           size_t msg_size)
{
    uint64_t base = getauxval(AT_SYSINFO_EHDR), offset;

    if (base == 0) {
        nabla_msg(msg, msg_size, "no vDSO (AT_SYSINFO_EHDR is 0)");
        return 0;
    }
    /* The image is the mapping that starts at the ELF header. */
    for (unsigned i = 0; i < as->vdso_count; i++) {
        if (as->vdso[i].start != base)
            continue;
        if (vdso_sym((const void *)(uintptr_t)base,
                     (size_t)(as->vdso[i].end - base), VDSO_CLOCK_GETTIME,
                     &offset, msg, msg_size) != 0)
            return 0;
        return base + offset;
    }
    nabla_msg(msg, msg_size,
              "the vDSO at 0x%llx is not one of the %u vDSO mappings of "
              "/proc/self/maps",
              (unsigned long long)base, as->vdso_count);
    return 0;
}

void ext_page_write(const struct addr_space *as)
{
    struct nabla_ext *page = (struct nabla_ext *)NABLA_EXT_BASE;
    struct nabla_ext ext;
    char msg[NABLA_MSG_SIZE];

    memset(&ext, 0, sizeof ext);
    ext.magic = NABLA_EXT_MAGIC;
    ext.version = NABLA_EXT_VERSION;
    ext.size = sizeof ext;
    ext.vdso_clock_gettime = find_clock(as, msg, sizeof msg);
    /* Reading a page costs nothing; writing one the same makes it private. */
    if (memcmp(page, &ext, sizeof ext) != 0)
        memcpy(page, &ext, sizeof ext);
    if (ext.vdso_clock_gettime != 0)
        note("clock: %s at 0x%llx, published at 0x%llx (docs/abi.md §4.5)",
             VDSO_CLOCK_GETTIME, (unsigned long long)ext.vdso_clock_gettime,
             NABLA_EXT_BASE);
    else
        note("clock: none published (%s); guests make the clock_gettime "
             "system call",
             msg);
}
