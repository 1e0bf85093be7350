/* fd_pass.c: a message on a unix socket with one descriptor attached. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "fd_pass.h"

ssize_t nabla_send_with_fd(int sock, struct iovec *iov, int iovcnt, int fd)
{
    union {
        struct cmsghdr align; /* CMSG_DATA must be aligned for an int */
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr mh;
    ssize_t n;

    memset(&mh, 0, sizeof mh);
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t)iovcnt;
    if (fd >= 0) {
        struct cmsghdr *c;

        memset(&control, 0, sizeof control);
        mh.msg_control = control.buf;
        mh.msg_controllen = sizeof control.buf;
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
}
