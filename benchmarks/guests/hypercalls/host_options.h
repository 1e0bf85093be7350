/* host_options.h: the options whose meaning differs on spt and hosted. */
#ifndef HYPERCALLS_HOST_OPTIONS_H
#define HYPERCALLS_HOST_OPTIONS_H

#include <stddef.h>

/*
 * The guest and its hosted twin are meant to make the same system calls, but
 * glibc differs from spt's bindings in two: it answers clock_gettime() from
 * the vDSO without entering the kernel (an spt guest has no vDSO and makes
 * the syscall), and its epoll_wait() is the epoll_wait syscall where spt
 * makes epoll_pwait. And a guest's syscalls pass the tender's seccomp filter,
 * a hosted process's none. These options close those gaps, to measure what
 * each one costs:
 *   syscalls=spt    hosted: the SDK makes exactly spt's calls: every clock
 *                   read (solo5_clock_*, and the one inside solo5_yield) is
 *                   the clock_gettime syscall, and the wait in solo5_yield is
 *                   epoll_pwait; spt: accepted, as that is what spt does.
 *   syscalls=glibc  hosted: glibc's own way (the default); spt: refused.
 *   seccomp=PATH    hosted only: before the timed loop, install the classic
 *                   BPF program in file PATH (struct sock_filter array) with
 *                   no_new_privs, as the tender does.
 * Returns 1 if (word, n) was such an option and was applied, 0 if it is not
 * one, -1 if it was but cannot be applied here (a message was printed).
 */
int host_option(const char *word, size_t n);

#endif /* HYPERCALLS_HOST_OPTIONS_H */
