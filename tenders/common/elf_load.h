/* elf_load.h: ELF header and loadable segment checks, and segment loading. */
#ifndef NABLA_ELF_LOAD_H
#define NABLA_ELF_LOAD_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest pages are 4 KiB on x86_64; mprotect works on these. */
#define NABLA_PAGE_SIZE 0x1000ull

/*
 * Row #12: at most 64 KiB of program headers (1170), the bound Linux's own
 * ELF loader puts on a table (fs/binfmt_elf.c). Real Solo5 images have about
 * nine; the bound keeps every accepted file loadable, since each loaded
 * segment costs at most two mappings (vm.max_map_count defaults to 65530).
 */
#define ELF_MAX_PHNUM ((unsigned)(65536 / sizeof(Elf64_Phdr)))

/* What elf_check learnt about a file, for the loader and the note walk. */
struct elf_image {
    uint64_t file_size;  /* from fstat at check time */
    uint64_t entry;      /* e_entry, already checked against mem_size */
    uint64_t kernel_end; /* highest p_vaddr + p_memsz, rounded to p_align */
    uint16_t phnum;      /* entries in phdrs */
    Elf64_Phdr *phdrs;   /* our own copy of the program header table */
};

/*
 * Runs the checks of docs/elf-validation.md sections 1 and 2, in that order,
 * on the file open at fd, for a guest of mem_size bytes. On success fills img
 * (free it with elf_image_free) and returns 0; otherwise writes the message
 * (the text after "F: ") into msg and returns -1.
 *
 * The loader later works from img's copy of the program headers, never from
 * a second read, so a file changed behind our back cannot bypass the checks.
 */
int elf_check(int fd, uint64_t mem_size, struct elf_image *img, char *msg,
              size_t msg_size);

/*
 * Copies every checked segment (PT_LOAD with p_filesz > 0) to host address
 * mem_base + p_vaddr, zeroes it up to p_memsz, then sets each segment's pages
 * to exactly its p_flags. mem_base + [0, mem_size) must be mapped read-write
 * and page aligned. Returns 0, or -1 with a message.
 */
int elf_load_segments(int fd, const struct elf_image *img, uintptr_t mem_base,
                      char *msg, size_t msg_size);

void elf_image_free(struct elf_image *img);

/* Whether a program header is one the loader checks and loads (PT_LOAD with
 * p_filesz > 0, as upstream Solo5 decides). */
bool elf_is_loaded(const Elf64_Phdr *ph);

/* The mprotect flags for a segment's p_flags (R, W, X each as given). */
int elf_segment_prot(uint32_t p_flags);

#endif /* NABLA_ELF_LOAD_H */
