/* conflood.c: test guest: floods its console with numbered lines. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * The command line is the number of lines to write (0 or nothing: write
 * forever). Each line is 64 bytes, "conflood NNNNNNNNNN ....\n", so that a
 * reader can check that none was lost or torn. Nobody has to read them:
 * when the console is a full pipe, the write blocks and so does the guest.
 */
#define LINE 64

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t lines = 0;
    char line[LINE];

    for (const char *p = si->cmdline; *p >= '0' && *p <= '9'; p++)
        lines = lines * 10 + (uint64_t)(*p - '0');
    memset(line, '.', LINE - 1);
    memcpy(line, "conflood ", 9);
    line[19] = ' ';
    line[LINE - 1] = '\n';
    for (uint64_t n = 0; lines == 0 || n < lines; n++) {
        uint64_t v = n;
        for (int i = 18; i >= 9; i--) {
            line[i] = (char)('0' + v % 10);
            v /= 10;
        }
        solo5_console_write(line, LINE);
    }
    return SOLO5_EXIT_SUCCESS;
}
