/* launch_x86_64.S: the jump from the tender into the guest, x86_64. */
/*
 * nabla_launch(stack_top %rdi, entry %rsi, boot_info %rdx), noreturn.
 *
 * Runs after the seccomp filter is installed, so it makes exactly one
 * syscall, arch_prctl(ARCH_SET_FS, 0), which the spt filter allows. Zeroing
 * the FS base means a guest that reads %fs before calling
 * solo5_set_tls_base faults (as upstream's notls test expects) instead of
 * reading the tender's thread data.
 *
 * Every other general register is zeroed so no tender address (stack,
 * heap, libc, the plan) is handed to the guest; the vector registers too,
 * since memcpy and friends leave data in them.
 */
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

    pxor %xmm0, %xmm0
    pxor %xmm1, %xmm1
    pxor %xmm2, %xmm2
    pxor %xmm3, %xmm3
    pxor %xmm4, %xmm4
    pxor %xmm5, %xmm5
    pxor %xmm6, %xmm6
    pxor %xmm7, %xmm7
    pxor %xmm8, %xmm8
    pxor %xmm9, %xmm9
    pxor %xmm10, %xmm10
    pxor %xmm11, %xmm11
    pxor %xmm12, %xmm12
    pxor %xmm13, %xmm13
    pxor %xmm14, %xmm14
    pxor %xmm15, %xmm15

    /* The SysV ABI wants the direction flag clear at function entry. */
    cld
    jmp *%r15
    .size nabla_launch, . - nabla_launch

    /* This file needs no executable stack; say so, or ld assumes it does. */
    .section .note.GNU-stack, "", @progbits
