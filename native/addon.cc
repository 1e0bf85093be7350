/* addon.cc: registers the nabla_native module and its functions. */
#include "addon.h"

namespace
{

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
    nabla::RegisterSeccomp(env, exports);
    nabla::RegisterMemfd(env, exports);
    nabla::RegisterTap(env, exports);
    nabla::RegisterExec(env, exports);
    nabla::RegisterFd(env, exports);
    nabla::RegisterSyscallNames(env, exports);
    nabla::RegisterAccounts(env, exports);
    nabla::RegisterEngine(env, exports);
    nabla::RegisterPeerCred(env, exports);
    nabla::RegisterOci(env, exports);
    return exports;
}

} // namespace

NODE_API_MODULE(nabla_native, Init)
