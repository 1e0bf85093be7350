/* marker.c: test guest that shows what its .data, .bss, heap and stack held,
 * then marks them. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * Command line: MARKER [MS]. Prints what it finds first at four places of
 * its own memory:
 *   data   a .data array, "pristine" in the image
 *   bss    a .bss array, zero in the image
 *   heap   the first bytes of the heap (solo5_start_info.heap_start)
 *   stack  16 pages below the stack pointer, untouched by the call chain
 * then writes MARKER into all four and prints "marked", waits MS
 * milliseconds in solo5_yield, and prints "kept MARKER" if all four still
 * hold it (else "lost" and where), then exits 0. Started one after another
 * from the same template, each must find the image's bytes, never an
 * earlier guest's marker: no memory is shared writable between guests.
 */
#define AREA 32
#define STACK_BELOW (16 * 4096)

static char data_area[AREA] = "pristine";
static char bss_area[AREA];

/* Up to AREA-1 printable bytes, "(zero)" if the first is 0. */
static void show(const char *name, const volatile char *p)
{
    char text[AREA];
    size_t n = 0;

    while (n < AREA - 1 && p[n] >= ' ' && p[n] <= '~') {
        text[n] = p[n];
        n++;
    }
    text[n] = '\0';
    printf(" %s=%s", name, p[0] == '\0' ? "(zero)" : text);
}

static void mark(volatile char *p, const char *marker)
{
    size_t i = 0;

    for (; marker[i] != '\0' && i < AREA - 1; i++)
        p[i] = marker[i];
    p[i] = '\0';
}

static bool holds(const volatile char *p, const char *marker)
{
    for (size_t i = 0; i < AREA - 1; i++) {
        if (p[i] != marker[i])
            return false;
        if (marker[i] == '\0')
            return true;
    }
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    char marker[AREA];
    const char *space;
    size_t len;
    unsigned long ms = 0;
    volatile char *heap = (volatile char *)si->heap_start;
    volatile char *stack =
        (volatile char *)(((uintptr_t)&len & ~(uintptr_t)4095) - STACK_BELOW);
    const volatile char *places[4] = {data_area, bss_area, heap, stack};
    static const char *const names[4] = {"data", "bss", "heap", "stack"};

    space = si->cmdline;
    while (*space != '\0' && *space != ' ')
        space++;
    len = (size_t)(space - si->cmdline);
    if (len == 0 || len >= AREA) {
        printf("usage: MARKER [MS]\n");
        return SOLO5_EXIT_FAILURE;
    }
    memcpy(marker, si->cmdline, len);
    marker[len] = '\0';
    if (*space == ' ')
        ms = strtoul(space + 1, NULL, 10);

    printf("found");
    for (int i = 0; i < 4; i++)
        show(names[i], places[i]);
    printf("\n");
    for (int i = 0; i < 4; i++)
        mark((volatile char *)places[i], marker);
    printf("marked\n");

    solo5_time_t until = solo5_clock_monotonic() + ms * 1000000ull;
    while (solo5_clock_monotonic() < until)
        solo5_yield(until, NULL);

    for (int i = 0; i < 4; i++) {
        if (!holds(places[i], marker)) {
            printf("lost %s\n", names[i]);
            return SOLO5_EXIT_FAILURE;
        }
    }
    printf("kept %s\n", marker);
    return SOLO5_EXIT_SUCCESS;
}
