/* engine_image.h: a template's image: loaded once, mapped copy-on-write. */
#ifndef NABLA_ENGINE_IMAGE_H
#define NABLA_ENGINE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf_load.h"
#include "elf_notes.h"
#include "engine_ns.h"
#include "nabla_engine.h"

/* A loaded segment's pages and the protection they get (elf_load.c's). */
struct engine_segment {
    uint64_t start; /* page aligned */
    uint64_t end;   /* page aligned, > start */
    uint32_t prot;  /* PROT_READ | PROT_WRITE | PROT_EXEC, never W and X */
    uint32_t pad;   /* 0 */
};

struct engine_image {
    /* From the IMAGE request (checked by engine_image_prepare). */
    uint64_t mem_size;
    uint32_t flags; /* NABLA_PLAN_F_X_EXEC_HEAP or 0 */
    uint32_t uid, gid, namespaces;
    char kernel_path[NABLA_PLAN_MAX_PATH_SIZE];
    /* What the helper found and loaded, checked again here. */
    int memfd;           /* sealed, >= NABLA_PLAN_FD_LIMIT */
    uint64_t image_size; /* bytes of memfd: guest memory from 0x100000 */
    uint64_t entry;
    uint64_t kernel_end;
    unsigned nseg;
    struct engine_segment seg[ELF_MAX_PHNUM];
    struct solo5_notes notes; /* the manifest, as the tender copies it */
    struct engine_ns ns;      /* the namespaces its guests enter */
};

/*
 * Takes the IMAGE request (req, its payload) and the ELF at elf_fd (closed
 * here) and makes the image: a helper process gives up its privileges as a
 * guest of this image would (making the namespaces the guests will enter),
 * checks the ELF exactly as the tender does, and copies the segments' file
 * bytes into a memfd; the template checks what it reports, seals the memfd
 * and keeps the helper's namespaces. 0, or -1 with the message (the text
 * after "prog: ", the tender's own for a bad ELF) in msg.
 */
int engine_image_prepare(struct engine_image *im,
                         const struct nabla_engine_image *req,
                         const char *payload_path, int elf_fd, char *msg,
                         size_t msg_size);

/*
 * In a guest: maps guest memory as the tender does (guest_mem_map), then
 * the image over [0x100000, 0x100000 + image_size) as a private (copy-on-
 * write) mapping of the sealed memfd, and gives each segment its
 * protection. Exits with one line on failure.
 */
void engine_image_map(const struct engine_image *im);

#endif /* NABLA_ENGINE_IMAGE_H */
