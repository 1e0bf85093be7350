/* addr_space.c: what stays mapped when the guest starts, and what goes. */
/*
 * The guest must find nothing of the tender in its address space: not its
 * code, data, heap or stack, not libc or the loader, not the argv,
 * environment block and executable path at the top of the stack. An
 * allowed call whose pointer argument fails with EFAULT only where nothing
 * is mapped would show the guest where they are, and then it could read
 * them. So the trampoline unmaps everything but three things:
 *  - guest memory, [SPT_HOST_MEM_BASE, mem_size);
 *  - the kernel's vDSO mappings ([vvar], [vvar_vclock], [vdso]): the
 *    kernel's clock data and code, not the tender's, which a guest may use
 *    to read the time without a system call;
 *  - the trampoline itself, which the guest's filter, installed by it,
 *    then gives no way to remove (munmap is not on the allowlist).
 *
 * What goes is the complement of what stays, not a list of the tender's
 * mappings: whatever libc maps between this reading and the jump (a stdio
 * buffer, heap growth) is in a gap all the same, and the trampoline holds
 * only addresses the guest may know. [vsyscall] is not a mapping of the
 * process (the kernel's fixed page at 0xffffffffff600000, above every user
 * address) and cannot be removed; the filter kills any call through it.
 *
 * A sealed mapping (mseal, Linux 6.10 on) in a gap would make its munmap
 * fail with EPERM, and the trampoline would report that and exit 1 rather
 * than start a guest with it. glibc 2.36 seals nothing; kernels built with
 * CONFIG_MSEAL_SYSTEM_MAPPINGS seal the vDSO's mappings, which stay.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr_space.h"
#include "report.h"

/*
 * The end of the user address space with 4-level paging (TASK_SIZE: 2^47
 * less a guard page). With 5-level paging the kernel places nothing above
 * it unless asked to, but a mapping higher up raises the top to its end.
 * Everything at or above 2^63 is the kernel's ([vsyscall]).
 */
#define USER_TOP_47 0x7ffffffff000ull
#define KERNEL_HALF (1ull << 63)

/* The kernel names the vDSO's mappings "[vdso]" and "[vvar...]". */
static int is_vdso(const char *name)
{
    size_t n = strlen(name);

    if (strcmp(name, "[vdso]") == 0)
        return 1;
    return strncmp(name, "[vvar", 5) == 0 && name[n - 1] == ']';
}

void addr_space_read(struct addr_space *as)
{
    FILE *f = fopen("/proc/self/maps", "re");
    static char buf[16384];
    char *line = NULL;
    size_t cap = 0;

    memset(as, 0, sizeof *as);
    as->top = USER_TOP_47;
    if (f == NULL)
        fail("cannot read /proc/self/maps (to keep the vDSO mapped and "
             "unmap the rest before the jump): %s",
             strerror(errno));
    /* One read for the whole file (about 3 KB), not one per KiB. */
    setvbuf(f, buf, _IOFBF, sizeof buf);
    while (getline(&line, &cap, f) > 0) {
        uint64_t start, end;
        int name_at = 0;
        char *name;

        /* "start-end perms offset dev inode [name]" */
        if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %*s %*s %*s %n", &start,
                   &end, &name_at) < 2 ||
            name_at == 0 || end <= start)
            fail("cannot read /proc/self/maps: unexpected line '%.60s'", line);
        if (start >= KERNEL_HALF)
            continue;
        if (end > as->top)
            as->top = end;
        name = line + name_at;
        name[strcspn(name, "\n")] = '\0';
        if (!is_vdso(name))
            continue;
        if (as->vdso_count == ADDR_SPACE_MAX_VDSO)
            fail("cannot read /proc/self/maps: more than %d vDSO mappings",
                 ADDR_SPACE_MAX_VDSO);
        as->vdso[as->vdso_count].start = start;
        as->vdso[as->vdso_count].end = end;
        as->vdso_count++;
    }
    if (ferror(f))
        fail("cannot read /proc/self/maps: %s", strerror(errno));
    free(line);
    fclose(f);
}

int addr_space_gaps(const struct addr_space *as, const struct addr_range *keep,
                    unsigned n, struct addr_range *out, unsigned max)
{
    struct addr_range all[ADDR_SPACE_MAX_VDSO + 4];
    unsigned count = 0, gaps = 0;
    uint64_t at = 0;

    if (n > 4)
        return -1;
    for (unsigned i = 0; i < as->vdso_count; i++)
        all[count++] = as->vdso[i];
    for (unsigned i = 0; i < n; i++)
        all[count++] = keep[i];
    /* A handful of ranges: insertion sort by start. */
    for (unsigned i = 1; i < count; i++) {
        struct addr_range r = all[i];
        unsigned j = i;

        for (; j > 0 && all[j - 1].start > r.start; j--)
            all[j] = all[j - 1];
        all[j] = r;
    }
    /* From address 0: nothing is there (vm.mmap_min_addr), so it is cheap. */
    for (unsigned i = 0; i < count; i++) {
        if (all[i].start < at)
            return -1; /* overlap */
        if (all[i].start > at) {
            if (gaps == max)
                return -1;
            out[gaps].start = at;
            out[gaps].end = all[i].start;
            gaps++;
        }
        at = all[i].end;
    }
    if (at < as->top) {
        if (gaps == max)
            return -1;
        out[gaps].start = at;
        out[gaps].end = as->top;
        gaps++;
    }
    return (int)gaps;
}
