/* escape.c: security guest: makes the one escape attempt its command line
 * names. */
#include "solo5.h"
#include "nabla_lib.h"
#include "spt_abi.h"
#include "escape.h"

/*
 * Command line: NAME VIA [NR [ARG...]]
 *
 *   NAME  printed first, "attempt: NAME", so the test knows the guest got
 *         as far as the attempt (a kill during boot would not count)
 *   VIA   syscall       the 64-bit syscall instruction
 *         x32           the same, with NR | 0x40000000 (the x32 ABI bit)
 *         int80         int $0x80 from 64-bit code (the i386 ABI)
 *         cs32-int80    int $0x80 after switching to 32-bit code
 *         cs32-syscall  syscall after switching to 32-bit code
 *         sysenter      sysenter from 64-bit code
 *         vsyscall      a call into the vsyscall page, NR = the slot
 *         mem           NR names a memory probe (memory.c)
 *   NR    a number, strtoul base 0 ("-1" is all ones)
 *   ARG   up to six; a number, or a token for what the test cannot know:
 *         @buf @zero @msg @text @heap @blk @net @epoll @timer @str:TEXT
 *
 * If the kernel entry returns, the guest prints "ESCAPED NAME ret=VALUE"
 * and exits 0: for an attempt that must be killed, the return is a visible
 * failure; for a positive control, it is the expected result.
 */

#define X32_SYSCALL_BIT 0x40000000ull

/* Written through by pwrite/write attempts: 'X's, so the bytes show. */
static uint8_t buf[64 * 1024];
/* Zeros: a valid timespec, itimerspec, epoll_event array or clone_args. */
static uint8_t zero[4096] __attribute__((aligned(64)));
/* The console text of the positive controls (17 bytes). */
static char msg[] = "nabla-escape-msg\n";
/* The command line, split in place into words. */
static char line[SPT_CMDLINE_SIZE];

static const struct spt_boot_info *boot_info(void)
{
    return (const struct spt_boot_info *)(uintptr_t)SPT_BOOT_INFO_BASE;
}

/* The host descriptor of a manifest device, from the tender-filled copy. */
static int device_fd(const char *name)
{
    const struct mft *m = boot_info()->mft;
    for (unsigned i = 1; i < m->entries; i++)
        if (strcmp(m->e[i].name, name) == 0 && m->e[i].attached)
            return m->e[i].b.hostfd;
    return -1;
}

static int fail(const char *name, const char *what, const char *word)
{
    printf("escape: %s: %s '%s'\n", name, what, word);
    return SOLO5_EXIT_FAILURE;
}

static bool parse_number(const char *s, uint64_t *out)
{
    char *end;
    *out = strtoul(s, &end, 0);
    return end != s && *end == '\0';
}

static bool parse_arg(const char *s, uintptr_t heap, uint64_t *out)
{
    extern char _stext[];
    const struct spt_boot_info *bi = boot_info();

    if (s[0] != '@')
        return parse_number(s, out);
    if (strncmp(s, "@str:", 5) == 0)
        *out = (uintptr_t)(s + 5);
    else if (strcmp(s, "@buf") == 0)
        *out = (uintptr_t)buf;
    else if (strcmp(s, "@zero") == 0)
        *out = (uintptr_t)zero;
    else if (strcmp(s, "@msg") == 0)
        *out = (uintptr_t)msg;
    else if (strcmp(s, "@text") == 0)
        *out = (uintptr_t)_stext;
    else if (strcmp(s, "@heap") == 0)
        *out = heap;
    else if (strcmp(s, "@blk") == 0)
        *out = (uint64_t)(int64_t)device_fd("storage");
    else if (strcmp(s, "@net") == 0)
        *out = (uint64_t)(int64_t)device_fd("net");
    else if (strcmp(s, "@epoll") == 0)
        *out = (uint64_t)(int64_t)bi->epollfd;
    else if (strcmp(s, "@timer") == 0)
        *out = (uint64_t)(int64_t)bi->timerfd;
    else
        return false;
    return true;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    char *word[3 + ESCAPE_NARGS];
    unsigned n = 0;
    uint64_t nr = 0, a[ESCAPE_NARGS] = {0};
    long ret;

    memset(buf, 'X', sizeof buf);
    if (strlcpy(line, si->cmdline, sizeof line) >= sizeof line)
        return fail("?", "command line too long", "");
    for (char *p = line; *p != '\0';) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (n == sizeof word / sizeof word[0])
            return fail(word[0], "too many words at", p);
        word[n++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
    }
    if (n < 2)
        return fail("?", "usage: NAME VIA [NR [ARG...]], got", si->cmdline);

    const char *name = word[0], *via = word[1];
    if (strcmp(via, "mem") != 0 && n > 2 && !parse_number(word[2], &nr))
        return fail(name, "bad number", word[2]);
    for (unsigned i = 3; i < n; i++)
        if (!parse_arg(word[i], si->heap_start, &a[i - 3]))
            return fail(name, "bad argument", word[i]);

    /* Everything is parsed: from here on only the attempt runs. */
    printf("attempt: %s\n", name);
    if (strcmp(via, "syscall") == 0)
        ret = entry_syscall(nr, a);
    else if (strcmp(via, "x32") == 0)
        ret = entry_syscall(nr | X32_SYSCALL_BIT, a);
    else if (strcmp(via, "int80") == 0)
        ret = entry_int80(nr, a);
    else if (strcmp(via, "cs32-int80") == 0)
        ret = entry_cs32((uint32_t)nr, 0);
    else if (strcmp(via, "cs32-syscall") == 0)
        ret = entry_cs32((uint32_t)nr, 1);
    else if (strcmp(via, "sysenter") == 0)
        ret = entry_sysenter((uint32_t)nr);
    else if (strcmp(via, "vsyscall") == 0)
        ret = entry_vsyscall(nr, a[0]);
    else if (strcmp(via, "mem") == 0 && n > 2) {
        if (probe_memory(word[2], si->heap_start, boot_info()->mem_size) != 0)
            return fail(name, "unknown memory probe", word[2]);
        ret = 0;
    } else
        return fail(name, "unknown way in", via);

    printf("ESCAPED %s ret=%ld\n", name, ret);
    return SOLO5_EXIT_SUCCESS;
}
