/* entry_x86_64.S: the guest's first instruction; hands over to C. */

/*
 * The tender jumps here with %rsp = mem_size - 8 and the boot info address
 * in %rdi. Clearing %rbp ends frame-pointer backtraces here, and realigning
 * %rsp makes the call below see the ABI's 16-byte alignment whatever the
 * tender did. spt_start never returns; ud2 turns a bug into a crash.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call spt_start
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
