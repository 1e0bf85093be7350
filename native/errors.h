/* errors.h: failing host calls become JavaScript errors with code, errno and
 * syscall. */
#ifndef NABLA_NATIVE_ERRORS_H
#define NABLA_NATIVE_ERRORS_H

#include <napi.h>

#include <string>

namespace nabla
{

/*
 * Exception mode: this addon is built with C++ exceptions enabled
 * (NAPI_CPP_EXCEPTIONS in binding.gyp). A thrown Napi::Error unwinds the C++
 * stack, so RAII guards (memfds, seccomp contexts, sockets) are released on
 * every path, and node-addon-api turns it into a JavaScript exception at the
 * callback boundary. Argument conversions that fail inside Node-API also
 * throw, which is all the "validation" the native side does.
 */

/*
 * Throws an Error whose message is "<syscall>(<subject>): <strerror>", with
 * code = the errno name ("ENOENT"), errno = the positive errno value and
 * syscall = the name of the failing call.
 */
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char *syscall,
                             const std::string &subject);

} // namespace nabla

#endif
