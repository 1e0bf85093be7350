/* guest_mem.h: guest memory, and what the tender writes into it for boot. */
#ifndef NABLA_GUEST_MEM_H
#define NABLA_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "elf_notes.h"
#include "plan_read.h"

/*
 * Maps guest memory [SPT_HOST_MEM_BASE, mem_size) at the same host
 * addresses, read-write (and executable with x_exec_heap), after checking
 * that the tender's own image lies above it. Exits on failure.
 */
void guest_mem_map(uint64_t mem_size, bool x_exec_heap);

/*
 * Copies the manifest into guest memory after the boot info, attaches each
 * plan device to its entry, and refuses declared devices left unattached;
 * then copies the command line after the manifest. Exits on failure.
 */
void guest_mem_write_manifest(const struct plan *plan,
                              const struct solo5_notes *notes);

/*
 * The first 8-aligned byte after the boot data (the command line's end):
 * zero from there up to SPT_GUEST_MIN_BASE. After guest_mem_write_manifest.
 */
uint64_t guest_mem_boot_end(const struct plan *plan);

/* Fills struct spt_boot_info at SPT_BOOT_INFO_BASE. */
void guest_mem_write_boot_info(const struct plan *plan, uint64_t kernel_end);

#endif /* NABLA_GUEST_MEM_H */
