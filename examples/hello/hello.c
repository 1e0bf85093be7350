/* hello.c: the smallest nabla unikernel: greets and echoes its command line. */
#include "solo5.h"
#include "nabla_lib.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    printf("Hello, world!\n");
    printf("Command line: %s\n", si->cmdline);
    return SOLO5_EXIT_SUCCESS;
}
