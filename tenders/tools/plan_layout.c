/* plan_layout.c: plan-layout, the C headers' layouts and constants as JSON. */
/*
 * Usage: plan-layout
 *
 * Prints, as one JSON object, the size and alignment of every struct of
 * include/nabla_plan.h, include/spt_abi.h and include/nabla_ext.h, the offset
 * and size of each of their fields, and every numeric constant, as the compiler
 * sees them. A test compares this with the TypeScript mirrors, so the two
 * cannot drift. Keep the lists below complete when a header changes.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>

#include "spt_abi.h"
#include "nabla_ext.h"
#include "nabla_plan.h"
#include "nabla_engine.h"

static const char *sep;

static void begin_struct(const char *name, size_t size, size_t align)
{
    printf("%s\n    \"%s\": {\"size\": %zu, \"align\": %zu, \"fields\": {", sep,
           name, size, align);
    sep = "";
}

static void field(const char *name, size_t offset, size_t size)
{
    printf("%s\n      \"%s\": {\"offset\": %zu, \"size\": %zu}", sep, name,
           offset, size);
    sep = ",";
}

static void end_struct(void)
{
    printf("\n    }}");
    sep = ",";
}

static void constant(const char *name, unsigned long long value)
{
    printf("%s\n    \"%s\": %llu", sep, name, value);
    sep = ",";
}

#define STRUCT(s) begin_struct(#s, sizeof(struct s), alignof(struct s))
#define FIELD(s, f) field(#f, offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define CONST(c) constant(#c, (unsigned long long)(c))

static void structs(void)
{
    STRUCT(nabla_plan_header);
    FIELD(nabla_plan_header, magic);
    FIELD(nabla_plan_header, version);
    FIELD(nabla_plan_header, header_size);
    FIELD(nabla_plan_header, total_size);
    FIELD(nabla_plan_header, mem_size);
    FIELD(nabla_plan_header, flags);
    FIELD(nabla_plan_header, elf_fd);
    FIELD(nabla_plan_header, epoll_fd);
    FIELD(nabla_plan_header, timer_fd);
    FIELD(nabla_plan_header, device_count);
    FIELD(nabla_plan_header, device_size);
    FIELD(nabla_plan_header, devices_offset);
    FIELD(nabla_plan_header, bpf_offset);
    FIELD(nabla_plan_header, bpf_size);
    FIELD(nabla_plan_header, cmdline_offset);
    FIELD(nabla_plan_header, cmdline_size);
    FIELD(nabla_plan_header, kernel_path_offset);
    FIELD(nabla_plan_header, kernel_path_size);
    FIELD(nabla_plan_header, cgroup_count);
    FIELD(nabla_plan_header, cgroup_fd);
    FIELD(nabla_plan_header, uid);
    FIELD(nabla_plan_header, gid);
    FIELD(nabla_plan_header, namespaces);
    FIELD(nabla_plan_header, parent_pid);
    FIELD(nabla_plan_header, timeout_ms);
    FIELD(nabla_plan_header, rlimit_core);
    FIELD(nabla_plan_header, rlimit_nofile);
    FIELD(nabla_plan_header, rlimit_nproc);
    end_struct();

    STRUCT(nabla_plan_device);
    FIELD(nabla_plan_device, mft_index);
    FIELD(nabla_plan_device, type);
    FIELD(nabla_plan_device, source_fd);
    FIELD(nabla_plan_device, host_fd);
    FIELD(nabla_plan_device, capacity);
    FIELD(nabla_plan_device, block_size);
    FIELD(nabla_plan_device, mtu);
    FIELD(nabla_plan_device, mac);
    FIELD(nabla_plan_device, reserved);
    end_struct();

    STRUCT(spt_boot_info);
    FIELD(spt_boot_info, mem_size);
    FIELD(spt_boot_info, kernel_end);
    FIELD(spt_boot_info, cmdline);
    FIELD(spt_boot_info, mft);
    FIELD(spt_boot_info, epollfd);
    FIELD(spt_boot_info, timerfd);
    end_struct();

    STRUCT(mft);
    FIELD(mft, version);
    FIELD(mft, entries);
    /* A flexible array member has no size: give the entry array's start. */
    field("e", offsetof(struct mft, e), 0);
    end_struct();

    STRUCT(mft_entry);
    FIELD(mft_entry, name);
    FIELD(mft_entry, type);
    FIELD(mft_entry, u);
    FIELD(mft_entry, u.block_basic.capacity);
    FIELD(mft_entry, u.block_basic.block_size);
    FIELD(mft_entry, u.net_basic.mac);
    FIELD(mft_entry, u.net_basic.mtu);
    FIELD(mft_entry, b);
    FIELD(mft_entry, b.hostfd);
    FIELD(mft_entry, attached);
    end_struct();

    STRUCT(solo5_nhdr);
    FIELD(solo5_nhdr, n_namesz);
    FIELD(solo5_nhdr, n_descsz);
    FIELD(solo5_nhdr, n_type);
    FIELD(solo5_nhdr, n_name);
    end_struct();

    STRUCT(abi1_info);
    FIELD(abi1_info, abi_target);
    FIELD(abi1_info, abi_version);
    FIELD(abi1_info, reserved0);
    FIELD(abi1_info, reserved1);
    end_struct();

    STRUCT(nabla_ext);
    FIELD(nabla_ext, magic);
    FIELD(nabla_ext, version);
    FIELD(nabla_ext, size);
    FIELD(nabla_ext, vdso_clock_gettime);
    end_struct();
}

static void constants(void)
{
    /* nabla_plan.h */
    CONST(NABLA_PLAN_MAGIC);
    CONST(NABLA_PLAN_VERSION);
    CONST(NABLA_PLAN_MAX_SIZE);
    CONST(NABLA_PLAN_MAX_DEVICES);
    CONST(NABLA_PLAN_MAX_BPF_INSNS);
    CONST(NABLA_PLAN_FD_LIMIT);
    CONST(NABLA_PLAN_MIN_MEM_SIZE);
    CONST(NABLA_PLAN_MAX_MEM_SIZE);
    CONST(NABLA_PLAN_MAX_PATH_SIZE);
    CONST(NABLA_PLAN_MAX_CGROUPS);
    CONST(NABLA_PLAN_F_X_EXEC_HEAP);
    CONST(NABLA_PLAN_F_PDEATHSIG);
    CONST(NABLA_PLAN_F_DUMPABLE);
    CONST(NABLA_PLAN_F_VERBOSE);
    CONST(NABLA_PLAN_F_ALL);
    CONST(NABLA_PLAN_ID_KEEP);
    CONST(NABLA_PLAN_RLIM_INFINITY);
    CONST(NABLA_PLAN_NS_MNT);
    CONST(NABLA_PLAN_NS_CGROUP);
    CONST(NABLA_PLAN_NS_UTS);
    CONST(NABLA_PLAN_NS_IPC);
    CONST(NABLA_PLAN_NS_USER);
    CONST(NABLA_PLAN_NS_NET);
    CONST(NABLA_PLAN_NS_ALL);
    /* nabla_engine.h */
    CONST(NABLA_ENGINE_MAGIC);
    CONST(NABLA_ENGINE_VERSION);
    CONST(NABLA_ENGINE_MAX_MESSAGE);
    CONST(NABLA_ENGINE_MAX_FDS);
    CONST(NABLA_ENGINE_PLAN_FD);
    /* spt_abi.h */
    CONST(SPT_ABI_TARGET);
    CONST(SPT_ABI_VERSION);
    CONST(SPT_GUEST_MIN_BASE);
    CONST(SPT_HOST_MEM_BASE);
    CONST(SPT_BOOT_INFO_BASE);
    CONST(SPT_CMDLINE_SIZE);
    CONST(SPT_DEFAULT_MEM_SIZE);
    CONST(SOLO5_NOTE_NAMESZ);
    CONST(SOLO5_NOTE_ABI);
    CONST(SOLO5_NOTE_MANIFEST);
    CONST(SOLO5_NOTE_MANIFEST_MAX_DESCSZ);
    CONST(MFT_VERSION);
    CONST(MFT_MAX_ENTRIES);
    CONST(MFT_NAME_SIZE);
    CONST(MFT_NAME_MAX);
    CONST(MFT_NOTE_DESC_PAD);
    CONST(MFT_DEV_BLOCK_BASIC);
    CONST(MFT_DEV_NET_BASIC);
    CONST(MFT_RESERVED_FIRST);
    CONST(SPT_EPOLL_TIMERFD_DATA);
    /* nabla_ext.h */
    CONST(NABLA_EXT_BASE);
    CONST(NABLA_EXT_MAGIC);
    CONST(NABLA_EXT_VERSION);
    CONST(NABLA_NOTE_NAMESZ);
    CONST(NABLA_NOTE_EXT);
    CONST(NABLA_NOTE_EXT_DESCSZ);
}

int main(void)
{
    printf("{\n  \"structs\": {");
    sep = "";
    structs();
    printf("\n  },\n  \"constants\": {");
    sep = "";
    constants();
    /* The string constants; they hold no characters needing escapes. */
    printf("\n  },\n  \"strings\": {\n    \"SOLO5_NOTE_NAME\": \"%s\",\n"
           "    \"NABLA_NOTE_NAME\": \"%s\"\n  }\n}\n",
           SOLO5_NOTE_NAME, NABLA_NOTE_NAME);
    return 0;
}
