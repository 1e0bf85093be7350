/* device_list.c: the device kinds the tender knows, and finding one. */
#include <stdio.h>

#include "device.h"
#include "mft_check.h"

/* Each kind's file defines one of these; a new kind adds a line here... */
extern const struct device_kind device_block;
extern const struct device_kind device_net;

/* ...and one here. Messages list the kinds in this order. */
static const struct device_kind *const kinds[] = {
    &device_block,
    &device_net,
};

#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

const struct device_kind *device_kind_of(uint32_t type)
{
    for (size_t i = 0; i < KIND_COUNT; i++)
        if (kinds[i]->mft_type == type)
            return kinds[i];
    return NULL;
}

/* What comes before the i-th name: "neither A (1) nor B (2)" for two. */
static const char *joiner(size_t i)
{
    if (i > 0)
        return KIND_COUNT == 2 ? " nor " : ", ";
    if (KIND_COUNT == 1)
        return "not ";
    return KIND_COUNT == 2 ? "neither " : "none of ";
}

void device_kinds_describe(char *buf, size_t size)
{
    size_t used = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < KIND_COUNT && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s (%u)", joiner(i),
                         mft_type_name(kinds[i]->mft_type),
                         (unsigned)kinds[i]->mft_type);

        if (n < 0)
            return;
        used += (size_t)n;
    }
}
