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

void spt_start(const struct spt_boot_info *bi) __attribute__((noreturn));

/*
 * Like ssp.c, this file is compiled without the stack protector: spt_start
 * runs before the guard is set (and never returns, so it never checks one).
 */
void spt_start(const struct spt_boot_info *bi)
{
    static struct solo5_start_info si;

    /* Before any protected function that will return is entered. */
    ssp_init();
    sdk_host.mft = bi->mft;
    sdk_host.epollfd = bi->epollfd;
    sdk_host.timerfd = bi->timerfd;
    /*
     * The tender may leave its own thread pointer in %fs. Zero it so that a
     * guest touching TLS before solo5_set_tls_base() faults on page 0
     * instead of reading the tender's memory.
     */
    (void)sys_arch_prctl(SYS_ARCH_SET_FS, 0);

    si.cmdline = cmdline_apply_options(bi->cmdline);

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
        sdk_panic("not enough memory for a heap and the stack");
    uint64_t heap_end = mem_top - STACK_RESERVE;

    banner(heap_start, heap_end, bi->mem_size);
    mft_log_devices();

    si.heap_start = (uintptr_t)heap_start;
    si.heap_size = (size_t)(heap_end - heap_start);
    heap_init(si.heap_start, si.heap_size);
    solo5_exit(solo5_app_main(&si));
}
