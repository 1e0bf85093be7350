/* io.h: reading a descriptor in full, for the ELF loader and plan reader. */
#ifndef NABLA_IO_H
#define NABLA_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads up to len bytes at offset, retrying short reads and EINTR, and stops
 * early only at end of file. Returns the number of bytes read, or -1 with
 * errno set. Offsets that do not fit off_t fail with EOVERFLOW.
 */
ssize_t nabla_pread_full(int fd, void *buf, size_t len, uint64_t offset);

/*
 * Reads exactly len bytes at offset. Returns 0, or -1 with "Could not read:
 * <why>" in msg (an error, or the offset where the file ended early).
 */
int nabla_read_exact(int fd, void *buf, size_t len, uint64_t offset, char *msg,
                     size_t msg_size);

#endif /* NABLA_IO_H */
