/* elf_notes.c: finding the Solo5 ABI1 and MFT1 notes and checking them. */
/*
 * Rows #26-#31 of docs/elf-validation.md. Notes are read with pread from the
 * file, one header at a time, so a hostile note segment costs time but no
 * memory; only the matching descriptors are copied, into fixed buffers.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "elf_notes.h"
#include "io.h"
#include "msg.h"

/* Size of the note header fields before the name: namesz, descsz, type. */
#define NOTE_HDR_SIZE 12u
/* "Solo5\0" padded to 4 bytes: the descriptor starts 20 bytes in. */
#define SOLO5_DESC_OFFSET 20u
/*
 * Note headers one search reads at most, over all PT_NOTE segments. Real
 * executables have a handful; without a bound, 65535 program headers each
 * naming the same megabyte of 12-byte empty notes cost billions of reads.
 */
#define NOTE_WALK_MAX 256u

static uint64_t pad4(uint64_t v)
{
    return (v + 3) & ~(uint64_t)3;
}

/*
 * Finds the first note of type `type` owned by "Solo5", walking every
 * PT_NOTE segment that lies inside the file, in table order. A note whose
 * padded name and descriptor would run past its segment ends the walk of
 * that segment; after NOTE_WALK_MAX headers the note counts as not found.
 * Returns 1 and the descriptor's file offset and size when found, 0 when
 * not, -1 on a read error.
 */
static int find_note(int fd, const struct elf_image *img, uint32_t type,
                     uint64_t *desc_off, uint32_t *desc_size, char *msg,
                     size_t msg_size)
{
    unsigned walked = 0;

    for (unsigned i = 0; i < img->phnum; i++) {
        const Elf64_Phdr *ph = &img->phdrs[i];
        uint64_t off, end;

        if (ph->p_type != PT_NOTE)
            continue;
        if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
            end > img->file_size)
            continue;
        /* end <= file size, so no sum below can overflow 64 bits. */
        for (off = ph->p_offset; end - off >= NOTE_HDR_SIZE;) {
            uint32_t h[3]; /* n_namesz, n_descsz, n_type */
            uint64_t body;
            char name[SOLO5_NOTE_NAMESZ];

            if (walked++ == NOTE_WALK_MAX)
                return 0;
            if (nabla_read_exact(fd, h, sizeof h, off, msg, msg_size) != 0)
                return -1;
            body = pad4(h[0]) + pad4(h[1]);
            if (body > end - off - NOTE_HDR_SIZE)
                break;
            if (h[0] == SOLO5_NOTE_NAMESZ && h[2] == type) {
                if (nabla_read_exact(fd, name, sizeof name, off + NOTE_HDR_SIZE,
                                     msg, msg_size) != 0)
                    return -1;
                if (memcmp(name, SOLO5_NOTE_NAME, SOLO5_NOTE_NAMESZ) == 0) {
                    *desc_off = off + SOLO5_DESC_OFFSET;
                    *desc_size = h[1];
                    return 1;
                }
            }
            off += NOTE_HDR_SIZE + body;
        }
    }
    return 0;
}

int elf_read_notes(int fd, const struct elf_image *img, struct solo5_notes *out,
                   char *msg, size_t msg_size)
{
    uint64_t off;
    uint32_t size;
    int found;

    memset(out, 0, sizeof *out);

    /*
     * #26: a note segment too short for one note header is refused, as
     * upstream refuses it; here wherever it sits in the table (upstream
     * stops looking at its first match).
     */
    for (unsigned i = 0; i < img->phnum; i++)
        if (img->phdrs[i].p_type == PT_NOTE &&
            img->phdrs[i].p_filesz < NOTE_HDR_SIZE)
            return nabla_msg(msg, msg_size,
                             "invalid executable: segment %u: PT_NOTE "
                             "p_filesz 0x%llx is smaller than a note header "
                             "(0x%x)",
                             i, (unsigned long long)img->phdrs[i].p_filesz,
                             NOTE_HDR_SIZE);

    found = find_note(fd, img, SOLO5_NOTE_ABI, &off, &size, msg, msg_size);
    if (found < 0)
        return -1;
    if (found == 0 || size != sizeof out->abi) /* #27 */
        return nabla_msg(msg, msg_size,
                         "No Solo5 ABI information found in executable");
    if (nabla_read_exact(fd, &out->abi, sizeof out->abi, off, msg, msg_size) !=
        0)
        return -1;
    if (out->abi.abi_target != SPT_ABI_TARGET) /* #28 */
        return nabla_msg(msg, msg_size,
                         "Executable is not for the solo5-spt target");
    if (out->abi.abi_version != SPT_ABI_VERSION) /* #29 */
        return nabla_msg(msg, msg_size,
                         "Executable requests unsupported ABI version %u",
                         out->abi.abi_version);

    found = find_note(fd, img, SOLO5_NOTE_MANIFEST, &off, &size, msg, msg_size);
    if (found < 0)
        return -1;
    if (found == 0) /* #30 */
        return nabla_msg(msg, msg_size,
                         "No Solo5 manifest found in executable");
    /* #31: at least the padding and an 8-byte header, at most 64 entries. */
    if (size < MFT_NOTE_DESC_PAD + sizeof(struct mft) ||
        size > SOLO5_NOTE_MANIFEST_MAX_DESCSZ)
        return nabla_msg(msg, msg_size, "Solo5 manifest is invalid");
    out->mft_size = size - MFT_NOTE_DESC_PAD;
    if (nabla_read_exact(fd, out->mft_buf, out->mft_size,
                         off + MFT_NOTE_DESC_PAD, msg, msg_size) != 0)
        return -1;
    if (mft_check(solo5_notes_mft(out), out->mft_size) != 0) /* #31 */
        return nabla_msg(msg, msg_size, "Solo5 manifest is invalid");
    return 0;
}
