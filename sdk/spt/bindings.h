/* bindings.h: what the spt bindings' files share with each other. */
#ifndef NABLA_SDK_BINDINGS_H
#define NABLA_SDK_BINDINGS_H

#include "solo5.h"
#include "nabla_lib.h"
#include "spt_abi.h"
#include "sys_x86_64.h"

#define NABLA_SDK_VERSION "nabla-0.1.0"

#define PAGE_SIZE 4096ull
#define NSEC_PER_SEC 1000000000ull

/* Levels of the bindings' own messages, set by --solo5:LEVEL. */
enum log_level {
    LOG_QUIET = 0,
    LOG_ERROR,
    LOG_WARN,
    LOG_INFO,
    LOG_DEBUG,
};

/* The boot information the tender handed to _start; set before any use. */
extern const struct spt_boot_info *spt_bi;

void log_set_level(enum log_level level);
/* Prints to the console when the current level is at least (level). */
void log_printf(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The manifest entry for (handle) when it is attached and of (type), or NULL.
 * Handles are indices into the tender-filled manifest.
 */
struct mft_entry *mft_entry_by_handle(solo5_handle_t handle, uint32_t type);
/* Finds an attached, not yet acquired device; marks it acquired. */
solo5_result_t mft_acquire(const char *name, uint32_t type,
                           solo5_handle_t *handle, struct mft_entry **entry);

/* Prints a message containing "ABORT" and exits with SOLO5_EXIT_ABORT. */
void spt_panic(const char *what) __attribute__((noreturn));

#endif /* NABLA_SDK_BINDINGS_H */
