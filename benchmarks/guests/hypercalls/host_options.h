/* host_options.h: the benchmark's options that differ between spt and hosted.
 */
#ifndef HYPERCALLS_HOST_OPTIONS_H
#define HYPERCALLS_HOST_OPTIONS_H

#include <stddef.h>

/*
 * The guest and its hosted twin are meant to make the same system calls, but
 * glibc answers clock_gettime() from the vDSO without entering the kernel,
 * while an spt guest has no vDSO and makes the real syscall. And a guest's
 * syscalls pass the tender's seccomp filter, a hosted process's none. Two
 * options close those gaps, for measuring what each one costs:
 *   clock=syscall  hosted: every clock read the SDK makes (solo5_clock_*,
 *                  and the one inside solo5_yield) is the clock_gettime
 *                  syscall; spt: accepted, as that is all spt can do.
 *   clock=vdso     hosted: glibc's clock_gettime (the default); spt: refused.
 *   seccomp=PATH   hosted only: before the timed loop, install the classic
 *                  BPF program in file PATH (struct sock_filter array) with
 *                  no_new_privs, as the tender does.
 * Returns 1 if (word, n) was such an option and was applied, 0 if it is not
 * one, -1 if it was but cannot be applied here (a message was printed).
 */
int host_option(const char *word, size_t n);

#endif /* HYPERCALLS_HOST_OPTIONS_H */
