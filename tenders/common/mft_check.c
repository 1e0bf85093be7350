/* mft_check.c: validation of a Solo5 manifest (MFT v1) from a file. */
/*
 * The manifest is what the tender trusts to tell the guest which devices
 * exist, and its copy ends up in guest memory with host descriptors filled
 * in, so a malformed one is refused before anything else is set up.
 */
#include <stdbool.h>
#include <string.h>

#include "mft_check.h"

_Static_assert(MFT_MAX_SIZE == 6664, "64 entries and the header");
_Static_assert(MFT_MAX_SIZE + MFT_NOTE_DESC_PAD ==
                   SOLO5_NOTE_MANIFEST_MAX_DESCSZ,
               "the largest MFT1 descriptor holds the largest manifest");

static bool entry_name_empty(const struct mft_entry *e)
{
    return e->name[0] == '\0';
}

int mft_check(const struct mft *mft, size_t size)
{
    if (size < sizeof *mft)
        return -1;
    if (mft->version != MFT_VERSION)
        return -1;
    if (mft->entries < 1 || mft->entries > MFT_MAX_ENTRIES)
        return -1;
    /* entries <= 64, so the product cannot overflow. */
    if (size != sizeof *mft + mft->entries * sizeof(struct mft_entry))
        return -1;

    /* Entry 0 only reserves handle 0, so no device can be "handle 0". */
    if (mft->e[0].type != MFT_RESERVED_FIRST || !entry_name_empty(&mft->e[0]))
        return -1;
    for (unsigned i = 0; i < mft->entries; i++) {
        const struct mft_entry *e = &mft->e[i];

        /* A name must end inside its field; attached is ours to set. */
        if (e->name[MFT_NAME_SIZE - 1] != '\0' || e->attached != 0)
            return -1;
        if (i == 0)
            continue;
        if (e->type != MFT_DEV_BLOCK_BASIC && e->type != MFT_DEV_NET_BASIC)
            return -1;
        if (entry_name_empty(e))
            return -1;
        /* Names select devices on the command line: they must be unique. */
        for (unsigned j = 1; j < i; j++)
            if (strcmp(mft->e[j].name, e->name) == 0)
                return -1;
    }
    return 0;
}

const char *mft_type_name(uint32_t type)
{
    switch (type) {
    case MFT_DEV_BLOCK_BASIC:
        return "BLOCK_BASIC";
    case MFT_DEV_NET_BASIC:
        return "NET_BASIC";
    default:
        return "UNKNOWN";
    }
}
