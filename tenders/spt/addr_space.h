/* addr_space.h: what stays mapped when the guest starts, and what goes. */
#ifndef NABLA_ADDR_SPACE_H
#define NABLA_ADDR_SPACE_H

#include <stdint.h>

/* [start, end), page-aligned. */
struct addr_range {
    uint64_t start;
    uint64_t end;
};

/* The kernel's vDSO mappings: [vvar], [vvar_vclock], [vdso] on 6.x. */
#define ADDR_SPACE_MAX_VDSO 8

struct addr_space {
    unsigned vdso_count;
    struct addr_range vdso[ADDR_SPACE_MAX_VDSO];
    uint64_t top; /* end of the user address space to clear */
};

/*
 * Reads /proc/self/maps for the vDSO's mappings (kept for the guest: its
 * clock) and the top of the address space. It opens a descriptor, so it
 * runs before RLIMIT_NOFILE is lowered to the planned descriptors; the
 * vDSO never moves, and a forked child has it at the same addresses, so
 * the result stays true until the jump. Exits on failure, with a message.
 */
void addr_space_read(struct addr_space *as);

/*
 * Fills out with the ranges to unmap: everything below as->top but the
 * vDSO's mappings and the n ranges in keep (guest memory, the trampoline).
 * Returns how many, or -1 if they would be more than max or if two kept
 * ranges overlap (neither can happen with ranges the kernel gave out).
 */
int addr_space_gaps(const struct addr_space *as, const struct addr_range *keep,
                    unsigned n, struct addr_range *out, unsigned max);

#endif /* NABLA_ADDR_SPACE_H */
