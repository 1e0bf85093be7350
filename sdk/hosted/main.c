/* main.c: the hosted program's main(): options, devices, heap, then the app. */
#include "hosted.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* The guest command line's limit under spt, kept so both refuse the same. */
#define CMDLINE_MAX (SPT_CMDLINE_SIZE - 1)

static void vmessage(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", hosted_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void hosted_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
}

void hosted_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    exit(1);
}

/*
 * Like the spt tender, the console is made blocking: a descriptor left
 * non-blocking (Node makes its pipes so) would lose the output of writes
 * that meet EAGAIN.
 */
static void make_blocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK))
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

/* ARGS joined by single spaces, as nabla-run builds the guest's. */
static char *join_args(char **args, int nargs)
{
    size_t len = 0;
    for (int i = 0; i < nargs; i++)
        len += strlen(args[i]) + (i > 0);
    if (len > CMDLINE_MAX)
        hosted_fail("Guest command line too long (max=%u characters)",
                    CMDLINE_MAX);
    char *cmdline = malloc(len + 1), *p = cmdline;
    if (cmdline == NULL)
        hosted_fail("Could not allocate the command line");
    for (int i = 0; i < nargs; i++) {
        if (i > 0)
            *p++ = ' ';
        size_t n = strlen(args[i]);
        memcpy(p, args[i], n);
        p += n;
    }
    *p = '\0';
    return cmdline;
}

int main(int argc, char **argv)
{
    static struct options o;
    static _Alignas(struct mft) unsigned char
        mft_storage[sizeof(struct mft) +
                    MFT_MAX_ENTRIES * sizeof(struct mft_entry)];
    static struct solo5_start_info si;

    options_parse(argc, argv, &o);
    devices_attach(&o, (struct mft *)mft_storage);
    char *cmdline = join_args(o.args, o.nargs);

    make_blocking(1);
    make_blocking(2);
    /*
     * Unbuffered, so that printf() output and solo5_console_write() (a
     * write(2) on descriptor 1) keep their order, and a guest that prints
     * then waits in solo5_yield() is seen at once, as under spt.
     */
    setvbuf(stdout, NULL, _IONBF, 0);

    /*
     * The heap region stands for spt's guest memory: --mem MB, private and
     * reserved lazily. The application's malloc() is glibc's, separate.
     */
    int prot = PROT_READ | PROT_WRITE | (o.x_exec_heap ? PROT_EXEC : 0);
    void *heap = mmap(NULL, o.mem_size, prot,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (heap == MAP_FAILED)
        hosted_fail("Could not map %llu MB of memory for the heap: %s",
                    (unsigned long long)(o.mem_size >> 20), strerror(errno));

    si.cmdline = cmdline_apply_options(cmdline);
    si.heap_start = (uintptr_t)heap;
    si.heap_size = (size_t)o.mem_size;
    log_printf(LOG_INFO, "Solo5: Bindings version %s (hosted, glibc)\n",
               NABLA_SDK_VERSION);
    log_printf(LOG_INFO, "Solo5: heap @ (0x%llx - 0x%llx), %llu MB\n",
               (unsigned long long)si.heap_start,
               (unsigned long long)(si.heap_start + si.heap_size - 1),
               (unsigned long long)(o.mem_size >> 20));
    mft_log_devices();
    solo5_exit(solo5_app_main(&si));
}
