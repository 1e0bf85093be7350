/* elf_check.c: elf-check, the tender's ELF validation run on one file. */
/*
 * Usage: elf-check KERNEL [MEM_BYTES]
 *
 * Runs exactly the checks nabla-spt runs before loading (common/: header,
 * segments, notes, manifest) for a guest of MEM_BYTES (default 512 MiB), and
 * prints the tender's message as "elf-check: KERNEL: <text>" with status 1,
 * or "ok entry=0x... kernel_end=0x... devices=N" with status 0. The test
 * suite feeds the same files to this and to the TypeScript checker and
 * requires the same text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spt_abi.h"
#include "elf_load.h"
#include "elf_notes.h"
#include "msg.h"
#include "regular_file.h"
#include "text_escape.h"

static const char *prog = "elf-check";

static int usage(void)
{
    fprintf(stderr, "usage: %s KERNEL [MEM_BYTES]\n", prog);
    return 1;
}

/* Decimal or 0x-prefixed hexadecimal, nothing else, at least 1. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0' || v == 0)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static struct solo5_notes notes;
    static char shown[TEXT_ESCAPE_SIZE(4096)];
    struct elf_image img;
    char msg[NABLA_MSG_SIZE];
    uint64_t mem_size = SPT_DEFAULT_MEM_SIZE;
    const char *path;
    int fd;

    if (argc < 2 || argc > 3)
        return usage();
    /* Quoted as the tender quotes it (text_escape.h). */
    path = text_escape(shown, sizeof shown, argv[1]);
    if (argc == 3 && parse_size(argv[2], &mem_size) != 0) {
        fprintf(stderr, "%s: invalid MEM_BYTES '%s'\n", prog, argv[2]);
        return usage();
    }
    /* Only a regular file, seen before it is opened (a FIFO would hang). */
    fd = nabla_open_regular(argv[1], O_RDONLY, msg, sizeof msg);
    if (fd < 0) {
        fprintf(stderr, "%s: %s: Could not open: %s\n", prog, path, msg);
        return 1;
    }
    if (elf_check(fd, mem_size, &img, msg, sizeof msg) != 0 ||
        elf_read_notes(fd, &img, &notes, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, msg);
        elf_image_free(&img);
        close(fd);
        return 1;
    }
    printf("ok entry=0x%llx kernel_end=0x%llx devices=%u\n",
           (unsigned long long)img.entry, (unsigned long long)img.kernel_end,
           solo5_notes_mft(&notes)->entries - 1);
    elf_image_free(&img);
    close(fd);
    return 0;
}
