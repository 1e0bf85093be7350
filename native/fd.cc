/* fd.cc: file status flags of descriptors handed to nabla (O_NONBLOCK). */
#include "addon.h"
#include "errors.h"

#include <fcntl.h>

#include <cerrno>
#include <string>

namespace nabla
{
namespace
{

/*
 * setNonBlocking(fd)
 *
 * O_NONBLOCK is a flag of the open file description, not of the number: it
 * survives dup2 and exec, so setting it here is what the guest later sees on
 * its host_fd. The other status flags (O_APPEND, ...) are kept, unlike a
 * bare F_SETFL O_NONBLOCK, which would clear them.
 */
Napi::Value SetNonBlocking(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int fd = info[0].As<Napi::Number>().Int32Value();
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        ThrowErrno(env, errno, "fcntl", "F_GETFL fd " + std::to_string(fd));
    if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        ThrowErrno(env, errno, "fcntl", "F_SETFL fd " + std::to_string(fd));
    return env.Undefined();
}

} // namespace

void RegisterFd(Napi::Env env, Napi::Object exports)
{
    exports.Set("setNonBlocking", Napi::Function::New(env, SetNonBlocking));
}

} // namespace nabla
