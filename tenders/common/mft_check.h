/* mft_check.h: validation of a Solo5 manifest (MFT v1) from a file. */
#ifndef NABLA_MFT_CHECK_H
#define NABLA_MFT_CHECK_H

#include <stddef.h>

#include "spt_abi.h"

/* Bytes of the largest valid manifest: the header and 64 entries. */
#define MFT_MAX_SIZE                                                           \
    (sizeof(struct mft) + MFT_MAX_ENTRIES * sizeof(struct mft_entry))

/*
 * Returns 0 when the size bytes at mft form a manifest as it must appear in
 * an executable (docs/elf-validation.md section 3, manifest rules), else -1.
 * Every failure has one message, "Solo5 manifest is invalid", so there is
 * none to return; mft must be 8-byte aligned.
 */
int mft_check(const struct mft *mft, size_t size);

/* "BLOCK_BASIC", "NET_BASIC" or "UNKNOWN", as upstream names the types. */
const char *mft_type_name(uint32_t type);

#endif /* NABLA_MFT_CHECK_H */
