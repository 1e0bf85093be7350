/* hosted-whoami.c: a stand-in hosted build that reports what it runs with. */
/*
 * Given as `nabla audit --hosted` by hosted.test.ts. It ignores the hosted
 * options it is given and writes "KEY VALUE" lines into the file named by its
 * last argument (the guest's ARGS): its descriptors (before it opens any),
 * its environment, the /proc/self/status lines for ids, capabilities and
 * no_new_privs, its namespaces, its dumpability, descriptor 3 (a block device
 * the audit hands over), and what root's things answer it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static char out[8192];
static size_t used;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    used += (size_t)vsnprintf(out + used, sizeof out - used, fmt, ap);
    va_end(ap);
    if (used >= sizeof out)
        used = sizeof out - 1;
}

int main(int argc, char **argv)
{
    static const char *const ns[] = {"user", "mnt", "ipc",
                                     "uts",  "net", "cgroup"};
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    struct stat st;
    char line[512];
    FILE *f;
    int n = 0, fd;

    put("fds");
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
            put(" %s", e->d_name);
    put("\n");
    if (d != NULL)
        closedir(d);
    for (char **v = environ; *v != NULL; v++)
        n++;
    put("env %d\n", n);
    if ((f = fopen("/proc/self/status", "r")) != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (strncmp(line, "Uid:", 4) == 0 ||
                strncmp(line, "Gid:", 4) == 0 ||
                strncmp(line, "Groups:", 7) == 0 ||
                strncmp(line, "Cap", 3) == 0 ||
                strncmp(line, "NoNewPrivs:", 11) == 0)
                put("%s", line);
        fclose(f);
    }
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/ns/%s", ns[i]);
        if (stat(path, &st) == 0)
            put("ns %s %lu\n", ns[i], (unsigned long)st.st_ino);
    }
    put("dumpable %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    if (fstat(3, &st) == 0)
        put("fd3 %lld %s\n", (long long)st.st_size,
            (fcntl(3, F_GETFL) & O_ACCMODE) == O_RDWR ? "rdwr" : "other");
    fd = open("/etc/shadow", O_RDONLY);
    put("shadow %s\n", fd >= 0 ? "opened" : strerrorname_np(errno));
    put("setuid0 %s\n", setuid(0) == 0 ? "done" : strerrorname_np(errno));

    if (argc < 2 ||
        (fd = open(argv[argc - 1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
        return 1;
    return write(fd, out, used) == (ssize_t)used ? 0 : 1;
}
