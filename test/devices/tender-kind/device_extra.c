/* device_extra.c: a throw-away device kind, added to a copy of the list. */
/*
 * What a new kind writes (docs/adding-a-device.md): a struct device_kind
 * with its type and its hooks. This one has no descriptor to check and
 * uses no field of the plan entry, so it refuses any it finds set.
 */
#include "../../../tenders/spt/device.h"
#include "msg.h"

#define MFT_DEV_EXTRA 3u

static int check_entry(const struct nabla_plan_device *d, char *why,
                       size_t why_size)
{
    if (d->capacity != 0 || d->block_size != 0 || d->mtu != 0)
        return nabla_msg(why, why_size, "an extra device with fields set");
    return 0;
}

static void fill_entry(struct mft_entry *e, const struct nabla_plan_device *d)
{
    (void)e;
    (void)d;
}

const struct device_kind device_extra = {
    .mft_type = MFT_DEV_EXTRA,
    .check_entry = check_entry,
    .check_source = NULL,
    .fill_entry = fill_entry,
    .check_take = NULL,
    .polled = false,
};
