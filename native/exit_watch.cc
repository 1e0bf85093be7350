/* exit_watch.cc: reaps the engine's guests through their pidfds, from libuv. */
/*
 * The same set also watches a template's socket while replies are due, so
 * that run() need not wait for them: records say which kind each is.
 *
 * A template starts each guest with CLONE_PARENT, so this process is its
 * parent and the one that must reap it. Node's child_process knows only the
 * children it spawned itself (libuv waits for each of those by pid), so the
 * guests are watched here: each guest's pidfd joins one epoll set, which
 * libuv polls like any other descriptor; a pidfd becomes readable when its
 * process has ended, and waitid(P_PIDFD) then reaps exactly that process and
 * gives its status. One poll handle for every guest: ten thousand guests
 * are ten thousand epoll entries, not ten thousand handles. The handle keeps
 * the event loop alive only while a guest is watched, as a spawned child's
 * process handle does.
 */
#include "addon.h"
#include "errors.h"

#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstring>
#include <vector>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace nabla
{
namespace
{

struct ExitWatch {
    napi_env env = nullptr;
    uv_poll_t poll;
    int epfd = -1;
    Napi::FunctionReference callback;
    size_t watched = 0;
};

/* One per thread: each Node thread (main or worker) has its own loop. */
thread_local ExitWatch *watch = nullptr;

void Report(ExitWatch *w, const std::vector<int32_t> &exits)
{
    Napi::Env env(w->env);
    Napi::HandleScope scope(env);
    Napi::Array list = Napi::Array::New(env, exits.size());
    for (size_t i = 0; i < exits.size(); i++)
        list.Set(static_cast<uint32_t>(i), exits[i]);
    try {
        w->callback.MakeCallback(env.Global(), {list});
    } catch (const Napi::Error &e) {
        // As for any callback from the event loop: an uncaught exception.
        napi_fatal_exception(w->env, e.Value());
    }
}

/* A readable socket's entry: its fd with this bit above it. */
constexpr uint64_t kReadable = 1ull << 32;

/*
 * Reaps every guest whose pidfd is readable and reports (0, pidfd, pid,
 * code, signal) for each, the pidfd closed; reports (1, fd, 0, 0, 0) for
 * each watched socket with something to read (it stays watched).
 */
void OnReadable(uv_poll_t *handle, int status, int events)
{
    (void)status;
    (void)events;
    ExitWatch *w = static_cast<ExitWatch *>(handle->data);
    std::vector<int32_t> exits;
    struct epoll_event ev[256];
    int n;

    do
        n = epoll_wait(w->epfd, ev, 256, 0);
    while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) {
        if (ev[i].data.u64 & kReadable) {
            int fd = static_cast<int>(ev[i].data.u64 & 0xffffffffu);
            exits.insert(exits.end(), {1, fd, 0, 0, 0});
            continue;
        }
        int pidfd = static_cast<int>(ev[i].data.u64);
        siginfo_t si;
        std::memset(&si, 0, sizeof si);
        if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd),
                   &si, WEXITED | WNOHANG | __WALL) != 0) {
            // ECHILD: reaped by someone else; nothing more will come.
            si.si_pid = -1;
        } else if (si.si_pid == 0) {
            continue; // not ended after all
        }
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, pidfd, nullptr);
        close(pidfd);
        w->watched--;
        int code = si.si_code == CLD_EXITED ? si.si_status : -1;
        int sig = si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED
                      ? si.si_status
                      : 0;
        exits.insert(exits.end(), {0, pidfd, si.si_pid, code, sig});
    }
    if (w->watched == 0)
        uv_unref(reinterpret_cast<uv_handle_t *>(&w->poll));
    if (!exits.empty())
        Report(w, exits);
}

void Cleanup(void *arg)
{
    ExitWatch *w = static_cast<ExitWatch *>(arg);
    uv_poll_stop(&w->poll);
    uv_close(reinterpret_cast<uv_handle_t *>(&w->poll), [](uv_handle_t *h) {
        ExitWatch *dead = static_cast<ExitWatch *>(h->data);
        close(dead->epfd);
        delete dead;
    });
    watch = nullptr;
}

/*
 * watchExits(callback)
 *
 * Sets the function that receives ended guests and readable sockets, as a
 * flat array of [kind, fd, pid, code, signal, ...]: kind 0 an ended guest
 * (code -1 when killed by a signal; pid -1 when the process was not ours to
 * reap), kind 1 a readable socket. The first call sets up the set.
 */
Napi::Value WatchExits(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    if (watch == nullptr) {
        ExitWatch *w = new ExitWatch();
        w->env = env;
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (w->epfd < 0) {
            int err = errno;
            delete w;
            ThrowErrno(env, err, "epoll_create1", "guest exits");
        }
        uv_loop_t *loop = nullptr;
        napi_get_uv_event_loop(env, &loop);
        uv_poll_init(loop, &w->poll, w->epfd);
        w->poll.data = w;
        uv_poll_start(&w->poll, UV_READABLE, OnReadable);
        uv_unref(reinterpret_cast<uv_handle_t *>(&w->poll));
        napi_add_env_cleanup_hook(env, Cleanup, w);
        watch = w;
    }
    watch->callback = Napi::Persistent(info[0].As<Napi::Function>());
    return env.Undefined();
}

/* watchPidfd(pidfd): reports the process when it ends; the pidfd is then
 * closed here. */
Napi::Value WatchPidfd(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int pidfd = info[0].As<Napi::Number>().Int32Value();
    if (watch == nullptr)
        ThrowErrno(env, EINVAL, "epoll_ctl", "watchExits not called");
    struct epoll_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint32_t>(pidfd);
    if (epoll_ctl(watch->epfd, EPOLL_CTL_ADD, pidfd, &ev) != 0)
        ThrowErrno(env, errno, "epoll_ctl", "pidfd " + std::to_string(pidfd));
    if (watch->watched++ == 0)
        uv_ref(reinterpret_cast<uv_handle_t *>(&watch->poll));
    return env.Undefined();
}

/*
 * watchReadable(fd, on): with on, reports fd each time something can be
 * read from it, until called with off. Keeps the event loop alive while on.
 */
Napi::Value WatchReadable(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int fd = info[0].As<Napi::Number>().Int32Value();
    bool on = info[1].As<Napi::Boolean>().Value();
    if (watch == nullptr)
        ThrowErrno(env, EINVAL, "epoll_ctl", "watchExits not called");
    struct epoll_event ev;
    std::memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = kReadable | static_cast<uint32_t>(fd);
    if (epoll_ctl(watch->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) !=
        0)
        ThrowErrno(env, errno, "epoll_ctl", "fd " + std::to_string(fd));
    if (on && watch->watched++ == 0)
        uv_ref(reinterpret_cast<uv_handle_t *>(&watch->poll));
    if (!on && --watch->watched == 0)
        uv_unref(reinterpret_cast<uv_handle_t *>(&watch->poll));
    return env.Undefined();
}

} // namespace

void RegisterExitWatch(Napi::Env env, Napi::Object exports)
{
    exports.Set("watchExits", Napi::Function::New(env, WatchExits));
    exports.Set("watchPidfd", Napi::Function::New(env, WatchPidfd));
    exports.Set("watchReadable", Napi::Function::New(env, WatchReadable));
}

} // namespace nabla
