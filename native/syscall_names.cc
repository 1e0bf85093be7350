/* syscall_names.cc: x86_64 syscall numbers to names, from libseccomp's table.
 */
#include "addon.h"

#include <seccomp.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace nabla
{
namespace
{

/*
 * x86_64 numbers are small and dense (0 to about 460 today); everything from
 * here to the x32 bit (0x40000000) is unassigned, so this bound leaves room
 * for new syscalls without scanning a billion numbers.
 */
constexpr int kMaxNr = 1024;

struct FreeName {
    void operator()(char *name) const
    {
        std::free(name);
    }
};

/*
 * The name libseccomp knows for nr on x86_64, or an empty string. The
 * returned string is malloc'd by libseccomp and ours to free.
 */
std::string NameOf(int nr)
{
    std::unique_ptr<char, FreeName> name(
        seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr));
    return name ? std::string(name.get()) : std::string();
}

// syscallName(nr) -> the x86_64 name, or undefined if libseccomp has none.
Napi::Value SyscallName(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string name = NameOf(info[0].As<Napi::Number>().Int32Value());
    if (name.empty())
        return env.Undefined();
    return Napi::String::New(env, name);
}

// syscallTable() -> [[nr, name], ...] for every number libseccomp names.
Napi::Value SyscallTable(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    uint32_t at = 0;
    for (int nr = 0; nr < kMaxNr; nr++) {
        std::string name = NameOf(nr);
        if (name.empty())
            continue;
        Napi::Array pair = Napi::Array::New(env, 2);
        pair.Set(0u, Napi::Number::New(env, nr));
        pair.Set(1u, Napi::String::New(env, name));
        out.Set(at++, pair);
    }
    return out;
}

} // namespace

void RegisterSyscallNames(Napi::Env env, Napi::Object exports)
{
    exports.Set("syscallName", Napi::Function::New(env, SyscallName));
    exports.Set("syscallTable", Napi::Function::New(env, SyscallTable));
}

} // namespace nabla
