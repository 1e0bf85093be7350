/* xheap.c: test guest that writes `ret` into its heap and calls it: SIGSEGV
 * unless the tender was given --x-exec-heap. */
#include "solo5.h"
#include "nabla_lib.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint8_t *heap = (volatile uint8_t *)si->heap_start;
    void (*fn)(void) = (void (*)(void))si->heap_start;

    heap[0] = 0xc3; /* x86 `ret` */
    fn();
    printf("xheap: the heap is executable\n");
    return SOLO5_EXIT_SUCCESS;
}
