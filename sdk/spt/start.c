/* start.c: boot of an spt guest, from the boot info to solo5_app_main(). */
#include "bindings.h"

/*
 * PT_INTERP names a loader that does not exist, so that the host kernel
 * refuses to execve() a unikernel by mistake; the linker script puts this
 * section in the PT_INTERP program header.
 */
__attribute__((section(".interp"), used)) static const char spt_interp[] =
    "/nonexistent/solo5/";

/* Room kept for the initial stack, which grows down from mem_size - 8. */
#define STACK_RESERVE (512ull * 1024)

const struct spt_boot_info *spt_bi;

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/*
 * Strips leading --solo5:LEVEL options (whole words only) and applies them;
 * the application sees the rest. Like upstream, parsing stops at the first
 * word that is not one of these options.
 */
static const char *cmdline_parse(const char *p)
{
    static const struct {
        const char *word;
        enum log_level level;
    } opts[] = {
        {"--solo5:quiet", LOG_QUIET}, {"--solo5:error", LOG_ERROR},
        {"--solo5:warn", LOG_WARN},   {"--solo5:info", LOG_INFO},
        {"--solo5:debug", LOG_DEBUG},
    };

    while (is_space(*p))
        p++;
    for (;;) {
        bool matched = false;
        for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
            size_t n = strlen(opts[i].word);
            if (strncmp(p, opts[i].word, n) == 0 &&
                (p[n] == '\0' || is_space(p[n]))) {
                log_set_level(opts[i].level);
                p += n;
                matched = true;
                break;
            }
        }
        if (!matched)
            return p;
        while (is_space(*p))
            p++;
    }
}

static void banner(uint64_t heap_start, uint64_t heap_end, uint64_t mem_size)
{
    /* Section boundaries from spt_x86_64.lds. */
    extern char _stext[], _etext[], _erodata[], _end[];

    log_printf(LOG_INFO, "Solo5: Bindings version %s (spt ABI %u)\n",
               NABLA_SDK_VERSION, SPT_ABI_VERSION);
    log_printf(LOG_INFO, "Solo5: Memory map: %llu MB addressable:\n",
               (unsigned long long)(mem_size >> 20));
    log_printf(LOG_INFO, "Solo5:   reserved @ (0x0 - 0x%llx)\n",
               (unsigned long long)(uintptr_t)_stext - 1);
    log_printf(LOG_INFO, "Solo5:       text @ (0x%llx - 0x%llx)\n",
               (unsigned long long)(uintptr_t)_stext,
               (unsigned long long)(uintptr_t)_etext - 1);
    log_printf(LOG_INFO, "Solo5:     rodata @ (0x%llx - 0x%llx)\n",
               (unsigned long long)(uintptr_t)_etext,
               (unsigned long long)(uintptr_t)_erodata - 1);
    log_printf(LOG_INFO, "Solo5:       data @ (0x%llx - 0x%llx)\n",
               (unsigned long long)(uintptr_t)_erodata,
               (unsigned long long)(uintptr_t)_end - 1);
    log_printf(LOG_INFO,
               "Solo5:       heap @ (0x%llx - 0x%llx), stack below 0x%llx\n",
               (unsigned long long)heap_start, (unsigned long long)heap_end - 1,
               (unsigned long long)mem_size);
}

static void list_devices(void)
{
    const struct mft *m = spt_bi->mft;

    for (uint32_t i = 1; i < m->entries && i < MFT_MAX_ENTRIES; i++) {
        const struct mft_entry *e = &m->e[i];
        if (e->type == MFT_DEV_BLOCK_BASIC)
            log_printf(LOG_DEBUG,
                       "Solo5: device %u: block '%s', %llu bytes in blocks "
                       "of %u%s\n",
                       i, e->name,
                       (unsigned long long)e->u.block_basic.capacity,
                       e->u.block_basic.block_size,
                       e->attached ? "" : " (not attached)");
        else if (e->type == MFT_DEV_NET_BASIC)
            log_printf(LOG_DEBUG, "Solo5: device %u: net '%s', mtu %u%s\n", i,
                       e->name, e->u.net_basic.mtu,
                       e->attached ? "" : " (not attached)");
    }
}

void spt_start(const struct spt_boot_info *bi) __attribute__((noreturn));

void spt_start(const struct spt_boot_info *bi)
{
    static struct solo5_start_info si;

    spt_bi = bi;
    /*
     * The tender may leave its own thread pointer in %fs. Zero it so that a
     * guest touching TLS before solo5_set_tls_base() faults on page 0
     * instead of reading the tender's memory.
     */
    (void)sys_arch_prctl(SYS_ARCH_SET_FS, 0);

    si.cmdline = cmdline_parse(bi->cmdline);

    /*
     * The heap starts at the first page after the loaded image and stops
     * STACK_RESERVE below the top of memory, where the initial stack lives.
     * kernel_end only counts segments with file contents (the ones the
     * tender loads); _end also covers a .bss-only data segment.
     */
    extern char _end[];
    uint64_t image_end = bi->kernel_end;
    if ((uint64_t)(uintptr_t)_end > image_end)
        image_end = (uint64_t)(uintptr_t)_end;
    uint64_t mem_top = bi->mem_size & ~(PAGE_SIZE - 1);
    uint64_t heap_start = (image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (heap_start < image_end || mem_top < STACK_RESERVE ||
        heap_start >= mem_top - STACK_RESERVE)
        spt_panic("not enough memory for a heap and the stack");
    uint64_t heap_end = mem_top - STACK_RESERVE;

    banner(heap_start, heap_end, bi->mem_size);
    list_devices();

    si.heap_start = (uintptr_t)heap_start;
    si.heap_size = (size_t)(heap_end - heap_start);
    solo5_exit(solo5_app_main(&si));
}
