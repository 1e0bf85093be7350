/* io.c: reading a descriptor in full, retrying short reads and EINTR. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "msg.h"

ssize_t nabla_pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
    uint8_t *p = buf;
    size_t done = 0;
    uint64_t end;

    /*
     * The ssize_t result must be able to hold len, and every offset we pass
     * to pread must be a non-negative off_t; refuse rather than wrap.
     */
    if (len > SSIZE_MAX || __builtin_add_overflow(offset, len, &end) ||
        end > (uint64_t)INT64_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    while (done < len) {
        ssize_t n = pread(fd, p + done, len - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break; /* end of file: the caller decides if that is short */
        done += (size_t)n;
    }
    return (ssize_t)done;
}

int nabla_read_exact(int fd, void *buf, size_t len, uint64_t offset, char *msg,
                     size_t msg_size)
{
    ssize_t n = nabla_pread_full(fd, buf, len, offset);

    if (n < 0)
        return nabla_msg(msg, msg_size, "Could not read: %s", strerror(errno));
    if ((size_t)n != len)
        return nabla_msg(msg, msg_size,
                         "Could not read: unexpected end of file at offset "
                         "0x%llx",
                         (unsigned long long)(offset + (uint64_t)n));
    return 0;
}
