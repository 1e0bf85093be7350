/* fuzz_elf.c: libFuzzer harness: a whole unikernel file through the loader. */
/*
 * The input is the ELF file. It takes exactly the tender's path before the
 * jump: elf_check (header and segments), elf_read_notes (ABI1, MFT1 and the
 * manifest) and elf_load_segments, all reading through a descriptor with
 * pread as nabla-spt does, here a memfd holding the input.
 *
 * The tender loads at guest address == host address, from 0x10000 up; the
 * fuzzer's own process must not map there, and need not: elf_load_segments
 * takes the base address of guest memory, so this harness hands it a
 * mapping placed anywhere, followed by an inaccessible guard region so
 * that a write past the end faults instead of landing in another mapping.
 *
 * Accepted files must satisfy what docs/elf-validation.md promises (entry
 * in range, loaded segments inside memory and the file, sorted, disjoint,
 * never W+X, a valid manifest) and the loaded bytes must be the file's;
 * anything else aborts, which libFuzzer reports as a crash.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "spt_abi.h"
#include "elf_load.h"
#include "elf_notes.h"
#include "msg.h"

/* Every built guest ends below 0x130000; 4 MiB leaves room to mutate. */
#define FUZZ_MEM_SIZE (4ull << 20)
#define GUARD_SIZE (1ull << 20)

static int memfd = -1;
static uint8_t *mem;
/* NABLA_FUZZ_VERBOSE=1: one verdict line per input, for triage and tests. */
static int verbose;

#define REQUIRE(cond) FUZZ_REQUIRE("fuzz_elf", cond)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    verbose = fuzz_verbose();
    memfd = memfd_create("fuzz-elf", MFD_CLOEXEC);
    if (memfd < 0) {
        perror("fuzz_elf: memfd_create");
        exit(1);
    }
    /* Reserve memory and guard together so nothing can sit in between. */
    mem = mmap(NULL, FUZZ_MEM_SIZE + GUARD_SIZE, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED ||
        mprotect(mem, FUZZ_MEM_SIZE, PROT_READ | PROT_WRITE) != 0) {
        perror("fuzz_elf: guest memory");
        exit(1);
    }
    return 0;
}

/* The file now holds exactly the input, as a unikernel on disk would. */
static void set_file(const uint8_t *data, size_t size)
{
    size_t done = 0;

    if (ftruncate(memfd, 0) != 0) {
        perror("fuzz_elf: ftruncate");
        abort();
    }
    while (done < size) {
        ssize_t n = pwrite(memfd, data + done, size - done, (off_t)done);
        if (n <= 0) {
            perror("fuzz_elf: pwrite");
            abort();
        }
        done += (size_t)n;
    }
}

/* memcmp is intercepted by ASan and fast, unlike a byte loop. */
static int is_zero(const uint8_t *p, uint64_t n)
{
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static int is_loaded(const Elf64_Phdr *ph)
{
    return ph->p_type == PT_LOAD && ph->p_filesz > 0;
}

/* Sections 1 and 2 of docs/elf-validation.md, as seen from the outside. */
static void check_image(const struct elf_image *img, size_t size)
{
    uint64_t prev_end = 0;

    REQUIRE(img->file_size == size);
    REQUIRE(img->entry >= SPT_GUEST_MIN_BASE && img->entry < FUZZ_MEM_SIZE);
    REQUIRE(img->phnum > 0 && img->phnum <= ELF_MAX_PHNUM &&
            img->phdrs != NULL);
    REQUIRE(img->kernel_end <= FUZZ_MEM_SIZE);
    for (unsigned i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];

        if (!is_loaded(ph))
            continue;
        REQUIRE(ph->p_vaddr >= SPT_GUEST_MIN_BASE);
        REQUIRE(ph->p_vaddr >= prev_end); /* sorted and disjoint */
        /* and in pages of their own: each page gets one segment's flags */
        REQUIRE((ph->p_vaddr & ~(NABLA_PAGE_SIZE - 1)) >=
                ((prev_end + NABLA_PAGE_SIZE - 1) & ~(NABLA_PAGE_SIZE - 1)));
        REQUIRE(ph->p_memsz >= ph->p_filesz);
        REQUIRE(ph->p_memsz <= FUZZ_MEM_SIZE - ph->p_vaddr);
        REQUIRE(ph->p_filesz <= size && ph->p_offset <= size - ph->p_filesz);
        REQUIRE(!((ph->p_flags & PF_W) && (ph->p_flags & PF_X)));
        REQUIRE(img->kernel_end >= ph->p_vaddr + ph->p_memsz);
        prev_end = ph->p_vaddr + ph->p_memsz;
    }
}

/* Section 3's rules, checked again on what the tender copied. */
static void check_notes(const struct elf_image *img,
                        const struct solo5_notes *notes)
{
    const struct mft *m = solo5_notes_mft(notes);

    for (unsigned i = 0; i < img->phnum; i++)
        REQUIRE(img->phdrs[i].p_type != PT_NOTE ||
                img->phdrs[i].p_filesz >= 12); /* a whole note header */

    REQUIRE(notes->abi.abi_target == SPT_ABI_TARGET);
    REQUIRE(notes->abi.abi_version == SPT_ABI_VERSION);
    REQUIRE(m->version == MFT_VERSION);
    REQUIRE(m->entries >= 1 && m->entries <= MFT_MAX_ENTRIES);
    REQUIRE(notes->mft_size ==
            sizeof *m + m->entries * sizeof(struct mft_entry));
    REQUIRE(m->e[0].type == MFT_RESERVED_FIRST && m->e[0].name[0] == '\0');
    for (unsigned i = 0; i < m->entries; i++) {
        REQUIRE(m->e[i].attached == 0);
        REQUIRE(memchr(m->e[i].name, '\0', MFT_NAME_SIZE) != NULL);
        if (i == 0)
            continue;
        REQUIRE(m->e[i].type == MFT_DEV_BLOCK_BASIC ||
                m->e[i].type == MFT_DEV_NET_BASIC);
        REQUIRE(m->e[i].name[0] != '\0');
        for (unsigned j = 1; j < i; j++)
            REQUIRE(strcmp(m->e[i].name, m->e[j].name) != 0);
    }
}

/* Loaded bytes are the file's, bss is zero, nothing else was written. */
static void check_memory(const struct elf_image *img, const uint8_t *data)
{
    /* Segments may be left unreadable (p_flags without R): look anyway. */
    REQUIRE(mprotect(mem, FUZZ_MEM_SIZE, PROT_READ | PROT_WRITE) == 0);
    for (unsigned i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];
        const uint8_t *seg;

        if (!is_loaded(ph))
            continue;
        seg = mem + ph->p_vaddr;
        REQUIRE(memcmp(seg, data + ph->p_offset, ph->p_filesz) == 0);
        REQUIRE(is_zero(seg + ph->p_filesz, ph->p_memsz - ph->p_filesz));
    }
    /* Below the image is the tender's (boot info, manifest, cmdline). */
    REQUIRE(is_zero(mem, SPT_GUEST_MIN_BASE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct solo5_notes notes; /* 6.6 KiB, as in the tender */
    struct elf_image img;
    char msg[NABLA_MSG_SIZE] = "";

    set_file(data, size);
    if (elf_check(memfd, FUZZ_MEM_SIZE, &img, msg, sizeof msg) != 0) {
        /* Refused: one message, and nothing left allocated. */
        REQUIRE(img.phdrs == NULL && msg[0] != '\0');
        if (verbose)
            fprintf(stderr, "fuzz_elf: refused: %s\n", msg);
        return 0;
    }
    check_image(&img, size);
    if (elf_read_notes(memfd, &img, &notes, msg, sizeof msg) != 0) {
        REQUIRE(msg[0] != '\0');
        if (verbose)
            fprintf(stderr, "fuzz_elf: refused: %s\n", msg);
        elf_image_free(&img);
        return 0;
    }
    check_notes(&img, &notes);
    if (elf_load_segments(memfd, &img, (uintptr_t)mem, msg, sizeof msg) != 0) {
        /* A checked file must load: only the host can fail here. */
        fprintf(stderr, "fuzz_elf: load failed: %s\n", msg);
        abort();
    }
    check_memory(&img, data);
    if (verbose)
        fprintf(stderr, "fuzz_elf: accepted: entry=0x%llx kernel_end=0x%llx\n",
                (unsigned long long)img.entry,
                (unsigned long long)img.kernel_end);
    /* Fresh zero pages for the next input. */
    REQUIRE(madvise(mem, FUZZ_MEM_SIZE, MADV_DONTNEED) == 0);
    elf_image_free(&img);
    return 0;
}
