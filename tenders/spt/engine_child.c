/* engine_child.c: a template's guest: the tender's steps, from an image. */
/*
 * What runs in the new process a template made for one LAUNCH request
 * (engine_main.c): everything the tender does for its guest (main.c) that
 * cannot be shared, with the tender's own functions, in the tender's order.
 * The plan was checked by plan_check in the template before the process
 * existed; the ELF was checked, loaded and its namespaces made once, by the
 * template's image helper (engine_image.c); the register reset was
 * prepared once (xstate.c) and the vDSO found once (addr_space.c). The steps,
 * and why in this order (main.c's numbers in brackets):
 *
 *  E1. The request's descriptors at the numbers the plan names: 0, 1, 2,
 *      then each device's source_fd, then the cgroup.procs descriptors from
 *      cgroup_fd on, as a tender started by run() finds them [1]. First, so
 *      that every failure from here on is reported on the guest's own
 *      stderr, as the tender's would be.
 *  E2. What each device's descriptor holds (a block device is a regular
 *      file), as plan_read does [2]; whether to be verbose; the control
 *      groups joined (cgroup_join.c) before the ids change and before the
 *      guest's memory is mapped [2].
 *  E3. Ids, namespaces, capabilities: privilege_enter, the tender's steps
 *      with the template's namespaces entered instead of made [3].
 *  E4. The parent-death signal, after E3 whose uid change clears it [4].
 *      The parent is the orchestrator (the template starts us with
 *      CLONE_PARENT), so the guest dies with it as a tender's would.
 *  E5. The timeout watchdog, when the plan has one [5].
 *  E6. Guest memory, with the image mapped copy-on-write from the
 *      template's sealed memfd and each segment's protection [6, 7].
 *  E7. The manifest and command line into guest memory [8].
 *  E8. Devices to their numbers; every other descriptor closed: the
 *      template's socket, image and namespaces too, used by now [9].
 *  E9. The epoll set and timerfd [10]. E10. The boot info [11].
 * E11. Resource limits [12]. E12. Dumpable as the plan says [13].
 * E13. nabla_enter_guest: the last stage [14], the same function the
 *      tender ends with: everything but guest memory, the vDSO and the
 *      trampoline unmapped (the template's socket, image memfd mapping,
 *      libc and stack included), the filter, the jump. The vDSO's place
 *      and the register reset come from the template (engine_main.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_join.h"
#include "devices.h"
#include "engine_child.h"
#include "guest_mem.h"
#include "launch.h"
#include "msg.h"
#include "privilege.h"
#include "proc_limits.h"
#include "report.h"
#include "text_escape.h"
#include "watchdog.h"

/*
 * E1. The request's descriptors arrived at whatever numbers were free in
 * the template; the plan's numbers may be among them (a swap, a cycle). So,
 * as devices.c does: copy each above every number involved, then dup2 the
 * copies to their places and close the copies. The template's own
 * descriptors are all >= NABLA_PLAN_FD_LIMIT, above every plan number, and
 * never replaced here.
 */
static void place_descriptors(const struct plan *plan, const int *fds,
                              unsigned n)
{
    int want[NABLA_ENGINE_MAX_FDS], tmp[NABLA_ENGINE_MAX_FDS];
    int base = 3;

    for (unsigned i = 0; i < n; i++) {
        unsigned dev = i - 3; /* after stdio: devices, then cgroups */

        if (i < 3)
            want[i] = (int)i;
        else if (dev < plan->hdr->device_count)
            want[i] = plan->devices[dev].source_fd;
        else
            want[i] =
                plan->hdr->cgroup_fd + (int)(dev - plan->hdr->device_count);
        if (want[i] >= base)
            base = want[i] + 1;
        if (fds[i] >= base)
            base = fds[i] + 1;
    }
    for (unsigned i = 0; i < n; i++) {
        tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, base);
        if (tmp[i] < 0)
            fail("cannot take the request's descriptor %u: %s", i,
                 strerror(errno));
    }
    /* dup2 clears close-on-exec on the new number, as a spawned tender's. */
    for (unsigned i = 0; i < n; i++) {
        if (dup2(tmp[i], want[i]) < 0)
            fail("cannot move the request's descriptor %u to %d: %s", i,
                 want[i], strerror(errno));
        close(tmp[i]);
    }
}

void engine_child_run(const struct engine_image *im, const struct plan *plan,
                      const int *fds, unsigned nfds,
                      const struct launch *shared)
{
    const struct nabla_plan_header *h = plan->hdr;
    char msg[NABLA_MSG_SIZE];
    pid_t parent = getppid();
    struct launch l = *shared;

    /* E1. */
    place_descriptors(plan, fds, nfds);

    /* E2. */
    if (plan_check_sources(plan, msg, sizeof msg) != 0)
        fail("%s", msg);
    report_verbose((h->flags & NABLA_PLAN_F_VERBOSE) != 0);
    note("plan: version %u, %u device%s, %u filter instructions; checked by "
         "the template, which started this guest",
         h->version, h->device_count, h->device_count == 1 ? "" : "s",
         plan->bpf_len);
    cgroup_join(plan);

    /* E3. */
    privilege_enter(plan, &im->ns);

    /* E4. */
    supervision_arm(plan, parent);

    /* E5. */
    watchdog_start(plan);

    /* E6. */
    engine_image_map(im);
    if (report_is_verbose()) {
        char shown[TEXT_ESCAPE_SIZE(NABLA_PLAN_MAX_PATH_SIZE)];

        note("kernel: %s mapped copy-on-write from the template's image "
             "(%llu KiB, checked once) into %llu MiB of guest memory, entry "
             "0x%llx",
             text_escape(shown, sizeof shown, plan->kernel_path),
             (unsigned long long)(im->image_size >> 10),
             (unsigned long long)(h->mem_size >> 20),
             (unsigned long long)im->entry);
    }

    /* E7. */
    guest_mem_write_manifest(plan, &im->notes);

    /* E8. */
    devices_map(plan, NABLA_ENGINE_PLAN_FD);

    /* E9. */
    devices_events(plan);
    note("descriptors: 0-2 console, %d epoll, %d timerfd, %u device%s; all "
         "others closed",
         h->epoll_fd, h->timer_fd, h->device_count,
         h->device_count == 1 ? "" : "s");

    /* E10. */
    guest_mem_write_boot_info(plan, im->kernel_end);

    /* E11. */
    limits_apply(plan);

    /* E12. */
    dumpable_apply(plan);

    /* E13. */
    l.mem_size = h->mem_size;
    l.entry = im->entry;
    l.lines_at = guest_mem_boot_end(plan);
    l.bpf = plan->bpf;
    l.bpf_len = plan->bpf_len;
    nabla_enter_guest(&l);
}
