/* core.h: what the API code shared by the spt and hosted targets needs. */
#ifndef NABLA_SDK_CORE_H
#define NABLA_SDK_CORE_H

/*
 * sdk/common holds the API's logic (argument checks, device lookup, yield,
 * logging) once, for both targets, so that a guest and its hosted twin
 * accept and refuse exactly the same calls. Each target supplies "host.h"
 * (found through its own include directory): the handful of host
 * operations below, as inline functions returning a result or -errno the
 * way raw Linux system calls do. On spt they are the syscall instructions
 * the tender's filter allows; hosted they are the libc calls.
 */
#include "solo5.h"
#include "nabla_lib.h"
#include "spt_abi.h"

#define NABLA_SDK_VERSION "nabla-0.1.0"
#define NSEC_PER_SEC 1000000000ull

/* Linux x86_64 numbers; both targets run on it. */
#define HOST_EINTR 4
#define HOST_EAGAIN 11
#define HOST_CLOCK_REALTIME 0
#define HOST_CLOCK_MONOTONIC 1

/*
 * Provided by each target's host.h, -errno on failure:
 *   long host_read(int fd, void *buf, size_t n);
 *   long host_write(int fd, const void *buf, size_t n);
 *   long host_pread(int fd, void *buf, size_t n, uint64_t off);
 *   long host_pwrite(int fd, const void *buf, size_t n, uint64_t off);
 *   long host_clock_ns(int clock, uint64_t *ns);
 *   long host_timer_set(int timerfd, uint64_t deadline_ns);  absolute
 *   long host_epoll_wait(int epfd, uint64_t *data, int max, int timeout_ms);
 *   void host_exit(int status);                              no return
 */
#include "host.h"

/* Levels of the bindings' own messages, set by --solo5:LEVEL. */
enum log_level {
    LOG_QUIET = 0,
    LOG_ERROR,
    LOG_WARN,
    LOG_INFO,
    LOG_DEBUG,
};

/*
 * What the target's start code found (spt: the boot info) or made (hosted:
 * from its command line) before solo5_app_main(): the tender-filled style
 * manifest, with hostfd/attached set for each device, and the epoll set and
 * timerfd solo5_yield() uses.
 */
struct sdk_host {
    const struct mft *mft;
    int epollfd;
    int timerfd;
};
extern struct sdk_host sdk_host;

void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
/* Prints to the console when the current level is at least (level). */
void log_printf(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* isspace() of the C locale, without a libc. */
bool sdk_isspace(char c);

/*
 * Applies leading --solo5:LEVEL words of (cmdline) and returns the rest,
 * which is what the application sees.
 */
const char *cmdline_apply_options(const char *cmdline);

/*
 * The manifest entry for (handle) when it is attached and of (type), or NULL.
 * Handles are indices into the manifest.
 */
const struct mft_entry *mft_entry_by_handle(solo5_handle_t handle,
                                            uint32_t type);
/* Finds an attached, not yet acquired device; marks it acquired. */
solo5_result_t mft_acquire(const char *name, uint32_t type,
                           solo5_handle_t *handle,
                           const struct mft_entry **entry);
/* Lists the manifest's devices at LOG_DEBUG. */
void mft_log_devices(void);

/* Prints a message containing "ABORT" and exits with SOLO5_EXIT_ABORT. */
void sdk_panic(const char *what) __attribute__((noreturn));

#endif /* NABLA_SDK_CORE_H */
