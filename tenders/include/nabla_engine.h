/* nabla_engine.h: the start engine's messages, orchestrator <-> template. */
/*
 * A template is `nabla-spt --template SOCKET_FD`: a tender that loads one
 * image once and then starts guests from it on request, each a new process,
 * without an exec (docs/start-engine.md). The orchestrator drives it over
 * SOCKET_FD, one end of an AF_UNIX SOCK_SEQPACKET pair: one message per
 * request or reply, never split or merged, descriptors attached with
 * SCM_RIGHTS. Every message is a struct nabla_engine_msg, then `size`
 * payload bytes; little-endian, like the plan.
 *
 *   orchestrator -> template                 template -> orchestrator
 *   IMAGE  (once, first)                      READY, or REFUSED and exit
 *     payload: struct nabla_engine_image,       READY: pid = the template
 *     then the kernel path and its NUL
 *     descriptors: [the ELF]
 *   LAUNCH (any number, after READY)          STARTED, or REFUSED
 *     payload: a launch plan (nabla_plan.h)     STARTED: pid = the guest,
 *     descriptors: [stdin, stdout, stderr,      descriptors: [its pidfd]
 *       then each plan device's, in order,      REFUSED: a message, no NUL
 *       then each cgroup.procs (plan v3)]
 *
 * Requests are answered in order, one reply each, with the request's seq.
 * The orchestrator closing its end ends the template; its guests go on.
 *
 * How a template reads a LAUNCH plan: as a tender started by run() would
 * read it (src/launch/spawn.ts), with the plan on NABLA_ENGINE_PLAN_FD, the
 * ELF at elf_fd and each device at its source_fd; plan_check (plan_read.c)
 * checks it exactly so before anything is done. The request's descriptors
 * are put at those numbers in the new process (0, 1, 2, then each device's
 * source_fd, then cgroup_fd and the numbers after it), so from there on
 * every step is the tender's own. elf_fd names
 * no descriptor there: a template's guests are made from its image. The
 * plan's mem_size, X_EXEC_HEAP flag, uid, gid and namespaces must equal the
 * image's: the image was checked and the namespaces made for them.
 *
 * Versioning: any change to a layout or meaning below bumps
 * NABLA_ENGINE_VERSION; the template refuses every other version. The plan
 * inside keeps its own version (nabla_plan.h). The TypeScript mirror is
 * src/engine/protocol.ts; test/abi/header.test.ts compares the two.
 */
#ifndef NABLA_ENGINE_H
#define NABLA_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "nabla_plan.h"

/* "NENG" read as a little-endian u32 */
#define NABLA_ENGINE_MAGIC 0x474e454eu
#define NABLA_ENGINE_VERSION 2u
/* Header and payload: more than any valid plan (see the assert below). */
#define NABLA_ENGINE_MAX_MESSAGE 65536u
/* Descriptors in one LAUNCH: stdio, every device, every cgroup (v2). */
#define NABLA_ENGINE_MAX_FDS                                                   \
    (3u + NABLA_PLAN_MAX_DEVICES + NABLA_PLAN_MAX_CGROUPS)
/* The number a LAUNCH plan is checked as being read from. */
#define NABLA_ENGINE_PLAN_FD 3

/* kind */
#define NABLA_ENGINE_IMAGE 1u
#define NABLA_ENGINE_LAUNCH 2u
#define NABLA_ENGINE_READY 3u
#define NABLA_ENGINE_STARTED 4u
#define NABLA_ENGINE_REFUSED 5u

struct nabla_engine_msg {
    uint32_t magic;    /* NABLA_ENGINE_MAGIC */
    uint32_t version;  /* NABLA_ENGINE_VERSION */
    uint32_t kind;     /* NABLA_ENGINE_IMAGE ... */
    uint32_t fd_count; /* descriptors attached with SCM_RIGHTS */
    uint64_t seq;      /* the request's number; its reply repeats it */
    int32_t pid;       /* READY: the template; STARTED: the guest; else 0 */
    uint32_t size;     /* payload bytes after this header */
};

/* The IMAGE payload; the kernel path (kernel_path_size bytes) follows. */
struct nabla_engine_image {
    uint64_t mem_size;         /* guest memory, as a plan's mem_size */
    uint32_t flags;            /* NABLA_PLAN_F_X_EXEC_HEAP or 0 */
    uint32_t uid;              /* the guests' ids, as a plan's uid, gid */
    uint32_t gid;              /* (NABLA_PLAN_ID_KEEP: as started) */
    uint32_t namespaces;       /* NABLA_PLAN_NS_* for the guests */
    uint32_t kernel_path_size; /* bytes including the NUL, 1..4096 */
    uint32_t reserved;         /* 0 */
};

_Static_assert(sizeof(struct nabla_engine_msg) == 32, "engine header is 32");
_Static_assert(offsetof(struct nabla_engine_msg, seq) == 16, "seq @16");
_Static_assert(offsetof(struct nabla_engine_msg, pid) == 24, "pid @24");
_Static_assert(offsetof(struct nabla_engine_msg, size) == 28, "size @28");
_Static_assert(sizeof(struct nabla_engine_image) == 32, "image is 32 bytes");
_Static_assert(offsetof(struct nabla_engine_image, flags) == 8, "flags @8");
_Static_assert(offsetof(struct nabla_engine_image, namespaces) == 20,
               "namespaces @20");
_Static_assert(offsetof(struct nabla_engine_image, kernel_path_size) == 24,
               "kernel_path_size @24");
/* The largest plan whose every region is at its maximum still fits. */
_Static_assert(
    sizeof(struct nabla_engine_msg) + sizeof(struct nabla_plan_header) +
            NABLA_PLAN_MAX_DEVICES * sizeof(struct nabla_plan_device) +
            NABLA_PLAN_MAX_BPF_INSNS * 8 + 8192 + NABLA_PLAN_MAX_PATH_SIZE <=
        NABLA_ENGINE_MAX_MESSAGE,
    "every valid plan fits in one message");

#endif /* NABLA_ENGINE_H */
