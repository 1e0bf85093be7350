/* elf_load.c: ELF header and loadable segment checks, and segment loading. */
/*
 * The unikernel is untrusted input even though the orchestrator checked it
 * first: the plan may come from elsewhere and the file may have changed. The
 * checks, their order and their texts are fixed by docs/elf-validation.md,
 * because the TypeScript checker must print the very same line; the numbers
 * in comments below (#1..#25) are the rows of that document.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "spt_abi.h"
#include "elf_load.h"
#include "io.h"
#include "msg.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the loader reads ELF64 little-endian structures in host order"
#endif

#define INV "invalid executable: "

static bool is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

static uint64_t page_down(uint64_t v)
{
    return v & ~(NABLA_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t v)
{
    return (v + NABLA_PAGE_SIZE - 1) & ~(NABLA_PAGE_SIZE - 1);
}

/* Rows #1-#14: the file header, and reading the program header table. */
static int check_header(int fd, uint64_t mem_size, struct elf_image *img,
                        char *msg, size_t msg_size)
{
    Elf64_Ehdr eh;
    struct stat st;
    uint64_t ph_bytes, ph_end;

    if (fstat(fd, &st) != 0)
        return nabla_msg(msg, msg_size, "Could not read: %s", strerror(errno));
    img->file_size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    if (img->file_size < sizeof eh) /* #1 */
        return nabla_msg(msg, msg_size,
                         INV "file too small for an ELF header (%llu bytes)",
                         (unsigned long long)img->file_size);
    if (nabla_read_exact(fd, &eh, sizeof eh, 0, msg, msg_size) != 0)
        return -1;

    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) /* #2 */
        return nabla_msg(msg, msg_size, INV "bad ELF magic");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64) /* #3 */
        return nabla_msg(msg, msg_size,
                         INV "not a 64-bit ELF file (EI_CLASS %u)",
                         eh.e_ident[EI_CLASS]);
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) /* #4 */
        return nabla_msg(msg, msg_size,
                         INV "not a little-endian ELF file (EI_DATA %u)",
                         eh.e_ident[EI_DATA]);
    if (eh.e_ident[EI_VERSION] != EV_CURRENT) /* #5 */
        return nabla_msg(msg, msg_size,
                         INV "unsupported ELF version (EI_VERSION %u)",
                         eh.e_ident[EI_VERSION]);
    if (eh.e_type != ET_EXEC) /* #6 */
        return nabla_msg(msg, msg_size,
                         INV "not a static executable (e_type %u, expected "
                             "ET_EXEC 2)",
                         eh.e_type);
    if (eh.e_machine != EM_X86_64) /* #7 */
        return nabla_msg(msg, msg_size,
                         INV "not an x86_64 executable (e_machine %u, "
                             "expected 62)",
                         eh.e_machine);
    if (eh.e_version != EV_CURRENT) /* #8 */
        return nabla_msg(msg, msg_size,
                         INV "unsupported ELF version (e_version %u)",
                         eh.e_version);
    if (eh.e_ehsize != sizeof(Elf64_Ehdr)) /* #9 */
        return nabla_msg(msg, msg_size,
                         INV "bad ELF header size (e_ehsize %u, expected 64)",
                         eh.e_ehsize);
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) /* #10 */
        return nabla_msg(msg, msg_size,
                         INV "bad program header size (e_phentsize %u, "
                             "expected 56)",
                         eh.e_phentsize);
    if (eh.e_phnum == 0) /* #11 */
        return nabla_msg(msg, msg_size, INV "no program headers");
    if (eh.e_phnum > ELF_MAX_PHNUM) /* #12 */
        return nabla_msg(msg, msg_size,
                         INV "too many program headers (e_phnum %u, at most "
                             "%u)",
                         eh.e_phnum, ELF_MAX_PHNUM);
    /* e_phnum is small, so the product cannot overflow; the sum can. */
    ph_bytes = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (__builtin_add_overflow(eh.e_phoff, ph_bytes, &ph_end) ||
        ph_end > img->file_size) /* #13 */
        return nabla_msg(msg, msg_size,
                         INV "program headers lie outside the file (e_phoff "
                             "0x%llx, e_phnum %u, file size 0x%llx)",
                         (unsigned long long)eh.e_phoff, eh.e_phnum,
                         (unsigned long long)img->file_size);
    if (eh.e_entry < SPT_GUEST_MIN_BASE || eh.e_entry >= mem_size) /* #14 */
        return nabla_msg(msg, msg_size,
                         INV "e_entry does not fall within the memory "
                             "allocation range (e_entry 0x%llx, range "
                             "0x%llx-0x%llx)",
                         (unsigned long long)eh.e_entry, SPT_GUEST_MIN_BASE,
                         (unsigned long long)mem_size);
    img->entry = eh.e_entry;

    /* At most 64 KiB (row #12), and never more than the file. */
    img->phdrs = malloc(ph_bytes);
    if (img->phdrs == NULL)
        return nabla_msg(msg, msg_size,
                         "Could not read: out of memory for %u program "
                         "headers",
                         eh.e_phnum);
    img->phnum = eh.e_phnum;
    return nabla_read_exact(fd, img->phdrs, ph_bytes, eh.e_phoff, msg,
                            msg_size);
}

/* Only these segments are checked and loaded, as upstream Solo5 does. */
bool elf_is_loaded(const Elf64_Phdr *ph)
{
    return ph->p_type == PT_LOAD && ph->p_filesz > 0;
}

/* Rows #15-#25, for each loaded segment in table order; sets kernel_end. */
static int check_segments(uint64_t mem_size, struct elf_image *img, char *msg,
                          size_t msg_size)
{
    bool have_prev = false;
    uint64_t prev_vaddr = 0, prev_end = 0;

    img->kernel_end = 0;
    for (unsigned i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];
        uint64_t file_end, end, rounded = 0, start;

        if (!elf_is_loaded(ph))
            continue;
        if (ph->p_memsz < ph->p_filesz) /* #15 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: p_memsz 0x%llx is smaller "
                                 "than p_filesz 0x%llx",
                             i, (unsigned long long)ph->p_memsz,
                             (unsigned long long)ph->p_filesz);
        if (ph->p_align != 0 && !is_pow2(ph->p_align)) /* #16 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: p_align 0x%llx is not a power "
                                 "of two",
                             i, (unsigned long long)ph->p_align);
        if (ph->p_vaddr < SPT_GUEST_MIN_BASE) /* #17 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: p_vaddr 0x%llx is below "
                                 "0x%llx",
                             i, (unsigned long long)ph->p_vaddr,
                             SPT_GUEST_MIN_BASE);
        if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &file_end) ||
            file_end > img->file_size) /* #18 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: file range lies outside the "
                                 "file (p_offset 0x%llx, p_filesz 0x%llx, "
                                 "file size 0x%llx)",
                             i, (unsigned long long)ph->p_offset,
                             (unsigned long long)ph->p_filesz,
                             (unsigned long long)img->file_size);
        /* p_align 0 and 1 both mean "no alignment": nothing to round. */
        if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
            (ph->p_align > 1 &&
             __builtin_add_overflow(end, ph->p_align - 1, &rounded))) /* #19 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: address range overflows "
                                 "(p_vaddr 0x%llx, p_memsz 0x%llx, p_align "
                                 "0x%llx)",
                             i, (unsigned long long)ph->p_vaddr,
                             (unsigned long long)ph->p_memsz,
                             (unsigned long long)ph->p_align);
        if (end > mem_size) /* #20 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: ends at 0x%llx, beyond the "
                                 "memory size 0x%llx",
                             i, (unsigned long long)end,
                             (unsigned long long)mem_size);
        /*
         * #21: the extent p_align gives the segment stays in guest memory;
         * its end is kernel_end, which the guest takes as its heap start.
         * p_align 0 and 1 round nothing.
         */
        start = ph->p_align > 1 ? ph->p_vaddr & -ph->p_align : ph->p_vaddr;
        rounded = ph->p_align > 1 ? rounded & -ph->p_align : end;
        if (start < SPT_GUEST_MIN_BASE || rounded > mem_size)
            return nabla_msg(msg, msg_size,
                             INV "segment %u: p_align 0x%llx extends it to "
                                 "0x%llx-0x%llx, outside guest memory "
                                 "0x%llx-0x%llx",
                             i, (unsigned long long)ph->p_align,
                             (unsigned long long)start,
                             (unsigned long long)rounded, SPT_GUEST_MIN_BASE,
                             (unsigned long long)mem_size);
        if (have_prev && ph->p_vaddr < prev_vaddr) /* #22 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: not sorted by p_vaddr (0x%llx "
                                 "after 0x%llx)",
                             i, (unsigned long long)ph->p_vaddr,
                             (unsigned long long)prev_vaddr);
        if (have_prev && ph->p_vaddr < prev_end) /* #23 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: overlaps the previous segment "
                                 "(starts at 0x%llx, previous ends at "
                                 "0x%llx)",
                             i, (unsigned long long)ph->p_vaddr,
                             (unsigned long long)prev_end);
        /*
         * #24: a page has one protection, so two segments in one page would
         * give one of them the other's (text made writable or data
         * executable). end <= mem_size: rounding up cannot overflow.
         */
        if (have_prev && page_down(ph->p_vaddr) < page_up(prev_end))
            return nabla_msg(msg, msg_size,
                             INV "segment %u: shares page 0x%llx with the "
                                 "previous segment (starts at 0x%llx, "
                                 "previous ends at 0x%llx)",
                             i, (unsigned long long)page_down(ph->p_vaddr),
                             (unsigned long long)ph->p_vaddr,
                             (unsigned long long)prev_end);
        if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X)) /* #25 */
            return nabla_msg(msg, msg_size,
                             INV "segment %u: asks for write and execute "
                                 "(p_flags 0x%x)",
                             i, ph->p_flags);

        if (rounded > img->kernel_end)
            img->kernel_end = rounded;
        have_prev = true;
        prev_vaddr = ph->p_vaddr;
        prev_end = end;
    }
    return 0;
}

int elf_check(int fd, uint64_t mem_size, struct elf_image *img, char *msg,
              size_t msg_size)
{
    memset(img, 0, sizeof *img);
    if (check_header(fd, mem_size, img, msg, msg_size) != 0 ||
        check_segments(mem_size, img, msg, msg_size) != 0) {
        elf_image_free(img);
        return -1;
    }
    return 0;
}

int elf_segment_prot(uint32_t p_flags)
{
    int prot = PROT_NONE;

    if (p_flags & PF_R)
        prot |= PROT_READ;
    if (p_flags & PF_W)
        prot |= PROT_WRITE;
    if (p_flags & PF_X)
        prot |= PROT_EXEC;
    return prot;
}

int elf_load_segments(int fd, const struct elf_image *img, uintptr_t mem_base,
                      char *msg, size_t msg_size)
{
    /*
     * Copy everything first and change protections afterwards, so that no
     * write ever meets a page already made read-only (check_segments keeps
     * segments in pages of their own, #24, so this is belt and braces).
     */
    for (unsigned i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];
        uint8_t *dst;

        if (!elf_is_loaded(ph))
            continue;
        dst = (uint8_t *)(mem_base + ph->p_vaddr);
        if (nabla_read_exact(fd, dst, ph->p_filesz, ph->p_offset, msg,
                             msg_size))
            return -1;
        /* bss: the spec says zero, whatever the memory held before. */
        memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
    }
    /*
     * Each segment's pages get exactly its p_flags: no W+X (#25), and no
     * page holds two segments (#24). At most ELF_MAX_PHNUM segments (#12),
     * so at most 2 * 1170 + 1 mappings, far below vm.max_map_count.
     */
    for (unsigned i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];
        uint64_t start, end;

        if (!elf_is_loaded(ph))
            continue;
        start = ph->p_vaddr & ~(NABLA_PAGE_SIZE - 1);
        /* p_vaddr + p_memsz <= mem_size < 2^40 was checked: no overflow. */
        end = (ph->p_vaddr + ph->p_memsz + NABLA_PAGE_SIZE - 1) &
              ~(NABLA_PAGE_SIZE - 1);
        if (mprotect((void *)(mem_base + start), end - start,
                     elf_segment_prot(ph->p_flags)) != 0)
            return nabla_msg(msg, msg_size,
                             "Could not protect segment %u (0x%llx-0x%llx): "
                             "%s",
                             i, (unsigned long long)start,
                             (unsigned long long)end, strerror(errno));
    }
    return 0;
}

void elf_image_free(struct elf_image *img)
{
    free(img->phdrs);
    img->phdrs = NULL;
    img->phnum = 0;
}
