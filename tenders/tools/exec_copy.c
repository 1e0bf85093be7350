/* exec_copy.c: an execute-only copy of a program, so that it runs non-dumpable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confine.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: say that this memfd will be exec'd */
#endif

/* Copies all of (in) to (out); 0 or errno. */
static int copy_all(int in, int out)
{
    char buf[65536];

    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? 0 : errno;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return errno;
            done += w;
        }
    }
}

/*
 * The exec resets dumpability from the file: a program the new user may read
 * runs dumpable, and any other process of that user could then attach to it
 * and take the devices it holds. A copy that user may only execute keeps it
 * non-dumpable, as a guest is. The copy is sealed; the descriptor returned
 * is read-only, since the exec refuses a file open for writing.
 */
int confine_exec_copy(const char *program, char *err, size_t errlen)
{
    int in, rw, ro = -1, e = 0;
    char path[64], magic[4];
    struct stat st;

    in = open(program, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", program, strerror(errno));
        return -1;
    }
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", program);
        close(in);
        return -1;
    }
    /* A script's interpreter would have to read the copy, which it may not. */
    if (pread(in, magic, sizeof magic, 0) != (ssize_t)sizeof magic ||
        memcmp(magic, "\177ELF", sizeof magic) != 0) {
        snprintf(err, errlen,
                 "%s: not an ELF executable (only a compiled program runs "
                 "from an execute-only copy)",
                 program);
        close(in);
        return -1;
    }
    rw = memfd_create("nabla-hosted",
                      MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (rw < 0 && errno == EINVAL) /* before Linux 6.3 */
        rw = memfd_create("nabla-hosted", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (rw < 0)
        e = errno;
    else if ((e = copy_all(in, rw)) == 0) {
        if (fchmod(rw, 0111) != 0 || fcntl(rw, F_ADD_SEALS,
                                           F_SEAL_SHRINK | F_SEAL_GROW |
                                               F_SEAL_WRITE | F_SEAL_SEAL) != 0)
            e = errno;
        snprintf(path, sizeof path, "/proc/self/fd/%d", rw);
        if (e == 0 && (ro = open(path, O_RDONLY | O_CLOEXEC)) < 0)
            e = errno;
    }
    if (rw >= 0)
        close(rw);
    close(in);
    if (ro < 0)
        snprintf(err, errlen, "%s: cannot make an execute-only copy: %s",
                 program, strerror(e));
    return ro;
}
