/* nabla_tarfs.h: read-only files from a ustar image on a Solo5 block device
 * (docs/fs-image.md). */
#ifndef NABLA_TARFS_H
#define NABLA_TARFS_H

#include "solo5.h"

/*
 * An image is a POSIX ustar archive (`nabla fs build DIR -o IMAGE` makes one;
 * `tar tvf IMAGE` lists it). nabla_tarfs_open() reads every header once,
 * checking each as untrusted input, and keeps an index in memory the caller
 * provides: no allocation, a fixed bound. Lookups are exact matches of a whole
 * name in that index ("css/site.css"; a directory's name has no trailing
 * slash): nothing is resolved, so ".." or a leading "/" mean nothing. Reads go
 * to the device in whole blocks of its block size, straight into the caller's
 * buffer where a block lies wholly inside it, through one block of the handle
 * otherwise.
 */

/* The longest name: ustar's 155-byte prefix, a slash, and its 100-byte name. */
#define NABLA_TARFS_NAME_MAX 256
/* The largest device block size the reader takes (the largest the manifest can
 * hold). */
#define NABLA_TARFS_BLOCK_MAX 32768

struct nabla_tarfs_file {
    char name[NABLA_TARFS_NAME_MAX + 1]; /* NUL-terminated */
    int is_dir;                          /* 1 for a directory (size 0) */
    uint32_t mode;                       /* permission bits, as stored */
    uint64_t mtime;  /* seconds since the epoch, as stored */
    uint64_t size;   /* bytes */
    uint64_t offset; /* device offset of its first byte */
};

enum nabla_tarfs_status {
    NABLA_TARFS_OK = 0,
    NABLA_TARFS_EDEVICE,   /* a block size or capacity the reader cannot use */
    NABLA_TARFS_EIO,       /* solo5_block_read failed */
    NABLA_TARFS_EFORMAT,   /* not a ustar header: magic, a numeric field */
    NABLA_TARFS_ECHECKSUM, /* a header whose checksum does not match */
    NABLA_TARFS_EUNSUPPORTED, /* an entry type outside the subset (link, pax...)
                               */
    NABLA_TARFS_EBOUNDS,    /* a file's data runs past the end of the device */
    NABLA_TARFS_ETOOMANY,   /* more entries than the index holds */
    NABLA_TARFS_EDUPLICATE, /* two entries of the same name */
};

struct nabla_tarfs {
    solo5_handle_t handle;
    uint64_t capacity;
    uint64_t block_size;
    struct nabla_tarfs_file *files; /* sorted by name (strcmp) */
    size_t count;
    size_t max;
    /* After a failed open: which check, in words, with the header's offset and
     * numbers. */
    char error[200];
    /* The device offset of the block held in `block`, or UINT64_MAX for none.
     */
    uint64_t cached;
    uint8_t block[NABLA_TARFS_BLOCK_MAX] __attribute__((aligned(64)));
};

/*
 * Indexes the image on `handle` into files[0 .. max_files - 1]. Returns
 * NABLA_TARFS_OK, or the first failure (fs->error says where and why; nothing
 * is usable then). The archive ends at its first all-zero header, or at the end
 * of the device.
 */
enum nabla_tarfs_status nabla_tarfs_open(struct nabla_tarfs *fs,
                                         solo5_handle_t handle,
                                         const struct solo5_block_info *info,
                                         struct nabla_tarfs_file *files,
                                         size_t max_files);

/* The entry named exactly `name`, or NULL. O(log n). */
const struct nabla_tarfs_file *nabla_tarfs_lookup(const struct nabla_tarfs *fs,
                                                  const char *name);

/*
 * Copies up to `len` bytes of `file` from byte `offset` into `buf`. Returns the
 * number copied (0 at or past the end), or -1 when the device fails (fs->error
 * says where).
 */
long nabla_tarfs_read(struct nabla_tarfs *fs,
                      const struct nabla_tarfs_file *file, uint64_t offset,
                      void *buf, size_t len);

#endif /* NABLA_TARFS_H */
