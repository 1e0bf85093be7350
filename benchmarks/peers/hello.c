/* hello.c: the smallest Linux program, the boot benchmark's floor. */
#include <stdio.h>

/*
 * Built with gcc -static -O2: no dynamic loader and no shared libraries to
 * map, so its wall time is what exec, glibc's start-up and one write cost.
 */
int main(void)
{
    puts("Hello, world!");
    return 0;
}
