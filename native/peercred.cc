/* peercred.cc: the credentials of the process at the other end of a unix socket
 * (SO_PEERCRED). */
#include "addon.h"
#include "errors.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <string>

namespace nabla
{
namespace
{

/*
 * peerCredentials(fd) -> { pid, uid, gid }
 *
 * The kernel records the peer's ids when it connects (or when the pair is
 * made), so what this returns is who connected, not who holds the socket
 * now. Node has no call for it; the daemon checks it on every connection.
 * Whether the ids are allowed is TypeScript's business.
 */
Napi::Value PeerCredentials(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int fd = info[0].As<Napi::Number>().Int32Value();
    struct ucred cred = {};
    socklen_t size = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) < 0)
        ThrowErrno(env, errno, "getsockopt",
                   "SO_PEERCRED fd " + std::to_string(fd));
    Napi::Object record = Napi::Object::New(env);
    record.Set("pid", Napi::Number::New(env, cred.pid));
    record.Set("uid", Napi::Number::New(env, cred.uid));
    record.Set("gid", Napi::Number::New(env, cred.gid));
    return record;
}

} // namespace

void RegisterPeerCred(Napi::Env env, Napi::Object exports)
{
    exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials));
}

} // namespace nabla
