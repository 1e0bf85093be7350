/* text_escape_tool.c: text-escape, the tender's escaping run on any bytes. */
/*
 * Usage: text-escape < INPUT
 *
 * INPUT is any number of byte strings, each ended by a NUL byte. Prints the
 * escaped form of each (tenders/common/text_escape.c) on its own line; the
 * escaped form has no newline of its own, so lines and inputs match. The
 * test suite compares this with src/text-escape.ts on the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "text_escape.h"

int main(void)
{
    static char in[1 << 16], out[TEXT_ESCAPE_SIZE(sizeof in)];
    size_t n = fread(in, 1, sizeof in - 1, stdin), start = 0;

    if (!feof(stdin)) {
        fprintf(stderr, "text-escape: input over %zu bytes\n", sizeof in - 1);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (in[i] != '\0')
            continue;
        puts(text_escape(out, sizeof out, in + start));
        start = i + 1;
    }
    return 0;
}
