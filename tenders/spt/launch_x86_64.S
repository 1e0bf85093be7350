/* launch_x86_64.S: the trampoline's code, x86_64: unmap, filter, jump. */
/*
 * Copied by launch.c into the trampoline page (trampoline.h) and run there,
 * never here (it sits in .rodata, which is not executable). So it is
 * position independent: everything it reads is at an offset from %rbx, the
 * page's start, which it receives in %rdi; and it uses no memory of the
 * tender's, no stack and no library, because the first thing it does is
 * unmap them. In order:
 *
 *  1. %rsp to the guest's stack top: the tender's stack is about to go.
 *     Nothing is pushed on it; no signal handler can run (every action is
 *     the default, main.c step 1), so nothing writes there either.
 *  2. munmap each range of TRAMP_UNMAP: everything but guest memory, the
 *     vDSO and this page (addr_space.c). The first one is the point of no
 *     return: libc is gone after it.
 *  3. arch_prctl(ARCH_SET_FS, 0). A guest that reads %fs before calling
 *     solo5_set_tls_base then faults (as upstream's notls test expects)
 *     instead of reading the tender's thread data (now unmapped anyway).
 *     Before the filter, so that a failure can still be reported, and so
 *     that no system call at all follows the filter's installation.
 *  4. seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog), the plan's BPF copied
 *     into this page. From here on only the guest's calls are allowed.
 *     The failure lines in guest memory are not needed any more: zeroed.
 *  5. The registers (nothing of the tender's may reach the guest in one:
 *     its string functions leave paths and messages in the vector and
 *     mask registers, its general registers hold addresses):
 *     - the extended state, all of it: one XRSTOR from the page's start
 *       (header XSTATE_BV = 0, xstate.c) puts every component the OS
 *       enabled in XCR0 in its initial configuration: x87 (FNINIT's
 *       state, registers zero), XMM, the upper halves of YMM and ZMM,
 *       zmm16-31, the opmask registers k0-7, and whatever a later CPU
 *       adds; MXCSR becomes 0x1f80. Without XSAVE (rfbm 0), FXRSTOR of the
 *       same legacy region does the same for x87, MMX and SSE, all such a
 *       CPU can have enabled;
 *     - every general register but %rdi (the boot info), %rsp (the stack)
 *       and %r15 (the entry point, the guest's own address) is zeroed.
 *  6. Jump to the guest.
 *
 * A system call that fails in 2-4 leaves a process that cannot go on and
 * has no libc to say why; but the filter is not installed yet, so write
 * and exit_group still work: "fail" completes the step's line, which
 * launch.c left in guest memory, to "<prog>: <text>errno N\n", prints it
 * and exits 1, like every earlier failure of the tender (the guest never
 * runs then).
 */
#include "trampoline.h"

#define SYS_write 1
#define SYS_munmap 11
#define SYS_arch_prctl 158
#define SYS_exit_group 231
#define SYS_seccomp 317
#define ARCH_SET_FS 0x1002
#define SECCOMP_SET_MODE_FILTER 1
#define STDERR 2

    .section .rodata
    .balign 16
    .globl nabla_trampoline_code
    .type nabla_trampoline_code, @object
nabla_trampoline_code:
    /* 1. */
    movq %rdi, %rbx
    movq TRAMP_STACK_TOP(%rbx), %rsp

    /* 2. %r12: the next range, %r13: how many are left. */
    leaq TRAMP_UNMAP(%rbx), %r12
    movq TRAMP_UNMAP_COUNT(%rbx), %r13
    movl $TRAMP_MSG_UNMAP, %r14d
1:
    testq %r13, %r13
    jz 2f
    movl $SYS_munmap, %eax
    movq TRAMP_SPAN_START(%r12), %rdi
    movq TRAMP_SPAN_LEN(%r12), %rsi
    syscall
    testq %rax, %rax
    jnz fail
    addq $TRAMP_SPAN_SIZE, %r12
    decq %r13
    jmp 1b
2:
    /* 3. */
    movl $TRAMP_MSG_FS, %r14d
    movl $SYS_arch_prctl, %eax
    movl $ARCH_SET_FS, %edi
    xorl %esi, %esi
    syscall
    testq %rax, %rax
    jnz fail

    /* 4. */
    movl $TRAMP_MSG_SECCOMP, %r14d
    movl $SYS_seccomp, %eax
    movl $SECCOMP_SET_MODE_FILTER, %edi
    xorl %esi, %esi
    leaq TRAMP_FPROG(%rbx), %rdx
    syscall
    testq %rax, %rax
    jnz fail
    /* The failure lines are not needed any more: zero, as the ABI says. */
    movq TRAMP_MSG+TRAMP_SPAN_START(%rbx), %rdi
    movq TRAMP_LINES_LEN(%rbx), %rcx
    xorl %eax, %eax
    cld
    rep stosb

    /* 5. RFBM in %edx:%eax, as XRSTOR takes it; 0: no XSAVE, FXRSTOR. */
    movq TRAMP_ENTRY(%rbx), %r15
    movq TRAMP_RFBM(%rbx), %rax
    testq %rax, %rax
    jz 3f
    movq %rax, %rdx
    shrq $32, %rdx
    xrstor64 TRAMP_XSTATE(%rbx)
    jmp 4f
3:
    fxrstor64 TRAMP_XSTATE(%rbx)
4:
    movq TRAMP_BOOT_INFO(%rbx), %rdi
    xorl %eax, %eax
    xorl %ebx, %ebx
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %esi, %esi
    xorl %ebp, %ebp
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    xorl %r11d, %r11d
    xorl %r12d, %r12d
    xorl %r13d, %r13d
    xorl %r14d, %r14d

    /* 6. The SysV ABI wants the direction flag clear at function entry. */
    cld
    jmp *%r15

    /*
     * %rax: -errno; %r14: the offset of the step's line in TRAMP_MSG. The
     * errno's digits are written backwards into the 24 bytes after the
     * line, then moved down to its end, then a newline (this overwrites the
     * next line, which is not needed); one write, so it reaches stderr
     * whole.
     */
fail:
    negq %rax
    cld
    leaq TRAMP_MSG(%rbx,%r14), %r10
    movq TRAMP_SPAN_START(%r10), %r9        /* the line */
    movq TRAMP_SPAN_LEN(%r10), %rdi
    addq %r9, %rdi                          /* its end */
    leaq 24(%rdi), %r10                     /* the digits end here */
    movq %r10, %rsi
    movl $10, %ecx
5:
    xorl %edx, %edx
    divq %rcx
    addb $0x30, %dl                         /* '0' */
    decq %rsi
    movb %dl, (%rsi)
    testq %rax, %rax
    jnz 5b
    movq %r10, %rcx
    subq %rsi, %rcx
    rep movsb                               /* forward, src above dst */
    movb $0x0a, (%rdi)                      /* '\n' */
    incq %rdi
    movq %rdi, %rdx
    subq %r9, %rdx
    movq %r9, %rsi
    movl $STDERR, %edi
    movl $SYS_write, %eax
    syscall
    movl $1, %edi
    movl $SYS_exit_group, %eax
    syscall
    ud2
    .globl nabla_trampoline_code_end
nabla_trampoline_code_end:
    .size nabla_trampoline_code, . - nabla_trampoline_code

    /* This file needs no executable stack; say so, or ld assumes it does. */
    .section .note.GNU-stack, "", @progbits
