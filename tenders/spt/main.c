/* main.c: nabla-spt, the spt tender: carry out a launch plan, then jump. */
/*
 * Usage: nabla-spt PLAN_FD [KERNEL [ARGS...]]
 *        nabla-spt --template SOCKET_FD [KERNEL]   (engine_main.c)
 *
 * PLAN_FD is the decimal number of an inherited descriptor holding the
 * launch plan (include/nabla_plan.h). Everything after it is only there so
 * that `ps` shows what runs while the tender sets up; the plan alone decides.
 * (Once the guest runs, its /proc/PID/cmdline reads empty: the stack that
 * held argv is unmapped at the jump, step 14.) Every failure is one
 * line on stderr, "<prog>: <text>", and status 1, before the guest starts.
 *
 * The steps, and why they come in this order:
 *
 *  1. Parse PLAN_FD, refuse a non-empty environment, reset signals. First,
 *     because every later step may fail and report. The orchestrator execs
 *     us with no environment: any variable means another caller, whose
 *     loader settings (LD_PRELOAD, GLIBC_TUNABLES) have already acted, so
 *     it is refused rather than cleared. Signals are reset early so that
 *     nothing we inherit (Node ignores SIGPIPE; a mask from a parent)
 *     reaches the guest, which has no way to change them.
 *  2. Read and check the plan, and that the ELF and every block device is a
 *     regular file. Nothing is done before the whole plan is known to be
 *     consistent; it also says whether to be verbose. What a device entry
 *     and its descriptor must be is its kind's (device.h, device_*.c).
 *     Then join the plan's control groups (cgroup_join.c): before 3, while
 *     the hierarchy is still ours to name in a message, and before 6, so
 *     that all of the guest's memory is charged to them.
 *  3. Ids, namespaces, capabilities (privilege.c, whose comment gives the
 *     order inside). Before the ELF is read: the untrusted file is parsed
 *     with the guest's privileges, not root's. Nothing later needs
 *     privilege: the orchestrator opened every device before the exec.
 *  4. The parent-death signal. After 3: a change of uid clears it.
 *  5. The timeout watchdog (fork). After 3, so it holds no more than the
 *     guest; before 6, so it copies little; before 12, which forbids it.
 *  6. Map guest memory. Before the ELF, which is loaded straight into it;
 *     early, so that no later allocation of ours can take its addresses.
 *  7. Check the ELF (header, segments, notes, manifest), load it, close it.
 *     All checks run before the first byte is copied, in the order of
 *     docs/elf-validation.md, so the message is the orchestrator's.
 *  8. Copy the manifest and the command line into guest memory, attaching
 *     the plan's devices. Needs the manifest (7); done before descriptors
 *     move so that a device mismatch fails before anything irreversible.
 *  9. Check each device's descriptor as its kind says (a net device's is a
 *     tap: TUNGETIFF), move device descriptors to their numbers and close
 *     everything else. After 7 (the ELF descriptor is closed there) and
 *     before 10, so that the epoll set and timerfd are created into a table
 *     with known holes.
 * 10. Create the epoll set and timerfd at their numbers; register the
 *     timerfd and the devices whose kind the guest waits on (net). Needs
 *     the devices at their final numbers (9).
 * 11. Fill the boot info, now that every number and address is final; and
 *     read where the vDSO is (addr_space.c: /proc/self/maps). That needs a
 *     descriptor of its own, so before 12.
 * 12. Resource limits: no core, no descriptor above the planned ones, no
 *     new process. After 9 and 10 (a lower RLIMIT_NOFILE would refuse the
 *     numbers they place), after 5 (RLIMIT_NPROC 0 refuses the fork).
 * 13. Dumpable as the plan says (not, unless core dumps are wanted). After
 *     3, whose id maps are written through our own /proc/self, which stops
 *     being ours here (a uid switch in 3 already made us non-dumpable, and
 *     3 keeps it so); last before 14, so that every earlier failure can
 *     still be seen and reported.
 * 14. The last stage (launch.c, launch.h): the extension page with the
 *     vDSO's clock (ext_page.c, docs/abi.md §4.5), no_new_privs, the register
 *     reset's area, and a read+execute trampoline page that unmaps
 *     everything but guest memory, the vDSO and itself, clears the FS
 *     base, installs the seccomp filter, resets the registers and jumps to
 *     the guest. Last: from its unmapping on, no library call is possible,
 *     and from the filter on only the guest's syscalls are allowed. Never
 *     returns.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spt_abi.h"
#include "nabla_plan.h"
#include "elf_load.h"
#include "elf_notes.h"
#include "cgroup_join.h"
#include "engine_main.h"
#include "msg.h"
#include "regular_file.h"
#include "devices.h"
#include "guest_mem.h"
#include "launch.h"
#include "plan_read.h"
#include "privilege.h"
#include "proc_limits.h"
#include "report.h"
#include "startup.h"
#include "text_escape.h"
#include "watchdog.h"

/*
 * Messages are "F: text", F being the KERNEL operand the user gave, escaped
 * as every message that quotes it (text_escape.h). Escaped on first use
 * only: the buffer is 16 KiB of .bss, and a run that prints nothing about
 * the kernel never touches (and so never pays for) its pages.
 */
static const char *kernel_shown(const struct plan *plan)
{
    static char shown[TEXT_ESCAPE_SIZE(NABLA_PLAN_MAX_PATH_SIZE)];

    if (shown[0] == '\0')
        text_escape(shown, sizeof shown, plan->kernel_path);
    return shown;
}

int main(int argc, char **argv)
{
    char msg[NABLA_MSG_SIZE];
    struct plan plan;
    struct elf_image img;
    static struct solo5_notes notes; /* 6.6 KiB: keep it off the stack */
    static struct launch launch;
    const struct nabla_plan_header *h;
    pid_t parent = getppid();
    int plan_fd;

    /* 1. */
    report_init(argc > 0 ? argv[0] : NULL);
    /* A template (engine_main.c) has its own steps, in the same order. */
    if (argc >= 2 && strcmp(argv[1], "--template") == 0)
        engine_main(argc, argv);
    if (argc < 2)
        fail("usage: nabla-spt PLAN_FD [KERNEL [ARGS...]]");
    plan_fd = parse_fd_arg(argv[1]);
    if (plan_fd < 0)
        fail("invalid plan descriptor '%s' (expected a decimal number "
             "0-%d)",
             argv[1], NABLA_PLAN_FD_LIMIT - 1);
    require_empty_environment();
    reset_signals();

    /* 2. */
    if (plan_read(plan_fd, &plan, msg, sizeof msg) != 0)
        fail("%s", msg);
    h = plan.hdr;
    /* The orchestrator's words for a KERNEL that is not a regular file. */
    if (nabla_check_regular(h->elf_fd, msg, sizeof msg) != 0)
        fail("%s: Could not open: %s", kernel_shown(&plan), msg);
    report_verbose((h->flags & NABLA_PLAN_F_VERBOSE) != 0);
    note("plan: version %u, %u device%s, %u filter instructions; environment "
         "empty, signals reset",
         h->version, h->device_count, h->device_count == 1 ? "" : "s",
         plan.bpf_len);
    cgroup_join(&plan);

    /* 3. */
    privilege_drop(&plan);

    /* 4. */
    supervision_arm(&plan, parent);

    /* 5. */
    watchdog_start(&plan);

    /* 6. */
    guest_mem_map(h->mem_size, (h->flags & NABLA_PLAN_F_X_EXEC_HEAP) != 0);

    /* 7. */
    if (elf_check(h->elf_fd, h->mem_size, &img, msg, sizeof msg) != 0)
        fail("%s: %s", kernel_shown(&plan), msg);
    if (elf_read_notes(h->elf_fd, &img, &notes, msg, sizeof msg) != 0 ||
        elf_load_segments(h->elf_fd, &img, 0, msg, sizeof msg) != 0)
        fail("%s: %s", kernel_shown(&plan), msg);
    elf_image_free(&img);
    close(h->elf_fd);
    if (report_is_verbose())
        note("kernel: %s loaded into %llu MiB of guest memory, entry 0x%llx",
             kernel_shown(&plan), (unsigned long long)(h->mem_size >> 20),
             (unsigned long long)img.entry);

    /* 8. */
    guest_mem_write_manifest(&plan, &notes);

    /* 9. */
    devices_map(&plan, plan_fd);

    /* 10. */
    devices_events(&plan);
    note("descriptors: 0-2 console, %d epoll, %d timerfd, %u device%s; all "
         "others closed",
         h->epoll_fd, h->timer_fd, h->device_count,
         h->device_count == 1 ? "" : "s");

    /* 11. */
    guest_mem_write_boot_info(&plan, img.kernel_end);
    addr_space_read(&launch.space);

    /* 12. */
    limits_apply(&plan);

    /* 13. */
    dumpable_apply(&plan);

    /* 14. */
    launch.mem_size = h->mem_size;
    launch.entry = img.entry;
    launch.lines_at = guest_mem_boot_end(&plan);
    launch.bpf = plan.bpf;
    launch.bpf_len = plan.bpf_len;
    nabla_enter_guest(&launch);
}
