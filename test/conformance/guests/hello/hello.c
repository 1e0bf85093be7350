/* hello.c: conformance guest: greets, echoes its command line, returns 0. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Upstream's "hello" passes one word, Hello_Solo5, and looks for SUCCESS:
 * printing SUCCESS only for that exact command line shows that the tender
 * handed the guest its arguments, not merely that the guest ran.
 */
int solo5_app_main(const struct solo5_start_info *si)
{
    printf("\n**** nabla conformance: hello ****\n\n");
    printf("Hello, World\n");
    printf("Command line is: '%s'\n", si->cmdline);
    if (strcmp(si->cmdline, "Hello_Solo5") == 0)
        printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
