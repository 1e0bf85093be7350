/* tap.cc: attaches to tap interfaces, asks what a descriptor is, reads MTUs. */
#include "addon.h"
#include "errors.h"
#include "unique_fd.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace nabla
{
namespace
{

/*
 * ifreq.ifr_name is a fixed IFNAMSIZ buffer. A longer name would be cut and
 * could then name a different, existing interface, so it is refused here,
 * at the copy, rather than truncated.
 */
void FillName(Napi::Env env, struct ifreq &ifr, const std::string &ifname,
              const char *call)
{
    if (ifname.size() >= IFNAMSIZ)
        ThrowErrno(env, ENAMETOOLONG, call, ifname);
    std::memset(&ifr, 0, sizeof(ifr));
    std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size() + 1);
}

/*
 * tapAttach(ifname) -> fd (non-blocking, close-on-exec)
 *
 * TUNSETIFF creates the interface when it does not exist, and as root that
 * would succeed silently; nabla only ever attaches to taps the operator made,
 * so a missing interface is an error (ENODEV) before /dev/net/tun is opened.
 * (A tap deleted between the check and TUNSETIFF would be recreated: the
 * kernel has no attach-only flag, so this narrows the window, no more.)
 */
Napi::Value TapAttach(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string ifname = info[0].As<Napi::String>().Utf8Value();

    struct ifreq ifr;
    FillName(env, ifr, ifname, "if_nametoindex");
    if (if_nametoindex(ifname.c_str()) == 0)
        ThrowErrno(env, ENODEV, "if_nametoindex", ifname);

    UniqueFd fd(open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0)
        ThrowErrno(env, errno, "open", "/dev/net/tun");
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd.get(), TUNSETIFF, &ifr) < 0)
        ThrowErrno(env, errno, "ioctl", "TUNSETIFF " + ifname);
    // The kernel writes back the name it attached to; anything else means
    // we are not holding the interface that was asked for.
    if (std::strncmp(ifr.ifr_name, ifname.c_str(), IFNAMSIZ) != 0)
        ThrowErrno(env, ENODEV, "ioctl", "TUNSETIFF " + ifname);
    return Napi::Number::New(env, fd.release());
}

/*
 * tunInfo(fd) -> { flags, name }: what the tun driver says the descriptor is
 * attached to (TUNGETIFF): its IFF_* flags and interface name. Any other
 * kind of descriptor fails (ENOTTY, or EBADFD for a /dev/net/tun descriptor
 * attached to nothing); what to accept is decided in TypeScript.
 */
Napi::Value TunInfo(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    int fd = info[0].As<Napi::Number>().Int32Value();

    struct ifreq ifr;
    std::memset(&ifr, 0, sizeof(ifr));
    if (ioctl(fd, TUNGETIFF, &ifr) < 0)
        ThrowErrno(env, errno, "ioctl", "TUNGETIFF fd " + std::to_string(fd));
    Napi::Object out = Napi::Object::New(env);
    out.Set("flags",
            Napi::Number::New(env, static_cast<uint16_t>(ifr.ifr_flags)));
    out.Set("name", Napi::String::New(
                        env, std::string(ifr.ifr_name,
                                         strnlen(ifr.ifr_name, IFNAMSIZ))));
    return out;
}

// interfaceMtu(ifname) -> the MTU in bytes, via a throwaway socket.
Napi::Value InterfaceMtu(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    std::string ifname = info[0].As<Napi::String>().Utf8Value();

    struct ifreq ifr;
    FillName(env, ifr, ifname, "ioctl");
    UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (sock.get() < 0)
        ThrowErrno(env, errno, "socket", "AF_INET SOCK_DGRAM");
    if (ioctl(sock.get(), SIOCGIFMTU, &ifr) < 0)
        ThrowErrno(env, errno, "ioctl", "SIOCGIFMTU " + ifname);
    return Napi::Number::New(env, ifr.ifr_mtu);
}

} // namespace

void RegisterTap(Napi::Env env, Napi::Object exports)
{
    exports.Set("tapAttach", Napi::Function::New(env, TapAttach));
    exports.Set("interfaceMtu", Napi::Function::New(env, InterfaceMtu));
    exports.Set("tunInfo", Napi::Function::New(env, TunInfo));
}

} // namespace nabla
