/* solo5.h: the Solo5 guest API (v0.12 compatible) that nabla unikernels use. */
#ifndef SOLO5_H_INCLUDED
#define SOLO5_H_INCLUDED

/*
 * Types, constants and semantics match upstream Solo5 v0.12 so that an
 * application written against upstream's header builds unchanged here. Only
 * the freestanding compiler headers are needed (no libc).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Results. Functions returning solo5_result_t give SOLO5_R_OK on success.
 * Applications should not depend on seeing EINVAL or EUNSPEC: an
 * implementation may abort instead of reporting an error. Functions with no
 * result either cannot fail in normal operation or abort when they do.
 */
typedef enum {
    SOLO5_R_OK = 0,     /* done */
    SOLO5_R_AGAIN = 1,  /* nothing to do now; the same call may work later */
    SOLO5_R_EINVAL = 2, /* an argument was rejected */
    SOLO5_R_EUNSPEC = 3 /* the host operation failed */
} solo5_result_t;

/*
 * Start of day. The bindings call solo5_app_main() once, with a pointer to
 * read-only information:
 *   cmdline     the guest command line, with leading --solo5:LEVEL options
 *               already removed;
 *   heap_start  start of one contiguous read/write, non-executable region
 *   heap_size   the application may use as it likes (heap, more stacks).
 * The initial stack grows down from just above the end of that region. No
 * other assumption about the memory layout is allowed. Returning from
 * solo5_app_main() is the same as calling solo5_exit() with its result.
 */
struct solo5_start_info {
    const char *cmdline;
    uintptr_t heap_start;
    size_t heap_size;
};

int solo5_app_main(const struct solo5_start_info *info);

/* Exit statuses; values of 255 and above belong to Solo5. */
#define SOLO5_EXIT_SUCCESS 0
#define SOLO5_EXIT_FAILURE 1
#define SOLO5_EXIT_ABORT 255

/* Ends the application and hands (status) to the host. */
void solo5_exit(int status) __attribute__((noreturn));

/* Ends the application abnormally, with status SOLO5_EXIT_ABORT. */
void solo5_abort(void) __attribute__((noreturn));

/*
 * Thread-local storage, local-exec model only (offsets from the thread
 * pointer are fixed at link time). For each thread:
 *   uintptr_t block = <solo5_tls_size() bytes of memory>;
 *   solo5_tls_init(block);                        copy .tdata, clear .tbss
 *   solo5_set_tls_base(solo5_tls_tp_offset(block));   switch to it
 */

/* Bytes needed for one thread's TLS block, control block included. */
size_t solo5_tls_size(void);

/* The thread pointer value that belongs to the TLS block at (tls). */
uintptr_t solo5_tls_tp_offset(uintptr_t tls);

/*
 * Fills in the TLS block at (tls): initial values, zeroed .tbss and the
 * architecture's control block. May return SOLO5_R_EINVAL when (tls) does not
 * meet the architecture's alignment requirements.
 */
solo5_result_t solo5_tls_init(uintptr_t tls);

/*
 * Loads (base) into the architecture's thread pointer register. May return
 * SOLO5_R_EINVAL when (base) is not acceptable there.
 */
solo5_result_t solo5_set_tls_base(uintptr_t base);

/*
 * Time, in nanoseconds. The monotonic clock counts from an unspecified point
 * and never goes back; the wall clock is the host's UTC time since the UNIX
 * epoch and costs a host call each time it is read.
 */
typedef uint64_t solo5_time_t;

solo5_time_t solo5_clock_monotonic(void);
solo5_time_t solo5_clock_wall(void);

/* A device handle, and a set of up to 64 of them (bit N = handle N). */
typedef uint64_t solo5_handle_t;
typedef uint64_t solo5_handle_set_t;

/*
 * Sleeps until the monotonic clock reaches (deadline) or at least one
 * network device has input waiting. When (ready_set) is not NULL it receives
 * the handles that have input.
 */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set);

/*
 * Writes (size) bytes of (buf) to the console. Best effort: it does not fail,
 * but output may be lost if the host is short of resources.
 */
void solo5_console_write(const char *buf, size_t size);

/* Network devices. */
#define SOLO5_NET_ALEN 6  /* bytes in an Ethernet address */
#define SOLO5_NET_HLEN 14 /* destination, source and type */

struct solo5_net_info {
    uint8_t mac_address[SOLO5_NET_ALEN];
    size_t mtu; /* payload bytes, the Ethernet header not included */
};

/*
 * Looks up the network device the manifest declares as (name) and stores its
 * handle and properties. Only one acquisition per device: later calls return
 * SOLO5_R_EINVAL.
 */
solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info);

/*
 * Sends one Ethernet frame (header included, at most mtu + SOLO5_NET_HLEN
 * bytes) without blocking; a frame the host cannot take now is dropped.
 */
solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size);

/*
 * Receives one Ethernet frame without blocking into (buf), which must hold at
 * least mtu + SOLO5_NET_HLEN bytes. Returns SOLO5_R_AGAIN when no frame is
 * waiting, else SOLO5_R_OK with the frame's length in (*read_size).
 */
solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size);

/*
 * Block devices. The unit of I/O is solo5_block_info.block_size: every
 * transfer is exactly one block, at an offset that is a multiple of it.
 */
typedef uint64_t solo5_off_t; /* a byte offset on a block device */

struct solo5_block_info {
    solo5_off_t capacity;   /* bytes */
    solo5_off_t block_size; /* bytes per transfer */
};

/*
 * Looks up the block device the manifest declares as (name) and stores its
 * handle and properties. Only one acquisition per device: later calls return
 * SOLO5_R_EINVAL.
 */
solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info);

/*
 * Writes (size) bytes from (buf) at byte (offset), entirely or not at all.
 * (size) must be the block size and (offset) a multiple of it inside the
 * device, otherwise SOLO5_R_EINVAL.
 */
solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size);

/*
 * Reads (size) bytes at byte (offset) into (buf), never fewer. Same argument
 * rules as solo5_block_write().
 */
solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size);

#endif /* SOLO5_H_INCLUDED */
