/* vdso_sym.c: finds a function in an in-memory vDSO's dynamic symbols. */
/*
 * The vDSO is the kernel's, not an attacker's, but its layout is not ours
 * to assume either (kernels differ, a future one may change it), and the
 * address found here is what guests will call. So it is read like any
 * untrusted ELF: every offset and count checked against the image's size
 * before use, overflow-checked, structures copied out with memcpy (no
 * alignment assumed), and the answer accepted only if it names a defined
 * function inside an executable segment. Any doubt is a failure, and the
 * caller then publishes no clock: guests fall back to the system call.
 *
 * Addresses inside the image (d_ptr, st_value) are link-time addresses; a
 * PT_LOAD maps them to offsets (the x86_64 vDSO is linked at 0, so they are
 * equal, but older kernels linked it elsewhere).
 */
#include <elf.h>
#include <stdbool.h>
#include <string.h>

#include "msg.h"
#include "vdso_sym.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the vDSO is read as ELF64 little-endian structures in host order"
#endif

/* More program headers or dynamic entries than any vDSO has. */
#define MAX_PHDRS 64
#define MAX_DYN 256
/* DT_HASH's nchain: the x86_64 vDSO exports about a dozen symbols. */
#define MAX_SYMS 4096

struct image {
    const unsigned char *p;
    size_t size;
    Elf64_Phdr ph[MAX_PHDRS];
    unsigned phnum;
};

/* Whether [off, off + len) lies inside the image, without overflow. */
static bool inside(const struct image *im, uint64_t off, uint64_t len)
{
    return off <= im->size && len <= im->size - off;
}

/*
 * The image offset of link-time address `vaddr`, with `len` bytes after it
 * in the same PT_LOAD's file contents; `exec` asks for an executable one.
 */
static bool to_offset(const struct image *im, uint64_t vaddr, uint64_t len,
                      bool exec, uint64_t *off)
{
    for (unsigned i = 0; i < im->phnum; i++) {
        const Elf64_Phdr *ph = &im->ph[i];

        if (ph->p_type != PT_LOAD || (exec && !(ph->p_flags & PF_X)))
            continue;
        if (vaddr < ph->p_vaddr || vaddr - ph->p_vaddr > ph->p_filesz ||
            len > ph->p_filesz - (vaddr - ph->p_vaddr))
            continue;
        if (!inside(im, ph->p_offset, ph->p_filesz))
            continue;
        *off = ph->p_offset + (vaddr - ph->p_vaddr);
        return true;
    }
    return false;
}

static int read_header(struct image *im, char *msg, size_t msg_size)
{
    Elf64_Ehdr eh;

    if (im->size < sizeof eh)
        return nabla_msg(msg, msg_size, "vDSO: %zu bytes is too small",
                         im->size);
    memcpy(&eh, im->p, sizeof eh);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
        return nabla_msg(msg, msg_size,
                         "vDSO: not a little-endian x86_64 ELF64 image");
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
        eh.e_phnum > MAX_PHDRS ||
        !inside(im, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr)))
        return nabla_msg(msg, msg_size,
                         "vDSO: bad program header table (%u entries of %u "
                         "bytes at 0x%llx)",
                         eh.e_phnum, eh.e_phentsize,
                         (unsigned long long)eh.e_phoff);
    im->phnum = eh.e_phnum;
    memcpy(im->ph, im->p + eh.e_phoff, im->phnum * sizeof(Elf64_Phdr));
    return 0;
}

/* The dynamic tables the lookup needs. */
struct dyn {
    uint64_t symtab, strtab, strsz, syment, hash;
};

static int read_dynamic(const struct image *im, struct dyn *d, char *msg,
                        size_t msg_size)
{
    const Elf64_Phdr *dyn = NULL;
    uint64_t count;

    memset(d, 0, sizeof *d);
    for (unsigned i = 0; i < im->phnum; i++)
        if (im->ph[i].p_type == PT_DYNAMIC)
            dyn = &im->ph[i];
    if (dyn == NULL || !inside(im, dyn->p_offset, dyn->p_filesz))
        return nabla_msg(msg, msg_size, "vDSO: no PT_DYNAMIC inside it");
    count = dyn->p_filesz / sizeof(Elf64_Dyn);
    if (count > MAX_DYN)
        count = MAX_DYN;
    for (uint64_t i = 0; i < count; i++) {
        Elf64_Dyn e;

        memcpy(&e, im->p + dyn->p_offset + i * sizeof e, sizeof e);
        if (e.d_tag == DT_NULL)
            break;
        if (e.d_tag == DT_SYMTAB)
            d->symtab = e.d_un.d_ptr;
        else if (e.d_tag == DT_STRTAB)
            d->strtab = e.d_un.d_ptr;
        else if (e.d_tag == DT_STRSZ)
            d->strsz = e.d_un.d_val;
        else if (e.d_tag == DT_SYMENT)
            d->syment = e.d_un.d_val;
        else if (e.d_tag == DT_HASH)
            d->hash = e.d_un.d_ptr;
    }
    if (d->symtab == 0 || d->strtab == 0 || d->strsz == 0 || d->hash == 0)
        return nabla_msg(msg, msg_size,
                         "vDSO: its dynamic section lacks DT_SYMTAB, "
                         "DT_STRTAB, DT_STRSZ or DT_HASH");
    if (d->syment != 0 && d->syment != sizeof(Elf64_Sym))
        return nabla_msg(msg, msg_size, "vDSO: DT_SYMENT %llu is not %zu",
                         (unsigned long long)d->syment, sizeof(Elf64_Sym));
    return 0;
}

int vdso_sym(const void *image, size_t size, const char *name, uint64_t *offset,
             char *msg, size_t msg_size)
{
    static struct image im; /* 3.6 KiB of headers: off the stack */
    struct dyn d;
    uint64_t hash_at, syms_at, strs_at, fn_at;
    uint32_t nchain;
    size_t name_len = strlen(name);

    memset(&im, 0, sizeof im);
    im.p = image;
    im.size = size;
    if (image == NULL)
        return nabla_msg(msg, msg_size, "no vDSO (AT_SYSINFO_EHDR is 0)");
    if (read_header(&im, msg, msg_size) != 0 ||
        read_dynamic(&im, &d, msg, msg_size) != 0)
        return -1;
    /* DT_HASH: nbucket, nchain, ...; nchain is the number of symbols. */
    if (!to_offset(&im, d.hash, 8, false, &hash_at))
        return nabla_msg(msg, msg_size, "vDSO: DT_HASH 0x%llx is outside it",
                         (unsigned long long)d.hash);
    memcpy(&nchain, im.p + hash_at + 4, sizeof nchain);
    if (nchain == 0 || nchain > MAX_SYMS ||
        !to_offset(&im, d.symtab, (uint64_t)nchain * sizeof(Elf64_Sym), false,
                   &syms_at) ||
        !to_offset(&im, d.strtab, d.strsz, false, &strs_at))
        return nabla_msg(msg, msg_size,
                         "vDSO: its symbol table (%u symbols) or string "
                         "table (%llu bytes) is not inside it",
                         nchain, (unsigned long long)d.strsz);
    for (uint32_t i = 1; i < nchain; i++) {
        Elf64_Sym s;

        memcpy(&s, im.p + syms_at + (uint64_t)i * sizeof s, sizeof s);
        /* The name and its NUL inside the string table. */
        if (s.st_name >= d.strsz || name_len >= d.strsz - s.st_name ||
            memcmp(im.p + strs_at + s.st_name, name, name_len + 1) != 0)
            continue;
        if (ELF64_ST_TYPE(s.st_info) != STT_FUNC ||
            (ELF64_ST_BIND(s.st_info) != STB_GLOBAL &&
             ELF64_ST_BIND(s.st_info) != STB_WEAK) ||
            s.st_shndx == SHN_UNDEF)
            return nabla_msg(msg, msg_size,
                             "vDSO: %s is not a defined function", name);
        /* Its code (at least one byte) inside an executable segment. */
        if (!to_offset(&im, s.st_value, s.st_size != 0 ? s.st_size : 1, true,
                       &fn_at))
            return nabla_msg(msg, msg_size,
                             "vDSO: %s at 0x%llx is not in an executable "
                             "segment",
                             name, (unsigned long long)s.st_value);
        *offset = fn_at;
        return 0;
    }
    return nabla_msg(msg, msg_size, "vDSO: no symbol %s", name);
}
