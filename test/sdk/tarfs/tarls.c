/* tarls.c: test guest: indexes the ustar image on "storage", lists it, reads
 * every file in odd-sized chunks. */
#include "nabla_lib.h"
#include "nabla_tarfs.h"
#include "solo5.h"

/*
 * Prints one line per entry, in name order:
 *   file NAME SIZE MODE FNV  (MODE in hex: printf has no %o; FNV: 32-bit
 * FNV-1a, hex) dir NAME MODE then "lookup ok" when every name finds its entry
 * and a missing one finds nothing, then "done N". On a damaged image: "tarfs:
 * error CODE: MESSAGE" and status 1. The command line is the index's size
 * (default 256).
 */
#define MAX_FILES 256

static struct nabla_tarfs fs;
static struct nabla_tarfs_file files[MAX_FILES];
static uint8_t buf[70000];

/* Chunk sizes that straddle 512- and 4096-byte blocks in every way. */
static const size_t CHUNKS[] = {1,    7,     511, 513,  4095,
                                4097, 65537, 3,   8192, 1000};

static int read_all(const struct nabla_tarfs_file *f, uint32_t *hash)
{
    uint32_t h = 2166136261u;
    uint64_t at = 0;
    for (size_t k = 0;; k++) {
        size_t want = CHUNKS[k % (sizeof(CHUNKS) / sizeof(CHUNKS[0]))];
        long n = nabla_tarfs_read(&fs, f, at, buf, want);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        for (long i = 0; i < n; i++) {
            h ^= buf[i];
            h *= 16777619u;
        }
        at += (uint64_t)n;
    }
    /* Past the end: nothing, and no device access. */
    if (at != f->size || nabla_tarfs_read(&fs, f, f->size + 1, buf, 10) != 0)
        return -1;
    *hash = h;
    return 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    solo5_handle_t h;
    struct solo5_block_info info;
    size_t max = MAX_FILES;

    if (si->cmdline[0] != '\0') {
        unsigned long n = strtoul(si->cmdline, NULL, 10);
        if (n < max)
            max = n;
    }
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        printf("tarls: cannot acquire 'storage'\n");
        return SOLO5_EXIT_FAILURE;
    }
    enum nabla_tarfs_status rc = nabla_tarfs_open(&fs, h, &info, files, max);
    if (rc != NABLA_TARFS_OK) {
        printf("tarfs: error %d: %s\n", (int)rc, fs.error);
        return SOLO5_EXIT_FAILURE;
    }
    for (size_t i = 0; i < fs.count; i++) {
        const struct nabla_tarfs_file *f = &fs.files[i];
        if (f->is_dir) {
            printf("dir %s %x\n", f->name, (unsigned)f->mode);
            continue;
        }
        uint32_t hash;
        if (read_all(f, &hash) != 0) {
            printf("tarfs: read %s: %s\n", f->name, fs.error);
            return SOLO5_EXIT_FAILURE;
        }
        printf("file %s %llu %x %08x\n", f->name, (unsigned long long)f->size,
               (unsigned)f->mode, (unsigned)hash);
    }
    for (size_t i = 0; i < fs.count; i++)
        if (nabla_tarfs_lookup(&fs, fs.files[i].name) != &fs.files[i]) {
            printf("tarls: lookup of %s failed\n", fs.files[i].name);
            return SOLO5_EXIT_FAILURE;
        }
    if (nabla_tarfs_lookup(&fs, "no/such/file") != NULL ||
        nabla_tarfs_lookup(&fs, "") != NULL) {
        printf("tarls: a missing name was found\n");
        return SOLO5_EXIT_FAILURE;
    }
    printf("lookup ok\ndone %llu\n", (unsigned long long)fs.count);
    return SOLO5_EXIT_SUCCESS;
}
