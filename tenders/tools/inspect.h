/* inspect.h: reading what a stopped tracee holds, for syscall-trace's report.
 */
#ifndef NABLA_INSPECT_H
#define NABLA_INSPECT_H

#include <sys/types.h>

/*
 * A JSON object (malloc'd) with the facts of process (pid), which must be
 * stopped (at its exec): "status" (Uid, Gid, Groups, the Cap* sets and
 * NoNewPrivs as /proc/PID/status gives them), "namespaces" (new or shared
 * with the caller's), "limits", "descriptors", "environment" and
 * "dumpable". NULL when out of memory.
 */
char *inspect_process(pid_t pid);

#endif
