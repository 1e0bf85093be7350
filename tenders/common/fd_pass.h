/* fd_pass.h: a message on a unix socket with one descriptor attached. */
#ifndef NABLA_FD_PASS_H
#define NABLA_FD_PASS_H

#include <sys/types.h>
#include <sys/uio.h>

/*
 * Sends iov (iovcnt parts, at least one byte in all) on the unix socket
 * sock, with fd attached (SCM_RIGHTS) when fd >= 0, MSG_NOSIGNAL: a peer
 * gone is EPIPE, not a signal. Retries EINTR. Returns sendmsg's count, or -1
 * with errno set.
 */
ssize_t nabla_send_with_fd(int sock, struct iovec *iov, int iovcnt, int fd);

#endif /* NABLA_FD_PASS_H */
