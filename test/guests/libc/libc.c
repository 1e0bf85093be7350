/* libc.c: test guest checking the freestanding string and number routines. */
#include "solo5.h"
#include "nabla_lib.h"

/* Each failed check prints its line; "libc ok" only when none failed. */
static int failures;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printf("libc: check failed, line %d: %s\n", __LINE__, #cond);      \
            failures++;                                                        \
        }                                                                      \
    } while (0)

static void numbers(void)
{
    char *end;
    const char *s = "  -42xyz";

    CHECK(strtol(s, &end, 10) == -42 && end == s + 5);
    CHECK(strtoul("0x1F", &end, 0) == 31 && *end == '\0');
    CHECK(strtoul("0x", &end, 16) == 0 && *end == 'x');
    CHECK(strtoul("0755", NULL, 0) == 0755);
    CHECK(strtoul("z", NULL, 36) == 35);
    CHECK(strtoul("-1", NULL, 10) == ~0ul);
    CHECK(strtoul("99999999999999999999999", NULL, 10) == ~0ul);
    CHECK(strtol("9223372036854775808", NULL, 10) == __LONG_MAX__);
    CHECK(strtol("-9223372036854775808", NULL, 10) == -__LONG_MAX__ - 1);
    CHECK(strtol("-9223372036854775809", NULL, 10) == -__LONG_MAX__ - 1);
    CHECK(strtol("abc", &end, 10) == 0 && strcmp(end, "abc") == 0);
    CHECK(strtol("+7", NULL, 10) == 7);
    CHECK(atoi("123 456") == 123 && atoi("") == 0);
}

static void strings(void)
{
    char buf[16];
    const char *s = "hello, world";

    CHECK(strchr(s, 'o') == s + 4 && strrchr(s, 'o') == s + 8);
    CHECK(strchr(s, '\0') == s + 12 && strchr(s, 'z') == NULL);
    CHECK(strrchr(s, 'z') == NULL && strrchr(s, 'h') == s);
    CHECK(memchr(s, 'w', 12) == s + 7 && memchr(s, 'w', 7) == NULL);
    CHECK(strnlen(s, 5) == 5 && strnlen(s, 50) == 12);
    CHECK(strncmp("abc", "abd", 2) == 0 && strncmp("abc", "abd", 3) < 0);

    memset(buf, 'x', sizeof(buf));
    CHECK(strncpy(buf, "ab", 5) == buf && memcmp(buf, "ab\0\0\0x", 6) == 0);
    strncpy(buf, "abcdef", 3);
    CHECK(memcmp(buf, "abc\0", 4) == 0); /* no NUL added, old byte stays */
    CHECK(strlcpy(buf, s, sizeof(buf)) == 12 && strcmp(buf, s) == 0);
    CHECK(strlcpy(buf, s, 6) == 12 && strcmp(buf, "hello") == 0);
    CHECK(strlcpy(buf, s, 0) == 12 && strcmp(buf, "hello") == 0);

    char m[] = "0123456789";
    memmove(m + 2, m, 5);
    CHECK(strcmp(m, "0101234789") == 0);
    memmove(m, m + 3, 5);
    CHECK(strcmp(m, "1234734789") == 0);

    CHECK(snprintf(buf, 4, "%d-%s", 12345, "x") == 7 &&
          strcmp(buf, "123") == 0);
    /* A precision limits %s (a string with no NUL in reach, too). */
    char unterminated[3] = {'a', 'b', 'c'}, line[32];
    CHECK(snprintf(line, sizeof line, "[%.*s|%.2s|%5.1s|%.*s]", 2, unterminated,
                   "xyz", "pq", -1, "all") == 17 &&
          strcmp(line, "[ab|xy|    p|all]") == 0);
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    numbers();
    strings();
    if (failures != 0)
        return SOLO5_EXIT_FAILURE;
    puts("libc ok");
    return SOLO5_EXIT_SUCCESS;
}
