/* ext_page.h: nabla's extension page, written for the guest (nabla_ext.h). */
#ifndef NABLA_EXT_PAGE_H
#define NABLA_EXT_PAGE_H

#include "addr_space.h"

/*
 * Fills struct nabla_ext at NABLA_EXT_BASE in guest memory (docs/abi.md
 * §4.5): the magic, the version, and the address of the vDSO's
 * __vdso_clock_gettime, or 0 if there is no vDSO or it cannot be read (then
 * guests use the clock_gettime system call, as under upstream). `as` gives
 * the [vdso] mapping's bounds, which bound the lookup. Guest memory must be
 * mapped. Never fails: the page always gets its header.
 *
 * Every start path calls it (nabla_enter_guest does, before the
 * trampoline). It writes only what differs, so a page a template filled
 * before it forked (fork keeps the vDSO's address) stays shared.
 */
void ext_page_write(const struct addr_space *as);

#endif /* NABLA_EXT_PAGE_H */
