/* vdso_sym_tool.c: vdso-sym, the tender's vDSO lookup run on a file or itself.
 */
/*
 * Usage: vdso-sym NAME [FILE]
 *
 * Without FILE, looks NAME up in this process's own vDSO with
 * common/vdso_sym.c, bounded by its [vdso] mapping, and prints
 * "ADDRESS ADDRESS2": ours, then the dynamic loader's (dlsym on
 * linux-vdso.so.1), which a test compares. With FILE, looks it up in the
 * file's bytes (a vDSO image, or a damaged one) and prints the offset.
 * Either way, a failure prints the lookup's message and exits 1.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "msg.h"
#include "vdso_sym.h"

/* Bytes of the [vdso] mapping that starts at base, from /proc/self/maps. */
static size_t vdso_size(uint64_t base)
{
    FILE *f = fopen("/proc/self/maps", "re");
    char line[512];
    size_t size = 0;

    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        uint64_t start, end;

        if (sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end) == 2 &&
            start == base && strstr(line, "[vdso]") != NULL)
            size = (size_t)(end - start);
    }
    if (f != NULL)
        fclose(f);
    return size;
}

static int from_file(const char *name, const char *path)
{
    static unsigned char buf[1 << 20];
    char msg[NABLA_MSG_SIZE];
    FILE *f = fopen(path, "rb");
    uint64_t offset;
    size_t n;

    if (f == NULL) {
        perror(path);
        return 2;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (vdso_sym(buf, n, name, &offset, msg, sizeof msg) != 0) {
        printf("%s\n", msg);
        return 1;
    }
    printf("0x%" PRIx64 "\n", offset);
    return 0;
}

int main(int argc, char **argv)
{
    char msg[NABLA_MSG_SIZE];
    uint64_t base = getauxval(AT_SYSINFO_EHDR), offset;
    void *vdso, *theirs;

    if (argc == 3)
        return from_file(argv[1], argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: vdso-sym NAME [FILE]\n");
        return 2;
    }
    if (vdso_sym((const void *)(uintptr_t)base, vdso_size(base), argv[1],
                 &offset, msg, sizeof msg) != 0) {
        printf("%s\n", msg);
        return 1;
    }
    vdso = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
    theirs = vdso != NULL ? dlsym(vdso, argv[1]) : NULL;
    printf("0x%" PRIx64 " %p\n", base + offset, theirs);
    return 0;
}
