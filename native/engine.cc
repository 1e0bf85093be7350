/* engine.cc: the start engine's host calls: fd-passing messages, pipes. */
#include "addon.h"
#include "errors.h"
#include "unique_fd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace nabla
{
namespace
{

/* The most descriptors a message carries: stdio, 63 devices, 8 cgroups. */
constexpr size_t kMaxFds = 74;
/* The largest message either side sends (nabla_engine.h). */
constexpr size_t kMaxMessage = 65536;

/*
 * seqpacketPair() -> [fd, fd]
 *
 * Both ends close-on-exec: the orchestrator hands one to the template as an
 * inherited descriptor, by number, which clears the flag on the copy.
 */
Napi::Value SeqpacketPair(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        ThrowErrno(env, errno, "socketpair", "AF_UNIX SOCK_SEQPACKET");
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, fds[0]);
    out.Set(1u, fds[1]);
    return out;
}

/*
 * engineSend(fd, data, fds) -> boolean
 *
 * One message, with the descriptors as SCM_RIGHTS (the kernel copies them:
 * the caller still owns and closes its own). Never blocks: false when the
 * socket is full (the template is behind and the caller must read its
 * replies before it can send more: both sides blocking in send would wait
 * for each other). MSG_NOSIGNAL: a template that is gone is an EPIPE
 * error, not a SIGPIPE.
 */
Napi::Value EngineSend(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int sock = info[0].As<Napi::Number>().Int32Value();
    Napi::Buffer<uint8_t> data = info[1].As<Napi::Buffer<uint8_t>>();
    Napi::Array list = info[2].As<Napi::Array>();
    std::vector<int> fds;
    for (uint32_t i = 0; i < list.Length(); i++)
        fds.push_back(list.Get(i).As<Napi::Number>().Int32Value());
    if (fds.size() > kMaxFds || data.Length() > kMaxMessage)
        ThrowErrno(env, EMSGSIZE, "sendmsg", "engine message");

    struct iovec iov = {data.Data(), data.Length()};
    struct msghdr mh;
    std::memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    std::vector<char> control(CMSG_SPACE(sizeof(int) * kMaxFds), 0);
    if (!fds.empty()) {
        mh.msg_control = control.data();
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return Napi::Boolean::New(env, false);
    if (n < 0)
        ThrowErrno(env, errno, "sendmsg", "engine socket");
    return Napi::Boolean::New(env, true);
}

/* waitWritable(fd, timeoutMs) -> boolean: room to send within the time. */
Napi::Value WaitWritable(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int sock = info[0].As<Napi::Number>().Int32Value();
    int timeout = info[1].As<Napi::Number>().Int32Value();
    struct pollfd p = {sock, POLLOUT, 0};
    int ready;
    do
        ready = poll(&p, 1, timeout);
    while (ready < 0 && errno == EINTR);
    if (ready < 0)
        ThrowErrno(env, errno, "poll", "engine socket");
    return Napi::Boolean::New(env, ready > 0);
}

/*
 * engineReceive(fd, timeoutMs) -> { data, fds } | null | undefined
 *
 * Waits at most timeoutMs for one message, then reads it whole; null when
 * the other end has closed, undefined when nothing came in time (0: do not
 * wait). Received descriptors are close-on-exec and the caller's.
 */
Napi::Value EngineReceive(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int sock = info[0].As<Napi::Number>().Int32Value();
    int timeout = info[1].As<Napi::Number>().Int32Value();

    struct pollfd p = {sock, POLLIN, 0};
    int ready;
    do
        ready = poll(&p, 1, timeout);
    while (ready < 0 && errno == EINTR);
    if (ready < 0)
        ThrowErrno(env, errno, "poll", "engine socket");
    if (ready == 0)
        return env.Undefined();

    // Reused: replies are small, and zeroing 64 KiB per call would cost more.
    thread_local std::vector<uint8_t> data(kMaxMessage);
    std::vector<char> control(CMSG_SPACE(sizeof(int) * kMaxFds), 0);
    struct iovec iov = {data.data(), data.size()};
    struct msghdr mh;
    std::memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control.data();
    mh.msg_controllen = control.size();
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != ECONNRESET)
        ThrowErrno(env, errno, "recvmsg", "engine socket");
    if (n <= 0)
        return env.Null();

    Napi::Array fds = Napi::Array::New(env);
    uint32_t count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != nullptr;
         c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k; i++) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            fds.Set(count++, fd);
        }
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("data", Napi::Buffer<uint8_t>::Copy(env, data.data(), n));
    out.Set("fds", fds);
    out.Set("truncated", (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0);
    return out;
}

/* pipeCloexec() -> [read, write]: a guest's stdout or stderr. */
Napi::Value PipeCloexec(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        ThrowErrno(env, errno, "pipe2", "guest output");
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, fds[0]);
    out.Set(1u, fds[1]);
    return out;
}

/*
 * pidfdSignal(pidfd, signal) -> boolean
 *
 * Sends to exactly the process the pidfd names, never to a process that
 * has since taken its pid; false if it has ended.
 */
Napi::Value PidfdSignal(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int pidfd = info[0].As<Napi::Number>().Int32Value();
    int sig = info[1].As<Napi::Number>().Int32Value();
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0)
        return Napi::Boolean::New(env, true);
    if (errno == ESRCH)
        return Napi::Boolean::New(env, false);
    ThrowErrno(env, errno, "pidfd_send_signal",
               "pidfd " + std::to_string(pidfd));
}

} // namespace

void RegisterExitWatch(Napi::Env env, Napi::Object exports);

void RegisterEngine(Napi::Env env, Napi::Object exports)
{
    exports.Set("seqpacketPair", Napi::Function::New(env, SeqpacketPair));
    exports.Set("engineSend", Napi::Function::New(env, EngineSend));
    exports.Set("engineReceive", Napi::Function::New(env, EngineReceive));
    exports.Set("waitWritable", Napi::Function::New(env, WaitWritable));
    exports.Set("pipeCloexec", Napi::Function::New(env, PipeCloexec));
    exports.Set("pidfdSignal", Napi::Function::New(env, PidfdSignal));
    RegisterExitWatch(env, exports);
}

} // namespace nabla
