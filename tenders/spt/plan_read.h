/* plan_read.h: reading the launch plan and checking every field of it. */
#ifndef NABLA_PLAN_READ_H
#define NABLA_PLAN_READ_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "nabla_plan.h"

/* A checked plan: views into one buffer that stays alive until the jump. */
struct plan {
    const struct nabla_plan_header *hdr;
    const struct nabla_plan_device *devices; /* hdr->device_count of them */
    const struct sock_filter *bpf;
    unsigned short bpf_len; /* instructions */
    const char *cmdline;    /* NUL-terminated, hdr->cmdline_size bytes */
    const char *kernel_path;
};

/*
 * Reads the whole plan from plan_fd into a new buffer and checks it with
 * plan_check, then checks what each device's descriptor holds where its
 * kind says (device.h: check_source; a block device holds a regular file).
 * Returns 0, or -1 with the message (the text after "prog: ") in msg.
 */
int plan_read(int plan_fd, struct plan *out, char *msg, size_t msg_size);

/*
 * Checks the size bytes at buf (8-byte aligned) as a plan handed over on
 * descriptor plan_fd, and fills out with views into buf. Returns 0, or -1
 * with "invalid launch plan: ..." (or the command line length message) in
 * msg. Separate from plan_read so that a fuzz harness can call it.
 */
int plan_check(const uint8_t *buf, size_t size, int plan_fd, struct plan *out,
               char *msg, size_t msg_size);

/*
 * The second half of plan_read, for a plan checked by plan_check whose
 * descriptors are now at their source numbers (a template's guest): what
 * each device's descriptor holds. 0, or -1 with "invalid launch plan: ...".
 */
int plan_check_sources(const struct plan *p, char *msg, size_t msg_size);

#endif /* NABLA_PLAN_READ_H */
