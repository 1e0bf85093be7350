/* regular_file.c: opens only regular files; checks a descriptor holds one. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "regular_file.h"

const char *nabla_file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a known file type";
}

static int not_regular(mode_t mode, char *msg, size_t msg_size)
{
    return nabla_msg(msg, msg_size, "Not a regular file (%s)",
                     nabla_file_kind(mode));
}

int nabla_open_regular(const char *path, int flags, char *msg, size_t msg_size)
{
    struct stat before, after;
    int fd;

    if (stat(path, &before) != 0)
        return nabla_msg(msg, msg_size, "%s", strerror(errno));
    if (!S_ISREG(before.st_mode))
        return not_regular(before.st_mode, msg, msg_size);
    fd = open(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return nabla_msg(msg, msg_size, "%s", strerror(errno));
    if (fstat(fd, &after) != 0) {
        int err = errno;
        close(fd);
        return nabla_msg(msg, msg_size, "%s", strerror(err));
    }
    if (!S_ISREG(after.st_mode)) {
        close(fd);
        return not_regular(after.st_mode, msg, msg_size);
    }
    if (after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
        close(fd);
        return nabla_msg(msg, msg_size, "File replaced while being opened");
    }
    return fd;
}

int nabla_check_regular(int fd, char *msg, size_t msg_size)
{
    struct stat st;

    if (fstat(fd, &st) != 0)
        return nabla_msg(msg, msg_size, "%s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return not_regular(st.st_mode, msg, msg_size);
    return 0;
}
