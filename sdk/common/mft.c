/* mft.c: device lookup by name or handle in the manifest filled in at start. */
#include "core.h"

/* One bit per manifest index; a device may be acquired only once. */
static uint64_t acquired;

static uint32_t mft_entries(void)
{
    uint32_t n = sdk_host.mft->entries;
    /* The tender validated the manifest; clamp anyway to stay in bounds. */
    return n > MFT_MAX_ENTRIES ? MFT_MAX_ENTRIES : n;
}

const struct mft_entry *mft_entry_by_handle(solo5_handle_t handle,
                                            uint32_t type)
{
    /* Entry 0 is RESERVED_FIRST and never a device. */
    if (handle == 0 || handle >= mft_entries())
        return NULL;
    const struct mft_entry *e = &sdk_host.mft->e[handle];
    if (e->type != type || !e->attached)
        return NULL;
    return e;
}

solo5_result_t mft_acquire(const char *name, uint32_t type,
                           solo5_handle_t *handle,
                           const struct mft_entry **entry)
{
    if (name == NULL || handle == NULL || strlen(name) > MFT_NAME_MAX)
        return SOLO5_R_EINVAL;
    for (uint32_t i = 1; i < mft_entries(); i++) {
        const struct mft_entry *e = &sdk_host.mft->e[i];
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

void mft_log_devices(void)
{
    for (uint32_t i = 1; i < mft_entries(); i++) {
        const struct mft_entry *e = &sdk_host.mft->e[i];
        if (e->type == MFT_DEV_BLOCK_BASIC)
            log_printf(LOG_DEBUG,
                       "Solo5: device %u: block '%s', %llu bytes in blocks "
                       "of %u%s\n",
                       i, e->name,
                       (unsigned long long)e->u.block_basic.capacity,
                       e->u.block_basic.block_size,
                       e->attached ? "" : " (not attached)");
        else if (e->type == MFT_DEV_NET_BASIC)
            log_printf(LOG_DEBUG, "Solo5: device %u: net '%s', mtu %u%s\n", i,
                       e->name, e->u.net_basic.mtu,
                       e->attached ? "" : " (not attached)");
    }
}
