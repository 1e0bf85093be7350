/* elf_notes.h: finding the Solo5 ABI1 and MFT1 notes and checking them. */
#ifndef NABLA_ELF_NOTES_H
#define NABLA_ELF_NOTES_H

#include <stddef.h>
#include <stdint.h>

#include "spt_abi.h"
#include "elf_load.h"
#include "mft_check.h"

/* The two notes of a valid spt executable, copied out of the file. */
struct solo5_notes {
    struct abi1_info abi;
    uint32_t mft_size; /* bytes of the manifest in mft_buf */
    /* Held as u64 so that struct mft inside is 8-byte aligned. */
    uint64_t mft_buf[(MFT_MAX_SIZE + 7) / 8];
};

static inline const struct mft *solo5_notes_mft(const struct solo5_notes *n)
{
    return (const struct mft *)n->mft_buf;
}

/*
 * Runs the checks of docs/elf-validation.md section 3 on a file that passed
 * elf_check: finds ABI1 (target spt, version 2) and MFT1, copies both into
 * out and validates the manifest. Returns 0, or -1 with the message (the text
 * after "F: ") in msg.
 */
int elf_read_notes(int fd, const struct elf_image *img, struct solo5_notes *out,
                   char *msg, size_t msg_size);

#endif /* NABLA_ELF_NOTES_H */
