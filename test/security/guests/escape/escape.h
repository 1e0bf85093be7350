/* escape.h: the ways into the kernel and the memory probes escape.c tries. */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stdint.h>

/* Arguments a system call may take on x86_64. */
#define ESCAPE_NARGS 6

/* The 64-bit `syscall` instruction, nr and args passed through unchanged. */
long entry_syscall(uint64_t nr, const uint64_t a[ESCAPE_NARGS]);

/*
 * `int $0x80` from 64-bit code: the kernel treats it as an i386 system call
 * (eax = nr, ebx, ecx, edx, esi, edi = the low halves of a[0..4]).
 */
long entry_int80(uint64_t nr, const uint64_t a[ESCAPE_NARGS]);

/*
 * A far return to the 32-bit user code segment, then `int $0x80`
 * (use_syscall == 0) or the `syscall` instruction in compatibility mode,
 * then a far jump back to 64-bit code. Arguments are all zero.
 */
long entry_cs32(uint32_t nr, int use_syscall);

/* `sysenter` from 64-bit code, arguments zero, %ebp = the stack pointer. */
long entry_sysenter(uint32_t nr);

/*
 * A call into the legacy vsyscall page: slot 0 gettimeofday, 1 time,
 * 2 getcpu, each given (a0, 0).
 */
long entry_vsyscall(uint64_t slot, uint64_t a0);

/*
 * Memory the CPU must refuse (execute data, write text, touch unmapped
 * pages). Returns 1 when (what) names no probe; returns 0 only if the
 * forbidden access happened and came back.
 */
int probe_memory(const char *what, uintptr_t heap, uint64_t mem_size);

#endif /* ESCAPE_H */
