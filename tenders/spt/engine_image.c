/* engine_image.c: a template's image: loaded once, mapped copy-on-write. */
/*
 * The tender checks and loads the ELF for every guest; a template does it
 * once, into a memfd that every guest maps privately: pages a guest never
 * writes (its text, its read-only data) stay one copy in memory for all of
 * them, and a page it writes becomes its own (copy-on-write), so no guest
 * ever sees another's writes. The memfd is sealed (no write, no resize) once
 * loaded, and only the template holds it.
 *
 * The ELF is untrusted, and the tender parses it only after giving up its
 * privileges (main.c, step 3). A template must keep root to start guests as
 * another user, so it does not parse the file itself: a helper process,
 * forked for this, gives up its privileges exactly as a guest of this image
 * would (privilege_drop, the tender's own steps), which also makes the
 * namespaces every guest of the template will enter; then it runs the
 * tender's checks (elf_check, elf_read_notes: same order, same messages),
 * copies each loaded segment's file bytes into the memfd and reports the
 * entry point, kernel_end, the segments' protections and the manifest. The
 * template trusts none of that report: it checks each number against the
 * memory size and the invariants of docs/elf-validation.md (segments in
 * their own pages, in order, never write and execute) and the manifest with
 * mft_check, and only then seals the memfd and takes the namespaces.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spt_abi.h"
#include "engine_image.h"
#include "guest_mem.h"
#include "io.h"
#include "msg.h"
#include "mft_check.h"
#include "privilege.h"
#include "report.h"
#include "text_escape.h"

/* What the helper writes on its result pipe, then its arrays. */
struct helper_result {
    uint64_t entry;
    uint64_t kernel_end;
    uint64_t image_size;
    uint32_t nseg;
    uint32_t mft_size;
};

#define PAGE NABLA_PAGE_SIZE

static uint64_t page_up(uint64_t v)
{
    return (v + PAGE - 1) & ~(PAGE - 1);
}

/* Writes all of buf to a pipe; 0, or -1 (the reader is gone). */
static int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads len bytes from a pipe; 0, or -1 at an early end of file. */
static int read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * The helper: runs as a guest of this image would, reports on (result_fd),
 * then waits on (ack_fd) until the template has taken its namespaces.
 * Failures are the tender's lines on stderr, a pipe to the template.
 */
static void __attribute__((noreturn))
helper(struct engine_image *im, int elf_fd, int result_fd, int ack_fd)
{
    static struct solo5_notes notes;
    char msg[NABLA_MSG_SIZE], shown[TEXT_ESCAPE_SIZE(NABLA_PLAN_MAX_PATH_SIZE)];
    struct nabla_plan_header h;
    struct plan p;
    struct elf_image img;
    struct helper_result r;
    uint64_t image_end = SPT_GUEST_MIN_BASE;
    uint8_t *base = NULL;
    char c;

    /* Nothing of the template's but what this needs: not its socket. */
    (void)close_range(NABLA_PLAN_FD_LIMIT, ~0u, 0);
    memset(&h, 0, sizeof h);
    h.uid = im->uid;
    h.gid = im->gid;
    h.namespaces = im->namespaces;
    memset(&p, 0, sizeof p);
    p.hdr = &h;
    privilege_drop(&p);

    text_escape(shown, sizeof shown, im->kernel_path);
    if (elf_check(elf_fd, im->mem_size, &img, msg, sizeof msg) != 0 ||
        elf_read_notes(elf_fd, &img, &notes, msg, sizeof msg) != 0)
        fail("%s: %s", shown, msg);
    memset(&r, 0, sizeof r);
    for (unsigned i = 0; i < img.phnum; i++) {
        const Elf64_Phdr *ph = &img.phdrs[i];

        if (!elf_is_loaded(ph))
            continue;
        /* Checked: p_vaddr + p_memsz <= mem_size, so no overflow. */
        if (page_up(ph->p_vaddr + ph->p_filesz) > image_end)
            image_end = page_up(ph->p_vaddr + ph->p_filesz);
        im->seg[r.nseg].start = ph->p_vaddr & ~(PAGE - 1);
        im->seg[r.nseg].end = page_up(ph->p_vaddr + ph->p_memsz);
        im->seg[r.nseg].prot = (uint32_t)elf_segment_prot(ph->p_flags);
        im->seg[r.nseg].pad = 0;
        r.nseg++;
    }
    r.image_size = image_end - SPT_GUEST_MIN_BASE;
    if (ftruncate(im->memfd, (off_t)r.image_size) != 0)
        fail("%s: Could not size the image: %s", shown, strerror(errno));
    if (r.image_size > 0) {
        base = mmap(NULL, r.image_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                    im->memfd, 0);
        if (base == MAP_FAILED)
            fail("%s: Could not map the image: %s", shown, strerror(errno));
    }
    /* File bytes only: the rest of the memfd is zero, like bss. */
    for (unsigned i = 0; i < img.phnum; i++) {
        const Elf64_Phdr *ph = &img.phdrs[i];

        if (elf_is_loaded(ph) &&
            nabla_read_exact(elf_fd, base + (ph->p_vaddr - SPT_GUEST_MIN_BASE),
                             ph->p_filesz, ph->p_offset, msg, sizeof msg) != 0)
            fail("%s: %s", shown, msg);
    }
    if (base != NULL)
        munmap(base, r.image_size);
    r.entry = img.entry;
    r.kernel_end = img.kernel_end;
    r.mft_size = notes.mft_size;
    if (write_all(result_fd, &r, sizeof r) != 0 ||
        write_all(result_fd, im->seg, r.nseg * sizeof im->seg[0]) != 0 ||
        write_all(result_fd, notes.mft_buf, notes.mft_size) != 0)
        _exit(1);
    close(result_fd);
    /* Alive (so /proc/PID/ns is there) until the template has read it. */
    while (read(ack_fd, &c, 1) < 0 && errno == EINTR)
        ;
    _exit(0);
}

/* The numbers and segments the helper reported, against the invariants. */
static int check_result(const struct engine_image *im,
                        const struct helper_result *r, char *msg,
                        size_t msg_size)
{
    const uint64_t mem = im->mem_size;
    uint64_t prev_end = SPT_GUEST_MIN_BASE;

    if (r->entry < SPT_GUEST_MIN_BASE || r->entry >= mem)
        return nabla_msg(msg, msg_size, "image: entry 0x%llx out of range",
                         (unsigned long long)r->entry);
    if (r->kernel_end > mem || r->image_size % PAGE != 0 ||
        r->image_size > mem - SPT_GUEST_MIN_BASE)
        return nabla_msg(msg, msg_size,
                         "image: kernel_end 0x%llx or size 0x%llx out of "
                         "range",
                         (unsigned long long)r->kernel_end,
                         (unsigned long long)r->image_size);
    for (unsigned i = 0; i < im->nseg; i++) {
        const struct engine_segment *s = &im->seg[i];

        if (s->start % PAGE != 0 || s->end % PAGE != 0 || s->start >= s->end ||
            s->start < prev_end || s->end > mem || s->pad != 0 ||
            (s->prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
            ((s->prot & PROT_WRITE) && (s->prot & PROT_EXEC)))
            return nabla_msg(msg, msg_size,
                             "image: segment %u (0x%llx-0x%llx, prot %u) "
                             "breaks the loader's rules",
                             i, (unsigned long long)s->start,
                             (unsigned long long)s->end, s->prot);
        prev_end = s->end;
    }
    if (im->notes.mft_size > MFT_MAX_SIZE ||
        mft_check(solo5_notes_mft(&im->notes), im->notes.mft_size) != 0)
        return nabla_msg(msg, msg_size, "image: the manifest is invalid");
    return 0;
}

/* The helper's stderr, as REFUSED text: its lines without "prog: ". */
static void helper_text(int err_fd, char *msg, size_t msg_size)
{
    char text[8192];
    size_t used = 0, out = 0;
    ssize_t n;

    while (used < sizeof text - 1 &&
           (n = read(err_fd, text + used, sizeof text - 1 - used)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        used += (size_t)n;
    }
    text[used] = '\0';
    while (used > 0 && text[used - 1] == '\n')
        text[--used] = '\0';
    msg[0] = '\0';
    for (char *line = strtok(text, "\n"); line != NULL && out < msg_size;
         line = strtok(NULL, "\n")) {
        char *colon = strstr(line, ": ");

        out += (size_t)snprintf(msg + out, msg_size - out, "%s%s",
                                out > 0 ? "\n" : "",
                                colon != NULL ? colon + 2 : line);
    }
    if (msg[0] == '\0')
        nabla_msg(msg, msg_size, "image: the helper ended without a report");
}

/* The IMAGE request's fields, as plan_check would check a plan's. */
static int take_request(struct engine_image *im,
                        const struct nabla_engine_image *req, const char *path,
                        char *msg, size_t msg_size)
{
    if (req->mem_size < NABLA_PLAN_MIN_MEM_SIZE ||
        req->mem_size > NABLA_PLAN_MAX_MEM_SIZE || req->mem_size % PAGE != 0)
        return nabla_msg(msg, msg_size, "image: mem_size 0x%llx is invalid",
                         (unsigned long long)req->mem_size);
    if (req->flags & ~NABLA_PLAN_F_X_EXEC_HEAP)
        return nabla_msg(msg, msg_size, "image: unknown flags 0x%x",
                         req->flags);
    if ((req->uid == NABLA_PLAN_ID_KEEP) != (req->gid == NABLA_PLAN_ID_KEEP))
        return nabla_msg(msg, msg_size,
                         "image: uid %u and gid %u: either both switch or "
                         "both keep",
                         req->uid, req->gid);
    if (req->namespaces & ~NABLA_PLAN_NS_ALL || req->reserved != 0)
        return nabla_msg(msg, msg_size,
                         "image: unknown namespace flags 0x%x or reserved "
                         "0x%x",
                         req->namespaces, req->reserved);
    if (req->kernel_path_size == 0 ||
        req->kernel_path_size > NABLA_PLAN_MAX_PATH_SIZE ||
        memchr(path, '\0', req->kernel_path_size) !=
            path + req->kernel_path_size - 1)
        return nabla_msg(msg, msg_size,
                         "image: kernel path is not NUL-terminated exactly at "
                         "its last byte (size %u)",
                         req->kernel_path_size);
    im->mem_size = req->mem_size;
    im->flags = req->flags;
    im->uid = req->uid;
    im->gid = req->gid;
    im->namespaces = req->namespaces;
    memcpy(im->kernel_path, path, req->kernel_path_size);
    return 0;
}

/* Reads the helper's report into im; 0, or -1 if it ended early. */
static int read_result(struct engine_image *im, int fd, struct helper_result *r)
{
    if (read_all(fd, r, sizeof *r) != 0 || r->nseg > ELF_MAX_PHNUM ||
        r->mft_size > sizeof im->notes.mft_buf)
        return -1;
    im->nseg = r->nseg;
    if (read_all(fd, im->seg, r->nseg * sizeof im->seg[0]) != 0 ||
        read_all(fd, im->notes.mft_buf, r->mft_size) != 0)
        return -1;
    im->notes.mft_size = r->mft_size;
    im->entry = r->entry;
    im->kernel_end = r->kernel_end;
    im->image_size = r->image_size;
    return 0;
}

int engine_image_prepare(struct engine_image *im,
                         const struct nabla_engine_image *req,
                         const char *payload_path, int elf_fd, char *msg,
                         size_t msg_size)
{
    const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    int result[2] = {-1, -1}, ack[2] = {-1, -1}, err[2] = {-1, -1};
    struct helper_result r;
    bool reported, ns_failed = false;
    pid_t pid;
    int status, rc = -1;
    struct stat st;

    if (take_request(im, req, payload_path, msg, msg_size) != 0)
        goto out;
    im->memfd = memfd_create("nabla-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (im->memfd < 0 || pipe2(result, O_CLOEXEC) != 0 ||
        pipe2(ack, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        nabla_msg(msg, msg_size, "image: %s", strerror(errno));
        goto out;
    }
    pid = fork();
    if (pid < 0) {
        nabla_msg(msg, msg_size, "image: cannot fork the helper: %s",
                  strerror(errno));
        goto out;
    }
    if (pid == 0) {
        /* Only our ends: the ack must see end of file if the template goes. */
        if (dup2(err[1], 2) < 0)
            _exit(1);
        close(result[0]);
        close(ack[1]);
        close(err[0]);
        close(err[1]);
        report_verbose(false);
        helper(im, elf_fd, result[1], ack[0]);
    }
    close(result[1]);
    close(err[1]);
    result[1] = err[1] = -1;
    reported = read_result(im, result[0], &r) == 0;
    /* While it waits: its namespaces are the ones the guests enter. */
    if (reported &&
        engine_ns_collect(pid, im->namespaces, &im->ns, msg, msg_size) != 0) {
        kill(pid, SIGKILL);
        reported = false;
        ns_failed = true; /* the message is the namespace's */
    }
    close(ack[1]);
    ack[1] = -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!reported || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (!ns_failed)
            helper_text(err[0], msg, msg_size);
        goto out;
    }
    /* No writable mapping is left: the helper has exited. */
    if (fcntl(im->memfd, F_ADD_SEALS, seals) != 0 ||
        fstat(im->memfd, &st) != 0 || (uint64_t)st.st_size != im->image_size) {
        nabla_msg(msg, msg_size, "image: cannot seal the image: %s",
                  strerror(errno));
        goto out;
    }
    if (check_result(im, &r, msg, msg_size) != 0)
        goto out;
    im->memfd = engine_fd_high(im->memfd);
    if (im->memfd < 0) {
        nabla_msg(msg, msg_size, "image: cannot keep the image above %d: %s",
                  NABLA_PLAN_FD_LIMIT, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < 2; i++) {
        if (result[i] >= 0)
            close(result[i]);
        if (ack[i] >= 0)
            close(ack[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    close(elf_fd);
    return rc;
}

void engine_image_map(const struct engine_image *im)
{
    const bool x_heap = (im->flags & NABLA_PLAN_F_X_EXEC_HEAP) != 0;
    const int prot = PROT_READ | PROT_WRITE | (x_heap ? PROT_EXEC : 0);
    void *at = (void *)SPT_GUEST_MIN_BASE;

    guest_mem_map(im->mem_size, x_heap);
    /* Over the anonymous mapping just made, which is ours alone. */
    if (im->image_size > 0 && mmap(at, im->image_size, prot,
                                   MAP_PRIVATE | MAP_FIXED, im->memfd, 0) != at)
        fail("Could not map the image into guest memory: %s", strerror(errno));
    for (unsigned i = 0; i < im->nseg; i++) {
        const struct engine_segment *s = &im->seg[i];

        if (mprotect((void *)s->start, s->end - s->start, (int)s->prot) != 0)
            fail("Could not protect segment %u (0x%llx-0x%llx): %s", i,
                 (unsigned long long)s->start, (unsigned long long)s->end,
                 strerror(errno));
    }
}
