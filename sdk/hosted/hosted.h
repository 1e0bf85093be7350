/* hosted.h: what the hosted target's files share with each other. */
#ifndef NABLA_SDK_HOSTED_H
#define NABLA_SDK_HOSTED_H

#include "core.h"

/*
 * The devices the application's manifest declares, compiled in: a table
 * generated from manifest.json by src/toolchain/hosted-manifest.ts. Entry 0
 * is MFT_RESERVED_FIRST, so a device's index is its handle, as under spt.
 */
struct hosted_decl {
    const char *name;
    uint32_t type; /* enum mft_type */
};
extern const struct hosted_decl hosted_manifest[];
extern const unsigned hosted_manifest_entries;

/* "BLOCK_BASIC" or "NET_BASIC", as messages name the types. */
const char *mft_type_name(uint32_t type);

/*
 * One device option, by device name. As with nabla-run, a later option for
 * the same name replaces the earlier value but keeps its place.
 */
struct dev_option {
    const char *name;
    const char *value;
};

struct dev_options {
    struct dev_option opt[MFT_MAX_ENTRIES];
    unsigned count;
};

struct options {
    uint64_t mem_size;         /* bytes of the heap region */
    bool x_exec_heap;          /* map it executable too */
    struct dev_options blocks; /* --block:NAME=PATH */
    struct dev_options sector; /* --block-sector-size:NAME=N, checked */
    struct dev_options nets;   /* --net:NAME=IFACE|@FD */
    struct dev_options macs;   /* --net-mac:NAME=MAC */
    char **args;               /* the application's arguments */
    int nargs;
};

/* Messages go to stderr as "<program>: <text>", as nabla-run's do. */
extern const char *hosted_prog;
void hosted_fail(const char *fmt, ...) __attribute__((noreturn))
__attribute__((format(printf, 1, 2)));
/* Prints one message line without exiting (for multi-line errors). */
void hosted_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void options_parse(int argc, char **argv, struct options *o);
/* The value given for (name), or NULL. */
const char *dev_option_get(const struct dev_options *d, const char *name);

/*
 * Attaches every requested device into (mft), which the caller sized for
 * MFT_MAX_ENTRIES, refuses undeclared ones and requires every declared one,
 * then creates the epoll set and timerfd solo5_yield() uses. Fills sdk_host.
 */
void devices_attach(const struct options *o, struct mft *mft);

#endif /* NABLA_SDK_HOSTED_H */
