/* nabla_plan.h: the launch plan the orchestrator hands the tender (v3). */
/*
 * The orchestrator (TypeScript) decides everything about a run and writes it
 * into one flat, little-endian byte buffer: the plan. The tender reads it from
 * the descriptor named on its command line (`nabla-spt PLAN_FD ...`), checks
 * every size, count, offset and descriptor number, and carries it out.
 *
 * Layout: struct nabla_plan_header at offset 0, then, at the offsets the
 * header gives, an array of struct nabla_plan_device, the BPF program (an
 * array of struct sock_filter, 8 bytes each), the guest command line and the
 * kernel path (both NUL-terminated). Each region lies inside total_size and
 * regions do not overlap.
 *
 * Descriptors: the tender finds the ELF at elf_fd and each device at
 * source_fd; it reads the ELF, moves every device to host_fd (the number the
 * BPF pins), creates the epoll set at epoll_fd and the timerfd at timer_fd,
 * and closes every other descriptor except 0, 1 and 2.
 *
 * Privileges (v2): the plan also says what the guest may keep. uid/gid are
 * the ids to switch to (NABLA_PLAN_ID_KEEP: stay as started); namespaces
 * are the CLONE_NEW* flags to unshare, where the host allows; the rlimit_*
 * values become both the soft and the hard limit (NABLA_PLAN_RLIM_INFINITY:
 * unlimited); timeout_ms, when not 0, starts a watchdog that kills the guest
 * after that long; with NABLA_PLAN_F_PDEATHSIG the guest is killed when its
 * parent exits (parent_pid, when not 0, is the parent expected: a different
 * one means the parent is gone already). Zero flags are the strict choice:
 * the guest is not dumpable unless NABLA_PLAN_F_DUMPABLE says so.
 *
 * Control groups (v3): cgroup_count descriptors, at cgroup_fd and the
 * numbers after it, are open cgroup.procs files (one per hierarchy) the
 * tender joins, writing "0" to each, before anything else of the guest's is
 * done (before the privilege drop, before guest memory exists), then closes.
 * So the guest runs in them, and is charged to them, from its start.
 * No control groups: both fields 0.
 *
 * Versioning: any change to a layout or meaning below bumps
 * NABLA_PLAN_VERSION; the tender refuses any other version. The TypeScript
 * mirror is src/plan/format.ts; test/abi/header.test.ts compares both
 * against a program compiled from this header.
 */
#ifndef NABLA_PLAN_H
#define NABLA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define NABLA_PLAN_MAGIC 0x4e4c504eu /* "NPLN" read as a little-endian u32 */
#define NABLA_PLAN_VERSION 3u
#define NABLA_PLAN_MAX_SIZE (1u << 20) /* a plan is never larger than 1 MiB */
#define NABLA_PLAN_MAX_DEVICES 63u /* manifest entries but the reserved one */
#define NABLA_PLAN_MAX_BPF_INSNS 4096u /* the kernel's BPF_MAXINSNS */
#define NABLA_PLAN_FD_LIMIT 1024 /* every descriptor number is below this */
#define NABLA_PLAN_MIN_MEM_SIZE (1ull << 20) /* 1 MiB */
#define NABLA_PLAN_MAX_MEM_SIZE (1ull << 40) /* 1 TiB: far below the tender */
#define NABLA_PLAN_MAX_PATH_SIZE 4096u /* kernel path bytes, NUL included */
#define NABLA_PLAN_MAX_CGROUPS 8u      /* cgroup.procs descriptors to join */

/* flags */
#define NABLA_PLAN_F_X_EXEC_HEAP 0x1u /* memory outside segments is RWX */
#define NABLA_PLAN_F_PDEATHSIG 0x2u   /* SIGKILL when the parent exits */
#define NABLA_PLAN_F_DUMPABLE 0x4u    /* stay dumpable (core dumps, tracing) */
#define NABLA_PLAN_F_VERBOSE 0x8u     /* report each step on stderr */
#define NABLA_PLAN_F_ALL                                                       \
    (NABLA_PLAN_F_X_EXEC_HEAP | NABLA_PLAN_F_PDEATHSIG |                       \
     NABLA_PLAN_F_DUMPABLE | NABLA_PLAN_F_VERBOSE)

/* uid, gid: stay as started (the value setresuid reads as "unchanged"). */
#define NABLA_PLAN_ID_KEEP 0xffffffffu
/* rlimit_*: no limit (the kernel's RLIM_INFINITY). */
#define NABLA_PLAN_RLIM_INFINITY 0xffffffffffffffffull

/* namespaces: Linux's CLONE_NEW* values (static-asserted in privilege.c). */
#define NABLA_PLAN_NS_MNT 0x00020000u
#define NABLA_PLAN_NS_CGROUP 0x02000000u
#define NABLA_PLAN_NS_UTS 0x04000000u
#define NABLA_PLAN_NS_IPC 0x08000000u
#define NABLA_PLAN_NS_USER 0x10000000u
#define NABLA_PLAN_NS_NET 0x40000000u
#define NABLA_PLAN_NS_ALL                                                      \
    (NABLA_PLAN_NS_MNT | NABLA_PLAN_NS_CGROUP | NABLA_PLAN_NS_UTS |            \
     NABLA_PLAN_NS_IPC | NABLA_PLAN_NS_USER | NABLA_PLAN_NS_NET)

struct nabla_plan_header {
    uint32_t magic;          /* NABLA_PLAN_MAGIC */
    uint32_t version;        /* NABLA_PLAN_VERSION */
    uint32_t header_size;    /* sizeof(struct nabla_plan_header) */
    uint32_t total_size;     /* bytes in the whole plan, header included */
    uint64_t mem_size;       /* guest memory in bytes, a multiple of 4 KiB */
    uint32_t flags;          /* NABLA_PLAN_F_* */
    int32_t elf_fd;          /* where the tender reads the unikernel ELF */
    int32_t epoll_fd;        /* number the epoll set must have */
    int32_t timer_fd;        /* number the timerfd must have */
    uint32_t device_count;   /* entries at devices_offset */
    uint32_t device_size;    /* sizeof(struct nabla_plan_device) */
    uint32_t devices_offset; /* 8-aligned */
    uint32_t bpf_offset;     /* 8-aligned */
    uint32_t bpf_size;       /* bytes: 8 x instructions, at least one */
    uint32_t cmdline_offset; /* guest command line */
    uint32_t cmdline_size;   /* bytes including the NUL, 1..8192 */
    uint32_t kernel_path_offset; /* the KERNEL operand as the user gave it */
    uint32_t kernel_path_size;   /* bytes including the NUL, 1..4096 */
    uint16_t cgroup_count; /* v3: cgroup.procs descriptors, 0..MAX_CGROUPS */
    uint16_t cgroup_fd;    /* v3: the first of them, the others follow; or 0 */
    /* v2: what the guest keeps */
    uint32_t uid;           /* switch to this uid, or NABLA_PLAN_ID_KEEP */
    uint32_t gid;           /* and gid; KEEP exactly when uid is KEEP */
    uint32_t namespaces;    /* NABLA_PLAN_NS_* to unshare where allowed */
    int32_t parent_pid;     /* F_PDEATHSIG: the expected parent, or 0 */
    uint64_t timeout_ms;    /* kill the guest after this long; 0: never */
    uint64_t rlimit_core;   /* bytes of core dump */
    uint64_t rlimit_nofile; /* one above the highest descriptor number */
    uint64_t rlimit_nproc;  /* processes of the guest's real uid */
};

struct nabla_plan_device {
    uint32_t mft_index;  /* index in the manifest, 1..entries-1 */
    uint32_t type;       /* MFT_DEV_BLOCK_BASIC or MFT_DEV_NET_BASIC */
    int32_t source_fd;   /* where the tender finds the descriptor at start */
    int32_t host_fd;     /* the number it must have when the guest runs */
    uint64_t capacity;   /* block: bytes, a multiple of block_size; net: 0 */
    uint16_t block_size; /* block: bytes, a power of two >= 512; net: 0 */
    uint16_t mtu;        /* net: bytes; block: 0 */
    uint8_t mac[6];      /* net: the guest's MAC; block: zero */
    uint8_t reserved[6]; /* 0 */
};

_Static_assert(sizeof(struct nabla_plan_header) == 128,
               "plan header is 128 bytes");
_Static_assert(offsetof(struct nabla_plan_header, mem_size) == 16,
               "mem_size @16");
_Static_assert(offsetof(struct nabla_plan_header, flags) == 24, "flags @24");
_Static_assert(offsetof(struct nabla_plan_header, elf_fd) == 28, "elf_fd @28");
_Static_assert(offsetof(struct nabla_plan_header, device_count) == 40,
               "device_count @40");
_Static_assert(offsetof(struct nabla_plan_header, bpf_offset) == 52,
               "bpf_offset @52");
_Static_assert(offsetof(struct nabla_plan_header, cmdline_offset) == 60,
               "cmdline_offset @60");
_Static_assert(offsetof(struct nabla_plan_header, kernel_path_offset) == 68,
               "kernel_path_offset @68");
_Static_assert(offsetof(struct nabla_plan_header, cgroup_count) == 76,
               "cgroup_count @76");
_Static_assert(offsetof(struct nabla_plan_header, cgroup_fd) == 78,
               "cgroup_fd @78");
_Static_assert(offsetof(struct nabla_plan_header, uid) == 80, "uid @80");
_Static_assert(offsetof(struct nabla_plan_header, namespaces) == 88,
               "namespaces @88");
_Static_assert(offsetof(struct nabla_plan_header, parent_pid) == 92,
               "parent_pid @92");
_Static_assert(offsetof(struct nabla_plan_header, timeout_ms) == 96,
               "timeout_ms @96");
_Static_assert(offsetof(struct nabla_plan_header, rlimit_core) == 104,
               "rlimit_core @104");
_Static_assert(offsetof(struct nabla_plan_header, rlimit_nproc) == 120,
               "rlimit_nproc @120");
_Static_assert(sizeof(struct nabla_plan_device) == 40,
               "plan device is 40 bytes");
_Static_assert(offsetof(struct nabla_plan_device, capacity) == 16,
               "capacity @16");
_Static_assert(offsetof(struct nabla_plan_device, block_size) == 24,
               "block_size @24");
_Static_assert(offsetof(struct nabla_plan_device, mtu) == 26, "mtu @26");
_Static_assert(offsetof(struct nabla_plan_device, mac) == 28, "mac @28");
_Static_assert(offsetof(struct nabla_plan_device, reserved) == 34,
               "reserved @34");

#endif /* NABLA_PLAN_H */
