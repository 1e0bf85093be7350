/* vdso_sym.h: finds a function in an in-memory vDSO's dynamic symbols. */
#ifndef NABLA_VDSO_SYM_H
#define NABLA_VDSO_SYM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Looks up the function `name` in the ELF image of `size` bytes at `image`
 * (the kernel's vDSO, as mapped: getauxval(AT_SYSINFO_EHDR) and the length
 * of its [vdso] mapping) through its dynamic section, as a dynamic loader
 * would: PT_DYNAMIC, then DT_SYMTAB, DT_STRTAB, DT_STRSZ and DT_HASH (whose
 * chain count is the number of symbols). Nothing outside [image, image +
 * size) is read, whatever the bytes say. Returns 0 and the function's
 * offset from `image` in *offset (inside an executable PT_LOAD), or -1 with
 * the reason in msg.
 */
int vdso_sym(const void *image, size_t size, const char *name, uint64_t *offset,
             char *msg, size_t msg_size);

#endif /* NABLA_VDSO_SYM_H */
