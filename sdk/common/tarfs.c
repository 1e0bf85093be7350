/* tarfs.c: indexes a ustar image on a block device and reads its files
 * (nabla_tarfs.h). */
#include "nabla_tarfs.h"
#include "nabla_lib.h"

/* The ustar header: 512 bytes, the fields this reader uses at their offsets
 * (POSIX pax(1)). */
#define HDR 512
#define F_NAME 0
#define L_NAME 100
#define F_MODE 100
#define L_MODE 8
#define F_SIZE 124
#define L_SIZE 12
#define F_MTIME 136
#define L_MTIME 12
#define F_CHKSUM 148
#define L_CHKSUM 8
#define F_TYPE 156
#define F_MAGIC 257 /* "ustar\0" "00" (POSIX) or "ustar " " \0" (GNU) */
#define F_PREFIX 345
#define L_PREFIX 155

/* Formats into fs->error; returns `status`, so a check is one line. */
static enum nabla_tarfs_status fail(struct nabla_tarfs *fs,
                                    enum nabla_tarfs_status status,
                                    const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum nabla_tarfs_status fail(struct nabla_tarfs *fs,
                                    enum nabla_tarfs_status status,
                                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fs->error, sizeof(fs->error), fmt, ap);
    va_end(ap);
    return status;
}

/* The device block holding byte `at`, read once and kept until another is
 * needed. */
static const uint8_t *block_at(struct nabla_tarfs *fs, uint64_t at)
{
    uint64_t start = at - at % fs->block_size;
    if (fs->cached != start) {
        fs->cached = UINT64_MAX;
        if (solo5_block_read(fs->handle, start, fs->block, fs->block_size) !=
            SOLO5_R_OK) {
            fail(fs, NABLA_TARFS_EIO, "block read at offset %llu failed",
                 (unsigned long long)start);
            return NULL;
        }
        fs->cached = start;
    }
    return fs->block + (at - start);
}

/*
 * A numeric field, strictly: optional leading spaces, one or more octal digits,
 * then only NULs or spaces to the end of the field. No base-256 (a first byte
 * with its top bit set), no sign; at most 12 digits, so at most 2^36 - 1 and no
 * overflow. Returns 0 on success.
 */
static int octal(const uint8_t *field, size_t len, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < len && field[i] == ' ')
        i++;
    size_t first = i;
    for (; i < len && field[i] >= '0' && field[i] <= '7'; i++)
        v = v * 8 + (uint64_t)(field[i] - '0');
    if (i == first)
        return -1;
    for (; i < len; i++)
        if (field[i] != '\0' && field[i] != ' ')
            return -1;
    *out = v;
    return 0;
}

static int all_zero(const uint8_t *h)
{
    for (size_t i = 0; i < HDR; i++)
        if (h[i] != 0)
            return 0;
    return 1;
}

/* The unsigned byte sum with the checksum field counted as eight spaces
 * (POSIX). */
static uint64_t checksum(const uint8_t *h)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < HDR; i++)
        sum += (i >= F_CHKSUM && i < F_CHKSUM + L_CHKSUM) ? ' ' : h[i];
    return sum;
}

/*
 * The entry's name into `out`: prefix "/" name (POSIX ustar), each field
 * bounded by its length whether or not a NUL ends it; "./" in front and a
 * directory's trailing slashes dropped. Returns the length (0 for the archive's
 * own "./").
 */
static size_t entry_name(const uint8_t *h, int posix, char *out)
{
    size_t np = posix ? strnlen((const char *)h + F_PREFIX, L_PREFIX) : 0;
    size_t nn = strnlen((const char *)h + F_NAME, L_NAME);
    size_t n = 0;
    if (np > 0) {
        memcpy(out, h + F_PREFIX, np);
        out[np] = '/';
        n = np + 1;
    }
    memcpy(out + n, h + F_NAME, nn);
    n += nn;
    out[n] = '\0';
    size_t skip = 0;
    while (n - skip >= 2 && out[skip] == '.' && out[skip + 1] == '/')
        skip += 2;
    if (skip > 0) {
        memmove(out, out + skip, n - skip + 1);
        n -= skip;
    }
    while (n > 0 && out[n - 1] == '/')
        out[--n] = '\0';
    return n;
}

/* Checks the header at `at` and fills `f`; returns OK, or why not. */
static enum nabla_tarfs_status parse_header(struct nabla_tarfs *fs,
                                            const uint8_t *h, uint64_t at,
                                            struct nabla_tarfs_file *f,
                                            size_t *name_len)
{
    unsigned long long where = (unsigned long long)at;
    uint64_t stored, mode, size, mtime;
    if (octal(h + F_CHKSUM, L_CHKSUM, &stored) != 0)
        return fail(fs, NABLA_TARFS_EFORMAT,
                    "header at offset %llu: checksum field is not octal",
                    where);
    uint64_t sum = checksum(h);
    if (stored != sum)
        return fail(
            fs, NABLA_TARFS_ECHECKSUM,
            "header at offset %llu: checksum %llu, the bytes sum to %llu",
            where, (unsigned long long)stored, (unsigned long long)sum);
    int posix = memcmp(h + F_MAGIC,
                       "ustar\0"
                       "00",
                       8) == 0;
    if (!posix && memcmp(h + F_MAGIC, "ustar  \0", 8) != 0)
        return fail(fs, NABLA_TARFS_EFORMAT,
                    "header at offset %llu: not a ustar header (magic)", where);
    if (octal(h + F_MODE, L_MODE, &mode) != 0 ||
        octal(h + F_SIZE, L_SIZE, &size) != 0 ||
        octal(h + F_MTIME, L_MTIME, &mtime) != 0)
        return fail(fs, NABLA_TARFS_EFORMAT,
                    "header at offset %llu: mode, size or mtime is not octal",
                    where);
    uint8_t type = h[F_TYPE];
    if (type != '0' && type != '\0' && type != '5')
        return fail(fs, NABLA_TARFS_EUNSUPPORTED,
                    "header at offset %llu: entry type 0x%x (only files and "
                    "directories are read)",
                    where, type);
    if (type == '5' && size != 0)
        return fail(fs, NABLA_TARFS_EFORMAT,
                    "header at offset %llu: a directory of size %llu", where,
                    (unsigned long long)size);
    /* The loop in open() keeps at + HDR <= capacity. */
    if (size > fs->capacity - (at + HDR))
        return fail(
            fs, NABLA_TARFS_EBOUNDS,
            "header at offset %llu: %llu bytes of data run past the end "
            "of the device (%llu bytes)",
            where, (unsigned long long)size, (unsigned long long)fs->capacity);
    *name_len = entry_name(h, posix, f->name);
    if (*name_len == 0 && type != '5')
        return fail(fs, NABLA_TARFS_EFORMAT,
                    "header at offset %llu: a file without a name", where);
    f->is_dir = type == '5';
    f->mode = (uint32_t)(mode & 07777);
    f->mtime = mtime;
    f->size = size;
    f->offset = at + HDR;
    return NABLA_TARFS_OK;
}

/* Heapsort by name: no recursion, no allocation, O(n log n) for any input
 * order. */
static void sift(struct nabla_tarfs_file *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && strcmp(a[child].name, a[child + 1].name) < 0)
            child++;
        if (strcmp(a[root].name, a[child].name) >= 0)
            return;
        struct nabla_tarfs_file t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

static void sort_files(struct nabla_tarfs_file *a, size_t n)
{
    for (size_t i = n / 2; i > 0; i--)
        sift(a, i - 1, n);
    for (size_t end = n; end > 1; end--) {
        struct nabla_tarfs_file t = a[0];
        a[0] = a[end - 1];
        a[end - 1] = t;
        sift(a, 0, end - 1);
    }
}

enum nabla_tarfs_status nabla_tarfs_open(struct nabla_tarfs *fs,
                                         solo5_handle_t handle,
                                         const struct solo5_block_info *info,
                                         struct nabla_tarfs_file *files,
                                         size_t max_files)
{
    fs->handle = handle;
    fs->files = files;
    fs->count = 0;
    fs->max = max_files;
    fs->cached = UINT64_MAX;
    fs->error[0] = '\0';
    fs->capacity = info->capacity;
    fs->block_size = info->block_size;
    uint64_t bs = info->block_size;
    /* Headers are 512-byte aligned: a power-of-two block of 512 or more holds
     * them whole. */
    if (bs < HDR || bs > NABLA_TARFS_BLOCK_MAX || (bs & (bs - 1)) != 0 ||
        info->capacity % bs != 0)
        return fail(fs, NABLA_TARFS_EDEVICE,
                    "block size %llu, capacity %llu: not usable",
                    (unsigned long long)bs, (unsigned long long)info->capacity);

    uint64_t at = 0;
    while (at + HDR <= fs->capacity) { /* at <= capacity: no overflow */
        const uint8_t *h = block_at(fs, at);
        if (h == NULL)
            return NABLA_TARFS_EIO;
        if (all_zero(h))
            break; /* the end-of-archive blocks */
        if (fs->count == fs->max)
            return fail(fs, NABLA_TARFS_ETOOMANY,
                        "header at offset %llu: more than %llu entries",
                        (unsigned long long)at, (unsigned long long)fs->max);
        struct nabla_tarfs_file *f = &files[fs->count];
        size_t name_len = 0;
        enum nabla_tarfs_status rc = parse_header(fs, h, at, f, &name_len);
        if (rc != NABLA_TARFS_OK)
            return rc;
        /* The data, padded to whole 512-byte records, fits: checked above. */
        uint64_t records = (f->size + HDR - 1) / HDR;
        at = f->offset + records * HDR;
        if (name_len > 0) /* "./", the archive's root directory, is no entry */
            fs->count++;
    }
    sort_files(files, fs->count);
    for (size_t i = 1; i < fs->count; i++)
        if (strcmp(files[i - 1].name, files[i].name) == 0) {
            fs->count = 0;
            return fail(fs, NABLA_TARFS_EDUPLICATE, "two entries named '%s'",
                        files[i].name);
        }
    return NABLA_TARFS_OK;
}

const struct nabla_tarfs_file *nabla_tarfs_lookup(const struct nabla_tarfs *fs,
                                                  const char *name)
{
    size_t lo = 0, hi = fs->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(fs->files[mid].name, name);
        if (c == 0)
            return &fs->files[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

long nabla_tarfs_read(struct nabla_tarfs *fs,
                      const struct nabla_tarfs_file *file, uint64_t offset,
                      void *buf, size_t len)
{
    if (offset >= file->size)
        return 0;
    uint64_t left = file->size - offset;
    if (len > left)
        len = (size_t)left;
    if (len > (size_t)-1 / 2) /* the result is a long */
        len = (size_t)-1 / 2;
    uint8_t *out = buf;
    uint64_t dev = file->offset + offset;
    size_t done = 0;
    uint64_t bs = fs->block_size;
    while (done < len) {
        uint64_t within = dev % bs;
        size_t chunk = (size_t)(bs - within);
        if (chunk > len - done)
            chunk = len - done;
        if (within == 0 && chunk == bs && fs->cached != dev) {
            /* A whole block of the file: straight into the caller's buffer. */
            if (solo5_block_read(fs->handle, dev, out + done, bs) !=
                SOLO5_R_OK) {
                fail(fs, NABLA_TARFS_EIO, "block read at offset %llu failed",
                     (unsigned long long)dev);
                return -1;
            }
        } else {
            const uint8_t *b = block_at(fs, dev);
            if (b == NULL)
                return -1;
            memcpy(out + done, b, chunk);
        }
        done += chunk;
        dev += chunk;
    }
    return (long)done;
}
