/* quiet.c: conformance guest: prints SUCCESS and its command line. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Run with --solo5:quiet, the bindings must print nothing of their own (no
 * "Solo5:" banner or exit line) and must strip the option, so the command
 * line the application sees is empty.
 */
int solo5_app_main(const struct solo5_start_info *si)
{
    printf("\n**** nabla conformance: quiet ****\n\n");
    printf("Command line is: '%s'\n", si->cmdline);
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
