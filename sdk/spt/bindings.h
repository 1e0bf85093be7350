/* bindings.h: what the spt bindings' own files share with each other. */
#ifndef NABLA_SDK_BINDINGS_H
#define NABLA_SDK_BINDINGS_H

/* The API logic both targets share, and through it spt's host.h. */
#include "core.h"

#define PAGE_SIZE 4096ull

/* Hands malloc() its region; nothing is written there until it is used. */
void heap_init(uintptr_t start, size_t size);

/*
 * Sets __stack_chk_guard to an unpredictable value. Called first thing at
 * boot, from code compiled without the stack protector.
 */
void ssp_init(void);

#endif /* NABLA_SDK_BINDINGS_H */
