/* xdata.c: test guest that calls into a data array holding `ret`; expect
 * SIGSEGV. */
#include "solo5.h"
#include "nabla_lib.h"

/* x86 `ret`, in .data (R+W, never executable under W^X). */
static uint8_t code[16] = {0xc3};

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    void (*fn)(void) = (void (*)(void))(uintptr_t)code;

    printf("xdata: calling into data at %p\n", (void *)code);
    fn();
    printf("xdata: data is executable\n");
    return SOLO5_EXIT_FAILURE;
}
