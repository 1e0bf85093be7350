/* nabla_ext.h: nabla's extension page, what its tender adds to spt ABI v2. */
/*
 * Upstream Solo5's spt tender maps guest memory from SPT_HOST_MEM_BASE and
 * writes nothing below the boot info, so the page [0x10000, 0x11000) reads
 * zero there. nabla's tender fills its start with struct nabla_ext on every
 * start; a guest that finds the magic and a version it knows may use what it
 * holds, and must otherwise do what it would do under upstream. An image
 * that never looks (every upstream image) runs as before. docs/abi.md §4.5.
 *
 * Rules for change: fields are only ever appended, and `size` says how many
 * bytes the tender wrote; a reader needs size >= the end of the fields it
 * reads. `version` changes only if an existing field changes meaning, which
 * old guests then no longer trust. The TypeScript mirror is src/elf/abi.ts;
 * test/abi/header.test.ts compares the two.
 */
#ifndef NABLA_EXT_H
#define NABLA_EXT_H

#include <stddef.h>
#include <stdint.h>

/* Guest (== host) address of struct nabla_ext: the page below the boot info. */
#define NABLA_EXT_BASE 0x10000ull
/* "nablaEXT" as it reads in memory, a little-endian u64. */
#define NABLA_EXT_MAGIC 0x545845616c62616eull
#define NABLA_EXT_VERSION 1u

struct nabla_ext {
    uint64_t magic;   /* NABLA_EXT_MAGIC */
    uint32_t version; /* NABLA_EXT_VERSION */
    uint32_t size;    /* bytes of this struct the tender wrote */
    /*
     * The address of the vDSO's __vdso_clock_gettime, callable from the
     * guest as int (*)(int clock, struct timespec *) with the x86_64 SysV
     * calling convention; 0 when the tender found none (no vDSO, or one it
     * could not read). It returns 0, or -errno from its own clock_gettime
     * system call when the clocksource cannot be read in user space.
     */
    uint64_t vdso_clock_gettime;
};
_Static_assert(sizeof(struct nabla_ext) == 24, "nabla_ext is 24 bytes");
_Static_assert(offsetof(struct nabla_ext, version) == 8, "version @8");
_Static_assert(offsetof(struct nabla_ext, size) == 12, "size @12");
_Static_assert(offsetof(struct nabla_ext, vdso_clock_gettime) == 16,
               "vdso_clock_gettime @16");

/*
 * The ELF note an image carries when it reads the page (the SDK's does):
 * owner "nabla", type "EXT1", a 4-byte descriptor holding the version of
 * struct nabla_ext it understands. Nothing at run time depends on it; it
 * lets `nabla audit` say whether a guest reads the clock without a system
 * call. Tenders skip notes of other owners, upstream's included.
 */
#define NABLA_NOTE_NAME "nabla"
#define NABLA_NOTE_NAMESZ 6u
#define NABLA_NOTE_EXT 0x31545845u /* "EXT1" */
#define NABLA_NOTE_EXT_DESCSZ 4u

#endif /* NABLA_EXT_H */
