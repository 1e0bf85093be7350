/* accounts.cc: users and groups as the C library resolves them (NSS). */
#include "addon.h"
#include "errors.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

namespace nabla
{
namespace
{

/*
 * The C library answers from every source nsswitch.conf lists (files, but
 * also LDAP, sssd, systemd-homed, ...), which reading /etc/passwd by hand
 * would miss. The *_r calls write the entry's strings into a buffer of ours
 * and say ERANGE when it is too small: a group with many members can need
 * far more than sysconf's hint, so the buffer doubles, up to this bound.
 */
constexpr size_t kMaxBuffer = size_t{1} << 24;

// { name, gid }: a group, or a user's name and primary group.
Napi::Object NameAndGroup(Napi::Env env, const char *name, gid_t gid)
{
    Napi::Object record = Napi::Object::New(env);
    record.Set("name", Napi::String::New(env, name));
    record.Set("gid", Napi::Number::New(env, gid));
    return record;
}

// { name, gid, uid }, or null.
Napi::Value UserRecord(Napi::Env env, const struct passwd *pw)
{
    if (pw == nullptr)
        return env.Null();
    Napi::Object record = NameAndGroup(env, pw->pw_name, pw->pw_gid);
    record.Set("uid", Napi::Number::New(env, pw->pw_uid));
    return record;
}

// { name, gid }, or null.
Napi::Value GroupRecord(Napi::Env env, const struct group *gr)
{
    if (gr == nullptr)
        return env.Null();
    return NameAndGroup(env, gr->gr_name, gr->gr_gid);
}

/*
 * Runs one *_r lookup, `call(entry, buffer, size, &result)`, with a buffer
 * that grows as needed, and returns the entry as a record, or null when there
 * is none. Any other failure is thrown with its errno: which of them mean
 * "not found" is for TypeScript to say.
 */
template <typename Entry, typename Call>
Napi::Value Lookup(Napi::Env env, const char *call_name,
                   const std::string &subject, int size_hint,
                   Napi::Value (*record)(Napi::Env, const Entry *), Call call)
{
    long hint = sysconf(size_hint);
    std::vector<char> buffer(hint > 0 ? static_cast<size_t>(hint) : 1024);
    Entry entry;
    for (;;) {
        Entry *result = nullptr;
        int err = call(&entry, buffer.data(), buffer.size(), &result);
        if (err == 0)
            return record(env, result);
        if (err == EINTR)
            continue;
        if (err != ERANGE || buffer.size() >= kMaxBuffer)
            ThrowErrno(env, err, call_name, subject);
        buffer.resize(buffer.size() * 2);
    }
}

// getpwnam(name) -> { name, uid, gid } | null
Napi::Value Getpwnam(const Napi::CallbackInfo &info)
{
    std::string name = info[0].As<Napi::String>().Utf8Value();
    return Lookup(info.Env(), "getpwnam_r", name, _SC_GETPW_R_SIZE_MAX,
                  UserRecord, [&name](auto *e, char *b, size_t n, auto **r) {
                      return getpwnam_r(name.c_str(), e, b, n, r);
                  });
}

// getpwuid(uid) -> { name, uid, gid } | null
Napi::Value Getpwuid(const Napi::CallbackInfo &info)
{
    uid_t uid = info[0].As<Napi::Number>().Uint32Value();
    return Lookup(info.Env(), "getpwuid_r", "uid " + std::to_string(uid),
                  _SC_GETPW_R_SIZE_MAX, UserRecord,
                  [uid](auto *e, char *b, size_t n, auto **r) {
                      return getpwuid_r(uid, e, b, n, r);
                  });
}

// getgrnam(name) -> { name, gid } | null
Napi::Value Getgrnam(const Napi::CallbackInfo &info)
{
    std::string name = info[0].As<Napi::String>().Utf8Value();
    return Lookup(info.Env(), "getgrnam_r", name, _SC_GETGR_R_SIZE_MAX,
                  GroupRecord, [&name](auto *e, char *b, size_t n, auto **r) {
                      return getgrnam_r(name.c_str(), e, b, n, r);
                  });
}

} // namespace

void RegisterAccounts(Napi::Env env, Napi::Object exports)
{
    exports.Set("getpwnam", Napi::Function::New(env, Getpwnam));
    exports.Set("getpwuid", Napi::Function::New(env, Getpwuid));
    exports.Set("getgrnam", Napi::Function::New(env, Getgrnam));
}

} // namespace nabla
