/* abort.c: test guest that calls solo5_abort(); expect status 255, "ABORT". */
#include "solo5.h"
#include "nabla_lib.h"

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    printf("abort: calling solo5_abort()\n");
    solo5_abort();
}
