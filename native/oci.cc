/* oci.cc: the host calls nabla-oci needs and Node lacks: a pty, a descriptor
 * sent over a unix socket, setns. */
#include "addon.h"
#include "errors.h"
#include "unique_fd.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace nabla
{
namespace
{

/*
 * openPty() -> [masterFd, slaveFd]
 *
 * Both close-on-exec: the caller hands the slave to a child as its stdio
 * (which clears the flag on the child's copies) and the master to the
 * console socket. O_NOCTTY: this process must not take the terminal.
 */
Napi::Value OpenPty(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (master.get() < 0)
        ThrowErrno(env, errno, "posix_openpt", "/dev/ptmx");
    if (grantpt(master.get()) < 0)
        ThrowErrno(env, errno, "grantpt", "/dev/ptmx");
    if (unlockpt(master.get()) < 0)
        ThrowErrno(env, errno, "unlockpt", "/dev/ptmx");
    char name[128];
    if (ptsname_r(master.get(), name, sizeof(name)) != 0)
        ThrowErrno(env, errno, "ptsname_r", "/dev/ptmx");
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        ThrowErrno(env, errno, "open", name);
    Napi::Array result = Napi::Array::New(env, 2);
    result.Set(0u, Napi::Number::New(env, master.release()));
    result.Set(1u, Napi::Number::New(env, slave));
    return result;
}

/*
 * sendFdTo(socketPath, fd)
 *
 * Connects to the listening unix stream socket at socketPath (runc's
 * --console-socket) and sends fd with SCM_RIGHTS, with one byte of data (a
 * stream socket carries no ancillary data without some), then closes the
 * connection. The receiver gets its own copy; the caller still owns fd.
 */
Napi::Value SendFdTo(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>().Utf8Value();
    int fd = info[1].As<Napi::Number>().Int32Value();
    struct sockaddr_un addr;
    std::memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path))
        ThrowErrno(env, ENAMETOOLONG, "connect", path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (sock.get() < 0)
        ThrowErrno(env, errno, "socket", path);
    if (connect(sock.get(), reinterpret_cast<struct sockaddr *>(&addr),
                sizeof(addr)) < 0)
        ThrowErrno(env, errno, "connect", path);
    char byte = 0;
    struct iovec iov = {&byte, 1};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    std::memset(control, 0, sizeof(control));
    struct msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(sock.get(), &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        ThrowErrno(env, errno, "sendmsg", path);
    return env.Undefined();
}

/*
 * setNamespace(path, nstype)
 *
 * setns(2) for the calling thread (Node's main thread): a network namespace
 * joined so is where sockets and taps this thread opens afterwards live, and
 * what a program it execs keeps.
 */
Napi::Value SetNamespace(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>().Utf8Value();
    int nstype = info[1].As<Napi::Number>().Int32Value();
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        ThrowErrno(env, errno, "open", path);
    if (setns(fd.get(), nstype) < 0)
        ThrowErrno(env, errno, "setns", path);
    return env.Undefined();
}

} // namespace

void RegisterOci(Napi::Env env, Napi::Object exports)
{
    exports.Set("openPty", Napi::Function::New(env, OpenPty));
    exports.Set("sendFdTo", Napi::Function::New(env, SendFdTo));
    exports.Set("setNamespace", Napi::Function::New(env, SetNamespace));
}

} // namespace nabla
