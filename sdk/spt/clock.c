/* clock.c: the clocks, through the vDSO when the tender publishes it. */
#include "bindings.h"
#include "nabla_ext.h"

/*
 * nabla's tender publishes the address of the vDSO's clock_gettime in its
 * extension page (docs/abi.md §4.5); calling it reads the clock in user
 * space, about ten times faster than the system call. Upstream's tender
 * leaves that page zero, so without the magic and a version this code
 * knows, the clock is the clock_gettime system call, as before: the same
 * image runs under both.
 *
 * Only ssp_init's two reads at boot stay system calls: they run before the
 * stack guard is set, and a system call's varying latency is part of the
 * seed they make.
 *
 * The page is checked on every call, not once at boot: it is ordinary guest
 * memory (the application may overwrite it), and two loads from one cache
 * line cost next to nothing beside the call.
 *
 * The call follows the x86_64 SysV convention, as the compiler emits it for
 * any function pointer: the stack 16-byte aligned (entry_x86_64.S aligns it
 * first), caller-saved registers given up. The vDSO is built without a
 * stack protector and touches no FS-based data, so the guest's TLS base and
 * guard do not matter to it; it needs nothing the filter forbids: where the
 * clocksource cannot be read in user space (docs/abi.md §4.5), it makes the
 * clock_gettime system call itself, with the clock id it was given, which
 * is one of the two the filter allows (HOST_CLOCK_REALTIME, _MONOTONIC).
 */
typedef int vdso_clock_fn(int clock, struct sys_timespec *ts);

long spt_clock_gettime(int clock, struct sys_timespec *ts)
{
    const volatile struct nabla_ext *ext =
        (const volatile struct nabla_ext *)NABLA_EXT_BASE;

    if (ext->magic == NABLA_EXT_MAGIC && ext->version == NABLA_EXT_VERSION &&
        ext->size >= sizeof(struct nabla_ext) && ext->vdso_clock_gettime != 0) {
        vdso_clock_fn *fn = (vdso_clock_fn *)(uintptr_t)ext->vdso_clock_gettime;
        return fn(clock, ts); /* 0 or -errno, as the system call */
    }
    return sys_clock_gettime(clock, ts);
}

/*
 * The marker of nabla_ext.h: this image reads the extension page. Its own
 * PT_NOTE (spt_x86_64.lds); `nabla audit` looks for it, tenders skip it.
 */
__attribute__((section(".note.nabla.ext"), used,
               aligned(4))) static const struct {
    uint32_t namesz, descsz, type;
    char name[8];
    uint32_t version;
} ext_note = {
    NABLA_NOTE_NAMESZ, NABLA_NOTE_EXT_DESCSZ, NABLA_NOTE_EXT,
    NABLA_NOTE_NAME,   NABLA_EXT_VERSION,
};
