/* addon.h: the per-purpose registration functions that addon.cc calls. */
#ifndef NABLA_NATIVE_ADDON_H
#define NABLA_NATIVE_ADDON_H

#include <napi.h>

namespace nabla
{

// Each adds its functions to the module's exports object.
void RegisterSeccomp(Napi::Env env, Napi::Object exports);
void RegisterMemfd(Napi::Env env, Napi::Object exports);
void RegisterTap(Napi::Env env, Napi::Object exports);
void RegisterExec(Napi::Env env, Napi::Object exports);
void RegisterFd(Napi::Env env, Napi::Object exports);
void RegisterSyscallNames(Napi::Env env, Napi::Object exports);
void RegisterAccounts(Napi::Env env, Napi::Object exports);
void RegisterEngine(Napi::Env env, Napi::Object exports);
void RegisterPeerCred(Napi::Env env, Napi::Object exports);
void RegisterOci(Napi::Env env, Napi::Object exports);

} // namespace nabla

#endif
