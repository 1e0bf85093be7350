/* filter_install.c: no_new_privs and the plan's seccomp filter. */
/*
 * The filter is the orchestrator's (compiled from its policy table by
 * libseccomp); the tender installs those very bytes, unchanged, so the BPF
 * that runs is the BPF the audit describes. The raw syscall, not libseccomp:
 * the tender holds no policy code.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filter_install.h"
#include "report.h"

void filter_install(const struct plan *plan)
{
    struct sock_fprog prog = {
        .len = plan->bpf_len,
        .filter = (struct sock_filter *)plan->bpf,
    };

    /*
     * Without CAP_SYS_ADMIN the kernel only accepts a filter from a process
     * that can never gain privileges (setuid executables); the guest cannot
     * exec anyway, so this costs nothing.
     */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("cannot set no_new_privs: %s", strerror(errno));
    /*
     * No flags: no TSYNC (we have one thread), no LOG, no NEW_LISTENER.
     * On success nothing more may be printed, so this is the last report.
     */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
        fail("cannot install the seccomp filter (%u instructions): %s",
             plan->bpf_len, strerror(errno));
}
