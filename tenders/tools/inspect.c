/* inspect.c: what a confined program holds at its exec, read from /proc while
 * it is stopped there. */
/*
 * The facts, not the intentions: ids, groups, the five capability sets and
 * no_new_privs (/proc/PID/status, copied as the kernel wrote them for the
 * orchestrator to read), which namespaces differ from the tracer's, the
 * resource limits, the open descriptors, the size of the environment, and
 * whether /proc/PID belongs to root while the process does not (the kernel's
 * sign of a non-dumpable process). Anything unreadable is left out or null.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inspect.h"

static const char *const STATUS_KEYS[] = {"Uid",    "Gid",    "Groups",
                                          "CapInh", "CapPrm", "CapEff",
                                          "CapBnd", "CapAmb", "NoNewPrivs"};
#define STATUS_COUNT (sizeof STATUS_KEYS / sizeof STATUS_KEYS[0])

static const char *const NS_NAMES[] = {"user", "mnt",    "ipc", "uts",
                                       "net",  "cgroup", "pid", "time"};
#define NS_COUNT (sizeof NS_NAMES / sizeof NS_NAMES[0])

/* The lines of /proc/PID/limits to report, and their names here. */
static const struct {
    const char *line;
    const char *name;
} LIMITS[] = {{"Max open files", "nofile"},
              {"Max processes", "nproc"},
              {"Max core file size", "core"}};
#define LIMIT_COUNT (sizeof LIMITS / sizeof LIMITS[0])

/* The value of one status line: digits, hex and single spaces only. */
static void put_status_value(FILE *out, const char *value)
{
    int started = 0, space = 0;

    fputc('"', out);
    for (const char *p = value; *p != '\0' && *p != '\n'; p++) {
        if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
            (*p >= 'A' && *p <= 'F')) {
            if (space)
                fputc(' ', out);
            fputc(*p, out);
            started = 1;
            space = 0;
        } else {
            space = started; /* tabs and spaces between values: one space */
        }
    }
    fputc('"', out);
}

static void put_status(FILE *out, pid_t pid)
{
    char path[64], line[512];
    const char *sep = "";
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    fputs("\"status\":{", out);
    if ((f = fopen(path, "re")) != NULL) {
        while (fgets(line, sizeof line, f) != NULL) {
            char *colon = strchr(line, ':');
            if (colon == NULL)
                continue;
            *colon = '\0';
            for (size_t i = 0; i < STATUS_COUNT; i++) {
                if (strcmp(line, STATUS_KEYS[i]) != 0)
                    continue;
                fprintf(out, "%s\"%s\":", sep, STATUS_KEYS[i]);
                put_status_value(out, colon + 1);
                sep = ",";
            }
        }
        fclose(f);
    }
    fputc('}', out);
}

static void put_namespaces(FILE *out, pid_t pid)
{
    char mine[64], theirs[64];
    struct stat a, b;

    fputs(",\"namespaces\":{", out);
    for (size_t i = 0; i < NS_COUNT; i++) {
        const char *state = "null";
        snprintf(mine, sizeof mine, "/proc/self/ns/%s", NS_NAMES[i]);
        snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", pid, NS_NAMES[i]);
        if (stat(mine, &a) == 0 && stat(theirs, &b) == 0)
            state = a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "\"shared\""
                                                                 : "\"new\"";
        fprintf(out, "%s\"%s\":%s", i ? "," : "", NS_NAMES[i], state);
    }
    fputc('}', out);
}

/* A limit's soft and hard values: digits or "unlimited", nothing else. */
static bool put_limit_values(FILE *out, const char *rest)
{
    char soft[32], hard[32];

    if (sscanf(rest, "%31s %31s", soft, hard) != 2)
        return false;
    for (int i = 0; i < 2; i++) {
        const char *v = i ? hard : soft;
        if (strcmp(v, "unlimited") != 0 && strspn(v, "0123456789") != strlen(v))
            return false;
    }
    fprintf(out, "[\"%s\",\"%s\"]", soft, hard);
    return true;
}

/* From /proc/PID/limits, readable whoever owns the process. */
static void put_limits(FILE *out, pid_t pid)
{
    char path[64], line[256];
    bool done[LIMIT_COUNT] = {false};
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/limits", pid);
    fputs(",\"limits\":{", out);
    f = fopen(path, "re");
    for (size_t i = 0; i < LIMIT_COUNT; i++) {
        fprintf(out, "%s\"%s\":", i ? "," : "", LIMITS[i].name);
        if (f != NULL) {
            rewind(f);
            while (!done[i] && fgets(line, sizeof line, f) != NULL) {
                size_t n = strlen(LIMITS[i].line);
                if (strncmp(line, LIMITS[i].line, n) == 0 && line[n] == ' ')
                    done[i] = put_limit_values(out, line + n);
            }
        }
        if (!done[i])
            fputs("null", out);
    }
    if (f != NULL)
        fclose(f);
    fputc('}', out);
}

static int by_number(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static void put_descriptors(FILE *out, pid_t pid)
{
    char path[64];
    int fds[256], n = 0;
    DIR *dir;
    struct dirent *e;

    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    fputs(",\"descriptors\":", out);
    if ((dir = opendir(path)) == NULL) {
        fputs("null", out);
        return;
    }
    while ((e = readdir(dir)) != NULL && n < 256) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (end != e->d_name && *end == '\0')
            fds[n++] = (int)fd;
    }
    closedir(dir);
    qsort(fds, (size_t)n, sizeof fds[0], by_number);
    fputc('[', out);
    for (int i = 0; i < n; i++)
        fprintf(out, "%s%d", i ? "," : "", fds[i]);
    fputc(']', out);
}

/* Variables in /proc/PID/environ: its NUL-terminated strings. */
static void put_environment(FILE *out, pid_t pid)
{
    char path[64], buf[4096];
    long count = 0;
    ssize_t n;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        fputs(",\"environment\":null", out);
        return;
    }
    while ((n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            count += buf[i] == '\0';
    close(fd);
    if (n < 0)
        fputs(",\"environment\":null", out);
    else
        fprintf(out, ",\"environment\":%ld", count);
}

/*
 * The files in /proc/PID are root's for a non-dumpable process of another
 * user (the directory itself always belongs to the process's user).
 */
static void put_dumpable(FILE *out, pid_t pid)
{
    char path[64];
    struct stat st;
    uid_t owner;
    FILE *f;
    char line[256];
    long euid = -1;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if ((f = fopen(path, "re")) != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "Uid:\t%*u\t%ld", &euid) == 1)
                break;
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    fputs(",\"dumpable\":", out);
    if (euid <= 0 || stat(path, &st) != 0) {
        fputs("null", out); /* as root it is the same either way */
        return;
    }
    owner = st.st_uid;
    fputs(owner == (uid_t)euid ? "true" : "false", out);
}

char *inspect_process(pid_t pid)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    if (out == NULL)
        return NULL;
    fputc('{', out);
    put_status(out, pid);
    put_namespaces(out, pid);
    put_limits(out, pid);
    put_descriptors(out, pid);
    put_environment(out, pid);
    put_dumpable(out, pid);
    fputc('}', out);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
