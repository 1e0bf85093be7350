/* proc_limits.c: supervision, rlimits and dumpability from the plan. */
/*
 * Three small steps of main.c, each placed where its own constraint puts it
 * (see main.c): the parent-death signal after the id switch, which clears
 * it; the resource limits once every descriptor is in place and the last
 * process has been created; dumpability off last before the filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proc_limits.h"
#include "report.h"

/* The plan's "unlimited" is the kernel's, so values pass through as they are.
 */
_Static_assert(NABLA_PLAN_RLIM_INFINITY == RLIM_INFINITY,
               "plan and kernel agree on unlimited");

void supervision_arm(const struct plan *plan, pid_t parent_at_start)
{
    const struct nabla_plan_header *h = plan->hdr;
    pid_t expected = h->parent_pid != 0 ? h->parent_pid : parent_at_start;

    if (!(h->flags & NABLA_PLAN_F_PDEATHSIG))
        return;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        fail("cannot ask for SIGKILL at the parent's exit: %s",
             strerror(errno));
    /*
     * The signal only comes for a parent that exits after it was asked for:
     * one that is gone already has left us to another process (init or a
     * subreaper). Then do now what the signal would have done.
     */
    if (getppid() != expected) {
        note("supervision: the parent (pid %d) exited before the guest "
             "started: SIGKILL",
             expected);
        kill(getpid(), SIGKILL);
    }
    note("supervision: SIGKILL when the parent (pid %d) exits", expected);
}

/* Sets one limit, soft and hard, so that nothing can raise it again. */
static void limit(int resource, const char *name, uint64_t value)
{
    struct rlimit rl = {(rlim_t)value, (rlim_t)value};
    struct rlimit now;

    if (setrlimit(resource, &rl) == 0)
        return;
    /*
     * Lowering a limit always works; only raising one above its hard limit
     * (a core size the orchestrator asked for) needs CAP_SYS_RESOURCE.
     * Then keep the most allowed: the hard limit. Never a silent failure to
     * lower one.
     */
    if (errno == EPERM && getrlimit(resource, &now) == 0 &&
        value > (uint64_t)now.rlim_max) {
        rl.rlim_cur = rl.rlim_max = now.rlim_max;
        if (setrlimit(resource, &rl) == 0) {
            note("limits: %s %llu is above the hard limit %llu, which is "
                 "kept",
                 name, (unsigned long long)value,
                 (unsigned long long)now.rlim_max);
            return;
        }
    }
    fail("cannot set the %s limit to %llu: %s", name, (unsigned long long)value,
         strerror(errno));
}

void limits_apply(const struct plan *plan)
{
    const struct nabla_plan_header *h = plan->hdr;

    limit(RLIMIT_CORE, "core", h->rlimit_core);
    limit(RLIMIT_NOFILE, "nofile", h->rlimit_nofile);
    limit(RLIMIT_NPROC, "nproc", h->rlimit_nproc);
    /* Printed as the kernel's ~0 when unlimited, as /proc/PID/limits. */
    note("limits: core %llu, nofile %llu, nproc %llu (soft = hard)",
         (unsigned long long)h->rlimit_core,
         (unsigned long long)h->rlimit_nofile,
         (unsigned long long)h->rlimit_nproc);
}

void dumpable_apply(const struct plan *plan)
{
    int on = (plan->hdr->flags & NABLA_PLAN_F_DUMPABLE) != 0;

    /*
     * Not dumpable: no core dump, and /proc/PID's sensitive files (mem, fd,
     * environ, the namespace links) and ptrace are root's alone. Root (with
     * CAP_SYS_PTRACE where the process was started) still reads them.
     */
    if (prctl(PR_SET_DUMPABLE, on, 0, 0, 0) != 0)
        fail("cannot set dumpable to %d: %s", on, strerror(errno));
    note("dumpable: %s", on ? "yes (asked for)" : "no");
}
