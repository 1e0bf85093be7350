/* exec.cc: replaces the Node process with another program, keeping chosen fds.
 */
#include "addon.h"
#include "errors.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace nabla
{
namespace
{

// Each element a string (UTF-8) or a Buffer (bytes as they are: a path or
// argument need not be UTF-8). TypeScript has checked that neither holds a NUL.
std::vector<std::string> Strings(Napi::Array array)
{
    std::vector<std::string> out;
    uint32_t count = array.Length();
    out.reserve(count);
    for (uint32_t i = 0; i < count; i++) {
        Napi::Value v = array.Get(i);
        if (v.IsBuffer()) {
            Napi::Buffer<char> b = v.As<Napi::Buffer<char>>();
            out.emplace_back(b.Data(), b.Length());
        } else {
            out.push_back(v.As<Napi::String>().Utf8Value());
        }
    }
    return out;
}

// execve wants a NULL-terminated char *[] over strings that outlive the call.
std::vector<char *> Pointers(std::vector<std::string> &strings)
{
    std::vector<char *> out;
    out.reserve(strings.size() + 1);
    for (std::string &s : strings)
        out.push_back(&s[0]);
    out.push_back(nullptr);
    return out;
}

/*
 * Node ignores SIGPIPE and SIGXFSZ for itself, and ignored dispositions (and
 * the signal mask) survive execve. Put them back to what a program started
 * from a shell gets, so the tender and its guest behave as under solo5-spt.
 * Restored if execve fails.
 */
class SignalReset
{
  public:
    SignalReset()
    {
        struct sigaction dfl;
        std::memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(SIGPIPE, &dfl, &pipe_);
        sigaction(SIGXFSZ, &dfl, &xfsz_);
        sigset_t none;
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, &mask_);
    }
    void Restore()
    {
        pthread_sigmask(SIG_SETMASK, &mask_, nullptr);
        sigaction(SIGXFSZ, &xfsz_, nullptr);
        sigaction(SIGPIPE, &pipe_, nullptr);
    }

  private:
    struct sigaction pipe_;
    struct sigaction xfsz_;
    sigset_t mask_;
};

/*
 * execve(path, argv, envp, keepFds)
 *
 * On success this does not return: the Node process (every thread, the event
 * loop, unflushed stream buffers) is replaced by the program at `path`, which
 * keeps this pid. Descriptors in keepFds stay open at their numbers; every
 * other close-on-exec descriptor closes. libuv opens all of its own that way,
 * and Node marks even 0, 1 and 2 close-on-exec at startup, which is why the
 * TypeScript layer always lists stdio. On failure nothing is left changed: the
 * fds get their close-on-exec flag back, the signal state is restored, and the
 * errno is thrown, so the caller can report it from a still-working process.
 */
Napi::Value Execve(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>().Utf8Value();
    std::vector<std::string> argv = Strings(info[1].As<Napi::Array>());
    std::vector<std::string> envp = Strings(info[2].As<Napi::Array>());
    Napi::Array keep = info[3].As<Napi::Array>();

    std::vector<int> fds;
    uint32_t count = keep.Length();
    for (uint32_t i = 0; i < count; i++)
        fds.push_back(keep.Get(i).As<Napi::Number>().Int32Value());

    std::vector<char *> argv_ptrs = Pointers(argv);
    std::vector<char *> envp_ptrs = Pointers(envp);

    // Remember each fd's flags so a failure restores exactly what was there.
    std::vector<std::pair<int, int>> saved;
    auto restore = [&saved]() {
        for (auto it = saved.rbegin(); it != saved.rend(); ++it)
            fcntl(it->first, F_SETFD, it->second);
    };
    for (int fd : fds) {
        int flags = fcntl(fd, F_GETFD);
        bool got = flags >= 0;
        if (!got || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) {
            int err = errno;
            restore();
            ThrowErrno(env, err, "fcntl",
                       (got ? "F_SETFD fd " : "F_GETFD fd ") +
                           std::to_string(fd));
        }
        saved.emplace_back(fd, flags);
    }

    SignalReset signals;
    execve(path.c_str(), argv_ptrs.data(), envp_ptrs.data());
    int err = errno;
    signals.Restore();
    restore();
    ThrowErrno(env, err, "execve", path);
}

} // namespace

void RegisterExec(Napi::Env env, Napi::Object exports)
{
    exports.Set("execve", Napi::Function::New(env, Execve));
}

} // namespace nabla
