/* memfd.cc: sealable anonymous files that carry the launch plan to the tender.
 */
#include "addon.h"
#include "errors.h"

#include <fcntl.h>
#include <sys/mman.h>

#include <cerrno>
#include <string>

namespace nabla
{
namespace
{

/*
 * memfdCreate(name, cloexec) -> fd
 *
 * Always sealable: the plan is written, then sealed, and only then handed to
 * the tender, which can rely on the bytes not changing under it.
 */
Napi::Value MemfdCreate(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string name = info[0].As<Napi::String>().Utf8Value();
    bool cloexec = info[1].As<Napi::Boolean>().Value();
    unsigned int flags = MFD_ALLOW_SEALING | (cloexec ? MFD_CLOEXEC : 0U);
    int fd = memfd_create(name.c_str(), flags);
    if (fd < 0)
        ThrowErrno(env, errno, "memfd_create", name);
    return Napi::Number::New(env, fd);
}

// sealMemfd(fd): no more writes, no size changes, no further seals.
Napi::Value SealMemfd(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int fd = info[0].As<Napi::Number>().Int32Value();
    int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    if (fcntl(fd, F_ADD_SEALS, seals) < 0)
        ThrowErrno(env, errno, "fcntl", "F_ADD_SEALS fd " + std::to_string(fd));
    return env.Undefined();
}

} // namespace

void RegisterMemfd(Napi::Env env, Napi::Object exports)
{
    exports.Set("memfdCreate", Napi::Function::New(env, MemfdCreate));
    exports.Set("sealMemfd", Napi::Function::New(env, SealMemfd));
}

} // namespace nabla
