/* seccomp_compile.cc: compiles an allowlist into BPF and PFC with libseccomp.
 */
#include "addon.h"
#include "errors.h"
#include "unique_fd.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

namespace nabla
{
namespace
{

struct CtxRelease {
    void operator()(void *ctx) const
    {
        seccomp_release(ctx);
    }
};
using FilterCtx = std::unique_ptr<void, CtxRelease>;

void SetAttr(Napi::Env env, scmp_filter_ctx ctx, enum scmp_filter_attr attr,
             uint32_t value, const char *attr_name)
{
    int rc = seccomp_attr_set(ctx, attr, value);
    if (rc < 0)
        ThrowErrno(env, -rc, "seccomp_attr_set", attr_name);
}

/*
 * libseccomp 2.5.4 can only export to a file descriptor, so export into an
 * anonymous memfd and read it back. The memfd is private to this call and
 * closed by its guard on every path.
 */
std::string Export(Napi::Env env, scmp_filter_ctx ctx, bool bpf)
{
    const char *call = bpf ? "seccomp_export_bpf" : "seccomp_export_pfc";
    UniqueFd fd(memfd_create("nabla-seccomp-export", MFD_CLOEXEC));
    if (fd.get() < 0)
        ThrowErrno(env, errno, "memfd_create", "nabla-seccomp-export");
    int rc = bpf ? seccomp_export_bpf(ctx, fd.get())
                 : seccomp_export_pfc(ctx, fd.get());
    if (rc < 0)
        ThrowErrno(env, -rc, call, "memfd");
    if (lseek(fd.get(), 0, SEEK_SET) < 0)
        ThrowErrno(env, errno, "lseek", "seccomp export memfd");

    std::string out;
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd.get(), chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            ThrowErrno(env, errno, "read", "seccomp export memfd");
        if (n == 0)
            break;
        out.append(chunk, static_cast<size_t>(n));
    }
    return out;
}

/*
 * One comparison arrives as [argIndex, op, value, mask]. libseccomp's
 * SCMP_CMP_MASKED_EQ takes the mask in datum_a and the expected value in
 * datum_b; every other operator compares against datum_a alone.
 */
scmp_arg_cmp ToComparison(Napi::Array cmp)
{
    bool lossless = false;
    scmp_arg_cmp out{};
    out.arg = cmp.Get(0u).As<Napi::Number>().Uint32Value();
    out.op = static_cast<enum scmp_compare>(
        cmp.Get(1u).As<Napi::Number>().Uint32Value());
    uint64_t value = cmp.Get(2u).As<Napi::BigInt>().Uint64Value(&lossless);
    uint64_t mask = cmp.Get(3u).As<Napi::BigInt>().Uint64Value(&lossless);
    if (out.op == SCMP_CMP_MASKED_EQ) {
        out.datum_a = mask;
        out.datum_b = value;
    } else {
        out.datum_a = value;
        out.datum_b = 0;
    }
    return out;
}

void AddRule(Napi::Env env, scmp_filter_ctx ctx, Napi::Array rule)
{
    std::string name = rule.Get(0u).As<Napi::String>().Utf8Value();
    Napi::Array cmps = rule.Get(1u).As<Napi::Array>();

    // Unknown names give __NR_SCMP_ERROR; other negative numbers are
    // libseccomp pseudo-syscalls (e.g. socketcall), which do not exist on
    // x86_64 and would only add a rule that can never match. There is no
    // return code for either; EINVAL is what libseccomp itself reports when
    // handed a syscall it cannot use.
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr < 0)
        ThrowErrno(env, EINVAL, "seccomp_syscall_resolve_name", name);

    std::vector<scmp_arg_cmp> args;
    uint32_t count = cmps.Length();
    args.reserve(count);
    for (uint32_t i = 0; i < count; i++)
        args.push_back(ToComparison(cmps.Get(i).As<Napi::Array>()));

    int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, count,
                                    args.empty() ? nullptr : args.data());
    if (rc < 0)
        ThrowErrno(env, -rc, "seccomp_rule_add_array", name);
}

/*
 * compileFilter(rules: Array<[syscall, Array<[arg, op, value, mask]>]>,
 *               defaultErrno: number)
 *   -> { bpf: Buffer, pfc: string }
 *
 * A call no rule allows kills the process, unless defaultErrno is 0 or more:
 * then it fails with that errno (SCMP_ACT_ERRNO), the way Docker's default
 * profile answers (EPERM). The benchmark harness needs that to give a
 * container-like peer Docker's filter; nabla's own filters always kill.
 * The filter is for the native architecture only (x86_64: the tender and the
 * ELF checks accept nothing else), so a foreign-arch process is killed.
 * NO_NEW_PRIVS is off because the filter is never loaded here: the tender
 * sets it itself before installing these bytes.
 */
Napi::Value CompileFilter(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    Napi::Array rules = info[0].As<Napi::Array>();
    // Absent (older callers) means kill: the safe reading of "no choice made".
    int32_t default_errno =
        info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : -1;
    uint32_t default_action = default_errno < 0 ? SCMP_ACT_KILL_PROCESS
                                                : SCMP_ACT_ERRNO(default_errno);

    FilterCtx ctx(seccomp_init(default_action));
    if (!ctx)
        ThrowErrno(env, ENOMEM, "seccomp_init", "default action");
    SetAttr(env, ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS,
            "SCMP_FLTATR_ACT_BADARCH");
    SetAttr(env, ctx.get(), SCMP_FLTATR_CTL_NNP, 0, "SCMP_FLTATR_CTL_NNP");
    // 1 is libseccomp's default (rules in priority and insertion order); set
    // it anyway so the bytes cannot change with a library default.
    SetAttr(env, ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 1,
            "SCMP_FLTATR_CTL_OPTIMIZE");

    uint32_t count = rules.Length();
    for (uint32_t i = 0; i < count; i++)
        AddRule(env, ctx.get(), rules.Get(i).As<Napi::Array>());

    std::string bpf = Export(env, ctx.get(), true);
    std::string pfc = Export(env, ctx.get(), false);

    Napi::Object out = Napi::Object::New(env);
    out.Set("bpf", Napi::Buffer<char>::Copy(env, bpf.data(), bpf.size()));
    out.Set("pfc", Napi::String::New(env, pfc));
    return out;
}

// resolveSyscall(name) -> the native (x86_64) number, or -1 if unknown.
// Negative pseudo-syscall numbers mean "not a syscall on this arch": -1 too.
Napi::Value ResolveSyscall(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string name = info[0].As<Napi::String>().Utf8Value();
    int nr = seccomp_syscall_resolve_name(name.c_str());
    return Napi::Number::New(env, nr < 0 ? -1 : nr);
}

} // namespace

void RegisterSeccomp(Napi::Env env, Napi::Object exports)
{
    exports.Set("compileFilter", Napi::Function::New(env, CompileFilter));
    exports.Set("resolveSyscall", Napi::Function::New(env, ResolveSyscall));
}

} // namespace nabla
