/* output.c: conformance guest: console writes from 0 bytes to 256 KiB. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Upstream's "output" test hands solo5_console_write() a single string of a
 * little over 4 KiB (more than a page). Here the sizes go further: a 256 KiB
 * write is larger than a pipe's buffer (64 KiB), so the host write() returns
 * short and the bindings must carry on where it stopped. Every line is
 * LINE bytes and names its own number, so the test can rebuild the expected
 * output byte for byte and a lost, repeated or reordered piece shows.
 */
#define LINE 64
#define PAGE_LINES 65   /* 4160 bytes: one page and a bit */
#define BULK_LINES 4096 /* 262144 bytes */

/* Writes line (n) of (kind) into (dst): exactly LINE bytes, '\n' last. */
static void make_line(char *dst, const char *kind, unsigned n)
{
    char tmp[LINE + 1];
    int len = snprintf(tmp, sizeof(tmp), "%s line %05u ", kind, n);
    for (int i = len; i < LINE - 1; i++)
        tmp[i] = (char)('a' + (n + (unsigned)i) % 26);
    tmp[LINE - 1] = '\n';
    memcpy(dst, tmp, LINE);
}

static char page[PAGE_LINES * LINE];

int solo5_app_main(const struct solo5_start_info *si)
{
    size_t bulk_size = (size_t)BULK_LINES * LINE;
    if (si->heap_size < bulk_size) {
        printf("output: heap of %llu bytes is too small\n",
               (unsigned long long)si->heap_size);
        return SOLO5_EXIT_FAILURE;
    }
    char *bulk = (char *)si->heap_start;

    printf("\n**** nabla conformance: output ****\n\n");

    for (unsigned n = 0; n < PAGE_LINES; n++)
        make_line(page + n * LINE, "page", n);
    for (unsigned n = 0; n < BULK_LINES; n++)
        make_line(bulk + (size_t)n * LINE, "bulk", n);

    solo5_console_write("never shown", 0);
    solo5_console_write("[", 1);
    solo5_console_write("]\n", 2);
    solo5_console_write(page, sizeof(page));
    solo5_console_write(bulk, bulk_size);
    printf("SUCCESS\n");
    return SOLO5_EXIT_SUCCESS;
}
