/* launch_x86_64.S: the jump from the tender into the guest, x86_64. */
/*
 * nabla_launch(stack_top %rdi, entry %rsi, boot_info %rdx,
 *              xstate %rcx), noreturn.
 *
 * Runs after the seccomp filter is installed, so it makes exactly one
 * syscall, arch_prctl(ARCH_SET_FS, 0), which the spt filter allows. Zeroing
 * the FS base means a guest that reads %fs before calling
 * solo5_set_tls_base faults (as upstream's notls test expects) instead of
 * reading the tender's thread data.
 *
 * Nothing of the tender's may reach the guest in a register: its string
 * functions leave paths and messages in the vector and mask registers, and
 * its general registers hold addresses of its stack, heap and libc.
 *  - The extended state, all of it: one XRSTOR from the area xstate.c
 *    prepared (header XSTATE_BV = 0) puts every component the OS enabled
 *    in XCR0 in its initial configuration: x87 (FNINIT's state, registers
 *    zero), XMM, the upper halves of YMM and ZMM, zmm16-31, the opmask
 *    registers k0-7, and whatever a later CPU adds; MXCSR becomes 0x1f80.
 *    Without XSAVE (rfbm 0), FXRSTOR of the same legacy region does the
 *    same for x87, MMX and SSE, all such a CPU can have enabled.
 *  - Every general register but %rdi (the boot info), %rsp (the stack) and
 *    %r15 (the entry point, the guest's own address) is zeroed after it.
 */
#include "xstate.h"

#define SYS_arch_prctl 158
#define ARCH_SET_FS 0x1002

    .text
    .globl nabla_launch
    .type nabla_launch, @function
nabla_launch:
    /* Keep the arguments in registers the syscall does not touch. */
    movq %rdi, %r12             /* stack_top */
    movq %rsi, %r13             /* entry */
    movq %rdx, %r14             /* boot_info */
    movq %rcx, %rbx             /* xstate; the syscall clobbers %rcx */

    movl $SYS_arch_prctl, %eax
    movl $ARCH_SET_FS, %edi
    xorl %esi, %esi
    syscall
    testq %rax, %rax
    jz 1f
    ud2                         /* refused: do not start the guest */
1:
    movq %r12, %rsp
    movq %r14, %rdi
    movq %r13, %r15             /* the jump target is the only survivor */

    /* RFBM in %edx:%eax, as XRSTOR takes it; 0: no XSAVE, use FXRSTOR. */
    movq XSTATE_INIT_RFBM(%rbx), %rax
    testq %rax, %rax
    jz 2f
    movq %rax, %rdx
    shrq $32, %rdx
    xrstor64 XSTATE_INIT_AREA(%rbx)
    jmp 3f
2:
    fxrstor64 XSTATE_INIT_AREA(%rbx)
3:
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

    /* The SysV ABI wants the direction flag clear at function entry. */
    cld
    jmp *%r15
    .size nabla_launch, . - nabla_launch

    /* This file needs no executable stack; say so, or ld assumes it does. */
    .section .note.GNU-stack, "", @progbits
