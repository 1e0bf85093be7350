/* errors.cc: builds the errno-carrying JavaScript errors thrown by the addon.
 */
#include "errors.h"

#include <cstring>

namespace nabla
{

void ThrowErrno(Napi::Env env, int err, const char *syscall,
                const std::string &subject)
{
    // strerrorname_np (glibc >= 2.32) gives the symbolic name Node also uses
    // for its own system errors, so callers can switch on err.code alike.
    const char *name = strerrorname_np(err);
    std::string message =
        std::string(syscall) + "(" + subject + "): " + std::strerror(err);
    Napi::Error error = Napi::Error::New(env, message);
    error.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
    error.Set("errno", Napi::Number::New(env, err));
    error.Set("syscall", Napi::String::New(env, syscall));
    throw error;
}

} // namespace nabla
