/* spt_abi.h: the Solo5 spt ABI v2 contract between a guest and its tender. */
/*
 * Every layout here is fixed by upstream Solo5 v0.12.1 (binary compatibility
 * is the goal), so nothing may change without breaking existing unikernels.
 * Sizes and offsets are pinned with _Static_assert below. The TypeScript
 * mirror is src/elf/abi.ts; test/abi/header.test.ts compares the two.
 */
#ifndef NABLA_SPT_ABI_H
#define NABLA_SPT_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ABI1 note: which tender the guest was built for, and which ABI version. */
#define SPT_ABI_TARGET 2u /* hvt=1 spt=2 virtio=3 muen=4 genode=5 xen=6 */
#define SPT_ABI_VERSION 2u

/* Guest memory: nothing may be loaded below this address. */
#define SPT_GUEST_MIN_BASE 0x100000ull
/* Host address where guest memory starts (vm.mmap_min_addr forbids 0). */
#define SPT_HOST_MEM_BASE 0x10000ull
/* Guest address of struct spt_boot_info. */
#define SPT_BOOT_INFO_BASE 0x11000ull
/* Longest guest command line, including the terminating NUL. */
#define SPT_CMDLINE_SIZE 8192u
/* Default guest memory: 512 MiB. */
#define SPT_DEFAULT_MEM_SIZE (512ull << 20)

/* ELF notes: owner "Solo5", types "ABI1" and "MFT1". */
#define SOLO5_NOTE_NAME "Solo5"
#define SOLO5_NOTE_NAMESZ 6u
#define SOLO5_NOTE_ABI 0x31494241u      /* "ABI1" */
#define SOLO5_NOTE_MANIFEST 0x3154464du /* "MFT1" */
/* Largest n_descsz of an MFT1 note: 4 bytes of padding + a full manifest. */
#define SOLO5_NOTE_MANIFEST_MAX_DESCSZ 6668u

/* Note header followed by the padded owner name: 20 bytes + 4 of padding. */
struct solo5_nhdr {
    uint32_t n_namesz; /* 6: strlen("Solo5") + 1 */
    uint32_t n_descsz; /* descriptor bytes after the padded name */
    uint32_t n_type;   /* SOLO5_NOTE_ABI or SOLO5_NOTE_MANIFEST */
    char n_name[8];    /* "Solo5\0" padded to a 4-byte multiple */
};
_Static_assert(sizeof(struct solo5_nhdr) == 20, "solo5_nhdr is 20 bytes");

/* ABI1 descriptor, 16 bytes at offset 20 of the note. */
struct abi1_info {
    uint32_t abi_target;  /* SPT_ABI_TARGET for us */
    uint32_t abi_version; /* SPT_ABI_VERSION for us */
    uint32_t reserved0;
    uint32_t reserved1;
};
_Static_assert(sizeof(struct abi1_info) == 16, "abi1_info is 16 bytes");

/* Manifest (MFT version 1). */
#define MFT_VERSION 1u
#define MFT_MAX_ENTRIES 64u
#define MFT_NAME_SIZE 68u /* 67 characters and a NUL */
#define MFT_NAME_MAX (MFT_NAME_SIZE - 1u)
/* The manifest starts 4 bytes into the MFT1 descriptor, so it is 8-aligned. */
#define MFT_NOTE_DESC_PAD 4u

enum mft_type {
    MFT_DEV_BLOCK_BASIC = 1,
    MFT_DEV_NET_BASIC = 2,
    MFT_RESERVED_FIRST = (1 << 30),
};

struct mft_block_basic {
    uint64_t capacity;   /* bytes; a multiple of block_size */
    uint16_t block_size; /* bytes per I/O; a power of two >= 512 */
};

struct mft_net_basic {
    uint8_t mac[6];
    uint16_t mtu; /* not counting the Ethernet header */
};

struct mft_entry {
    char name[MFT_NAME_SIZE]; /* NUL-terminated; byte 67 is always 0 */
    uint32_t type;            /* enum mft_type */
    union {
        struct mft_block_basic block_basic;
        struct mft_net_basic net_basic;
    } u; /* filled by the tender for attached devices */
    union {
        int hostfd; /* spt: the descriptor backing the device */
        void *data;
    } b;
    uint8_t attached; /* 0 in the file; the tender sets 1 */
};

struct mft {
    uint32_t version; /* MFT_VERSION */
    uint32_t entries; /* 1..MFT_MAX_ENTRIES, entry 0 is RESERVED_FIRST */
    struct mft_entry e[];
};

_Static_assert(sizeof(struct mft_entry) == 104, "mft_entry is 104 bytes");
_Static_assert(offsetof(struct mft_entry, type) == 68, "mft_entry.type @68");
_Static_assert(offsetof(struct mft_entry, u) == 72, "mft_entry.u @72");
_Static_assert(offsetof(struct mft_entry, u.block_basic.block_size) == 80,
               "block_size @80");
_Static_assert(offsetof(struct mft_entry, u.net_basic.mtu) == 78, "mtu @78");
_Static_assert(offsetof(struct mft_entry, b) == 88, "mft_entry.b @88");
_Static_assert(offsetof(struct mft_entry, attached) == 96, "attached @96");
_Static_assert(sizeof(struct mft) == 8, "mft header is 8 bytes");

/* Boot information the tender writes at SPT_BOOT_INFO_BASE. */
struct spt_boot_info {
    uint64_t mem_size;   /* guest memory size in bytes */
    uint64_t kernel_end; /* highest guest address used by loaded segments */
    const char *cmdline; /* NUL-terminated, at most SPT_CMDLINE_SIZE bytes */
    const void *mft;     /* the tender-filled copy of the manifest */
    int epollfd;         /* solo5_yield waits on this epoll set */
    int timerfd;         /* solo5_yield arms this for its deadline */
};
_Static_assert(sizeof(struct spt_boot_info) == 40, "spt_boot_info is 40 bytes");
_Static_assert(offsetof(struct spt_boot_info, cmdline) == 16, "cmdline @16");
_Static_assert(offsetof(struct spt_boot_info, mft) == 24, "mft @24");
_Static_assert(offsetof(struct spt_boot_info, epollfd) == 32, "epollfd @32");
_Static_assert(offsetof(struct spt_boot_info, timerfd) == 36, "timerfd @36");

/* epoll data of the timerfd; net devices use their manifest index. */
#define SPT_EPOLL_TIMERFD_DATA 0xfffffffeull /* ~1U */

#endif /* NABLA_SPT_ABI_H */
