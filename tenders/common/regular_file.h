/* regular_file.h: opens only regular files; checks a descriptor holds one. */
#ifndef NABLA_REGULAR_FILE_H
#define NABLA_REGULAR_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The type of a file that is not a regular one, as the reason says it:
 * "a directory", "a FIFO", ... (src/regular-file.ts says the same words).
 */
const char *nabla_file_kind(mode_t mode);

/*
 * Opens path with flags (O_RDONLY or O_RDWR; O_CLOEXEC is added) only if it
 * is a regular file, without opening anything else: stat first and refuse a
 * non-regular file unopened (a FIFO would wait for a writer, a device may act
 * on the open), then open with O_NONBLOCK and O_NOCTTY, and refuse the
 * descriptor unless it is that same regular file (it changed in between).
 * Returns the descriptor, or -1 with the reason in msg: strerror's text, or
 * "Not a regular file (a FIFO)", or "File replaced while being opened".
 * O_NONBLOCK stays set: reads and writes of a regular file ignore it.
 */
int nabla_open_regular(const char *path, int flags, char *msg, size_t msg_size);

/*
 * Checks that an inherited descriptor holds a regular file. Returns 0, or -1
 * with the reason in msg as above.
 */
int nabla_check_regular(int fd, char *msg, size_t msg_size);

#endif /* NABLA_REGULAR_FILE_H */
