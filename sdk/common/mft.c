/* mft.c: device lookup in the manifest the tender filled in at boot. */
#include "bindings.h"

/* One bit per manifest index; a device may be acquired only once. */
static uint64_t acquired;

static const struct mft *mft_get(void)
{
    return spt_bi->mft;
}

static uint32_t mft_entries(void)
{
    uint32_t n = mft_get()->entries;
    /* The tender validated the manifest; clamp anyway to stay in bounds. */
    return n > MFT_MAX_ENTRIES ? MFT_MAX_ENTRIES : n;
}

struct mft_entry *mft_entry_by_handle(solo5_handle_t handle, uint32_t type)
{
    /* Entry 0 is RESERVED_FIRST and never a device. */
    if (handle == 0 || handle >= mft_entries())
        return NULL;
    struct mft_entry *e = (struct mft_entry *)&mft_get()->e[handle];
    if (e->type != type || !e->attached)
        return NULL;
    return e;
}

solo5_result_t mft_acquire(const char *name, uint32_t type,
                           solo5_handle_t *handle, struct mft_entry **entry)
{
    if (name == NULL || handle == NULL || strlen(name) > MFT_NAME_MAX)
        return SOLO5_R_EINVAL;
    for (uint32_t i = 1; i < mft_entries(); i++) {
        struct mft_entry *e = (struct mft_entry *)&mft_get()->e[i];
        if (strcmp(e->name, name) != 0)
            continue;
        /* Names are unique, so the first match is the only candidate. */
        if (e->type != type || !e->attached || (acquired & (1ull << i)))
            return SOLO5_R_EINVAL;
        acquired |= 1ull << i;
        *handle = i;
        *entry = e;
        return SOLO5_R_OK;
    }
    return SOLO5_R_EINVAL;
}
