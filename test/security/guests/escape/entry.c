/* entry.c: every way into the host kernel the escape guest tries. */
#include "escape.h"

/*
 * Each function executes one kernel entry and returns what came back, so a
 * call the filter should have killed shows up as a return. The tender's
 * filter checks the architecture first (x32 numbers and i386 entries are
 * killed), then the number, then the pinned arguments.
 */

long entry_syscall(uint64_t nr, const uint64_t a[ESCAPE_NARGS])
{
    long ret;
    register uint64_t r10 __asm__("r10") = a[3];
    register uint64_t r8 __asm__("r8") = a[4];
    register uint64_t r9 __asm__("r9") = a[5];

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10),
                       "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

long entry_int80(uint64_t nr, const uint64_t a[ESCAPE_NARGS])
{
    long ret;

    /*
     * The sixth i386 argument (%ebp) is left alone: no attempt needs it,
     * and %rbp is not ours to clobber from inline asm. Older kernels zero
     * r8-r11 on the way back from an i386 entry.
     */
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]),
                       "D"(a[4])
                     : "r8", "r9", "r10", "r11", "memory", "cc");
    /* An i386 result is 32 bits; widen it as the caller would see it. */
    return (long)(int)ret;
}

/*
 * Compatibility mode: a 64-bit process may switch itself to the 32-bit
 * user code segment (selector 0x23) and back (0x33); both lie in the GDT
 * Linux sets up for every process. Guest code, stack and data are below
 * 4 GiB, so nothing moves. The 32-bit code touches no memory through %ds
 * (null in a 64-bit process). The kernel may zero r8-r15 on a compat
 * return, so every callee-saved register is kept on the stack.
 */
__asm__(".pushsection .text\n"
        ".globl entry_cs32\n"
        ".type entry_cs32, @function\n"
        "entry_cs32:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    mov %edi, %eax\n"
        "    lea cs32_int80(%rip), %rcx\n"
        "    lea cs32_syscall(%rip), %rdx\n"
        "    test %esi, %esi\n"
        "    cmovnz %rdx, %rcx\n"
        "    pushq $0x23\n"
        "    push %rcx\n"
        "    lretq\n"
        ".code32\n"
        "cs32_int80:\n"
        "    xor %ebx, %ebx\n"
        "    xor %ecx, %ecx\n"
        "    xor %edx, %edx\n"
        "    xor %esi, %esi\n"
        "    xor %edi, %edi\n"
        "    xor %ebp, %ebp\n"
        "    int $0x80\n"
        "    ljmp $0x33, $cs32_back\n"
        "cs32_syscall:\n"
        "    xor %ebx, %ebx\n"
        "    xor %edx, %edx\n"
        "    xor %esi, %esi\n"
        "    xor %edi, %edi\n"
        "    xor %ebp, %ebp\n"
        "    syscall\n"
        "    ljmp $0x33, $cs32_back\n"
        ".code64\n"
        "cs32_back:\n"
        "    movslq %eax, %rax\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size entry_cs32, .-entry_cs32\n"
        ".popsection\n");

/*
 * sysenter: the kernel takes the caller's stack pointer from %ebp (where
 * the i386 vDSO leaves it) and reads the sixth argument there, so %ebp
 * must point at readable memory for the call to reach the filter. AMD
 * CPUs do not implement sysenter in long mode (#UD, SIGILL); Intel CPUs
 * enter the kernel's i386 path.
 */
__asm__(".pushsection .text\n"
        ".globl entry_sysenter\n"
        ".type entry_sysenter, @function\n"
        "entry_sysenter:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    mov %edi, %eax\n"
        "    xor %ebx, %ebx\n"
        "    xor %ecx, %ecx\n"
        "    xor %edx, %edx\n"
        "    xor %esi, %esi\n"
        "    xor %edi, %edi\n"
        "    mov %rsp, %rbp\n"
        "    sysenter\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    movslq %eax, %rax\n"
        "    ret\n"
        ".size entry_sysenter, .-entry_sysenter\n"
        ".popsection\n");

/*
 * The vsyscall page (0xffffffffff600000) exists in every x86_64 process
 * unless the kernel was booted with vsyscall=none. Calling it makes the
 * kernel emulate gettimeofday, time or getcpu, and that emulation runs the
 * seccomp filter like a real system call.
 */
#define VSYSCALL_BASE 0xffffffffff600000ull
#define VSYSCALL_SLOT 0x400ull

long entry_vsyscall(uint64_t slot, uint64_t a0)
{
    long (*fn)(uint64_t, uint64_t) =
        (long (*)(uint64_t, uint64_t))(VSYSCALL_BASE + slot * VSYSCALL_SLOT);
    return fn(a0, 0);
}
