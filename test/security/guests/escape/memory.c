/* memory.c: accesses the guest's page protections must refuse (SIGSEGV). */
#include "solo5.h"
#include "nabla_lib.h"
#include "spt_abi.h"
#include "escape.h"

/*
 * The tender mprotects each segment to exactly its ELF flags and leaves the
 * rest of guest memory read/write, never executable (docs/abi.md §1.2).
 * Every probe here is a plain instruction, no system call, so what stops it
 * is the page tables: SIGSEGV. Each executes or writes one `ret` byte, so a
 * probe the CPU allowed returns here and the caller reports it.
 */
#define RET 0xc3

typedef void (*code_fn)(void);

static uint8_t data_ret[16] = {RET};         /* .data: read/write, not exec */
static uint8_t bss_code[16];                 /* .bss: read/write, not exec */
static const uint8_t rodata_ret[16] = {RET}; /* .rodata: read only */
/* Read at run time, so gcc cannot turn the NULL access into a trap. */
static volatile uintptr_t page0 = 0;

static void run_at(uintptr_t addr)
{
    ((code_fn)addr)();
}

/* A byte of text rewritten with its own value: only the write matters. */
static void write_byte(uintptr_t addr)
{
    volatile uint8_t *p = (volatile uint8_t *)addr;
    *p = *p;
}

static void read_byte(uintptr_t addr)
{
    (void)*(volatile const uint8_t *)addr;
}

int probe_memory(const char *what, uintptr_t heap, uint64_t mem_size)
{
    extern char _stext[];
    volatile uint8_t stack_code[16] = {RET};

    if (strcmp(what, "exec-heap") == 0) {
        *(volatile uint8_t *)heap = RET;
        run_at(heap);
    } else if (strcmp(what, "exec-stack") == 0) {
        run_at((uintptr_t)stack_code);
    } else if (strcmp(what, "exec-data") == 0) {
        run_at((uintptr_t)data_ret);
    } else if (strcmp(what, "exec-bss") == 0) {
        bss_code[0] = RET;
        run_at((uintptr_t)bss_code);
    } else if (strcmp(what, "exec-rodata") == 0) {
        run_at((uintptr_t)rodata_ret);
    } else if (strcmp(what, "exec-boot-info") == 0) {
        /* The page the tender wrote the boot info and manifest into. */
        *(volatile uint8_t *)(SPT_BOOT_INFO_BASE + 0x800) = RET;
        run_at(SPT_BOOT_INFO_BASE + 0x800);
    } else if (strcmp(what, "write-text") == 0) {
        write_byte((uintptr_t)_stext);
    } else if (strcmp(what, "write-rodata") == 0) {
        write_byte((uintptr_t)rodata_ret);
    } else if (strcmp(what, "read-page0") == 0) {
        /* Below SPT_HOST_MEM_BASE nothing is mapped (vm.mmap_min_addr). */
        read_byte(page0);
    } else if (strcmp(what, "read-past-mem") == 0) {
        read_byte(mem_size);
    } else if (strcmp(what, "write-past-mem") == 0) {
        write_byte(mem_size);
    } else if (strcmp(what, "exec-past-mem") == 0) {
        run_at(mem_size);
    } else {
        return 1;
    }
    return 0;
}
