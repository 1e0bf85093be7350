/* device.h: what the tender does for one device kind, and the list of kinds. */
/*
 * Each device kind (BLOCK_BASIC, NET_BASIC, ...) is one file, device_*.c,
 * defining one struct device_kind; device_list.c lists them. The generic
 * code (plan_read.c, guest_mem.c, devices.c) finds a plan entry's kind by
 * its type and calls the kind's hooks at its own steps (the numbers are
 * main.c's), so it never names a kind itself. docs/adding-a-device.md says
 * what a new kind needs.
 *
 * The hooks print nothing and never exit: each returns 0, or -1 with the
 * reason in why, and the caller adds the device number and the descriptor
 * to make the message. That keeps the checks callable from the fuzz harness
 * (tenders/fuzz/fuzz_plan.c), which links them without the tender's report.c.
 */
#ifndef NABLA_DEVICE_H
#define NABLA_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spt_abi.h"
#include "nabla_plan.h"

struct device_kind {
    /* MFT_DEV_*: the type of the plan entry and of its manifest entry. */
    uint32_t mft_type;
    /*
     * Step 2 (plan_check): the kind's own fields of a plan entry, and that
     * the fields of other kinds are zero. No syscall: the fuzz harness
     * calls it. The caller has checked the generic fields (mft_index,
     * source_fd, host_fd, reserved).
     */
    int (*check_entry)(const struct nabla_plan_device *d, char *why,
                       size_t why_size);
    /*
     * Step 2 (plan_read), after the whole plan is checked: what the
     * descriptor at source_fd must hold. NULL: nothing is checked there.
     */
    int (*check_source)(int fd, char *why, size_t why_size);
    /*
     * Step 8: the kind's part of its manifest entry (the union u). The
     * caller has matched the types and sets hostfd and attached itself.
     */
    void (*fill_entry)(struct mft_entry *e, const struct nabla_plan_device *d);
    /*
     * Step 9, just before the descriptor at source_fd moves to host_fd.
     * NULL: nothing is checked there.
     */
    int (*check_take)(int fd, char *why, size_t why_size);
    /*
     * Step 10: host_fd joins the epoll set, reporting the manifest index,
     * because the guest waits for its input in solo5_yield.
     */
    bool polled;
};

/* The kind whose mft_type is type, or NULL if no kind has it. */
const struct device_kind *device_kind_of(uint32_t type);

/*
 * Writes the known types for a message about an unknown one, as in "type 9
 * is <text>": "neither BLOCK_BASIC (1) nor NET_BASIC (2)".
 */
void device_kinds_describe(char *buf, size_t size);

#endif /* NABLA_DEVICE_H */
