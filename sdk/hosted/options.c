/* options.c: the hosted program's command line: nabla-run's device options. */
#include "hosted.h"

#include <stdio.h>
#include <string.h>

/*
 * The syntax is nabla-run's (docs/abi.md §7) with the program itself
 * in the place of KERNEL:
 *   PROG [--mem=MB] [--block:NAME=PATH|@FD] [--block-sector-size:NAME=N]
 *        [--net:NAME=IFACE|@FD] [--net-mac:NAME=MAC] [--x-exec-heap]
 *        [--] [--solo5:LEVEL] ARGS...
 * Options end at "--", at the first word not starting with '-', or at the
 * first --solo5: word, which belongs to the guest command line as it does
 * after KERNEL. Messages and statuses are nabla-run's wherever they apply.
 * --block:NAME=@FD is this target's own: a file already open read-write.
 */
#define DEFAULT_MEM_MIB 512ull
#define MAX_MEM_MIB (1ull << 20)            /* nabla-run's limit: 1 TiB */
#define MAX_SAFE_INTEGER ((1ull << 53) - 1) /* where JavaScript numbers end */
#define MAX_BLOCK_SIZE 32768ull /* the manifest stores it in 16 bits */

const char *hosted_prog = "nabla-hosted";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [ OPTIONS ] [ -- ] [ ARGS ]\n"
            "Run this nabla application as a normal Linux process (the SDK's "
            "hosted target);\nARGS become its command line. The options are "
            "nabla-run's:\n\n"
            "  --mem=MB                    size of the heap region in MiB "
            "(default 512)\n"
            "  --block:NAME=PATH           attach file PATH as the block "
            "device NAME\n"
            "  --block:NAME=@FD            use the file already open "
            "read-write as descriptor FD\n"
            "  --block-sector-size:NAME=N  block size of NAME: a power of two "
            ">= 512 (default 512)\n"
            "  --net:NAME=IFACE            attach the existing tap interface "
            "IFACE as NAME\n"
            "  --net:NAME=@FD              use the already open tap "
            "descriptor FD for NAME\n"
            "  --net-mac:NAME=MAC          MAC address of NAME (default: "
            "random, locally administered)\n"
            "  --x-exec-heap               make the heap region executable\n"
            "  --solo5:LEVEL               quiet|error|warn|info|debug: the "
            "SDK's messages (starts ARGS)\n"
            "  --help, --version\n\n"
            "Every device the application declares must be attached:\n",
            hosted_prog);
    for (unsigned i = 1; i < hosted_manifest_entries; i++)
        fprintf(f, "  %s (%s)\n", hosted_manifest[i].name,
                mft_type_name(hosted_manifest[i].type));
    if (hosted_manifest_entries <= 1)
        fprintf(f, "  (none)\n");
}

static void invalid_option(const char *arg)
{
    hosted_error("Invalid option: `%s'", arg);
    usage(stderr);
    exit(1);
}

/* A decimal string of digits only; false if empty, not digits, or huge. */
static bool parse_decimal(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (v > (MAX_SAFE_INTEGER - (uint64_t)(*s - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static uint64_t parse_mem(const char *text)
{
    uint64_t mib;
    if (!parse_decimal(text, &mib) || mib == 0)
        hosted_fail("Malformed argument to --mem");
    if (mib > MAX_MEM_MIB)
        hosted_fail("Malformed argument to --mem: %llu MB is more than the "
                    "maximum of %llu MB",
                    (unsigned long long)mib, (unsigned long long)MAX_MEM_MIB);
    return mib << 20;
}

static void check_block_size(const char *text)
{
    uint64_t size;
    if (!parse_decimal(text, &size) || size < 512 || (size & (size - 1)) != 0)
        hosted_fail(
            "Block size must be a multiple of 2 greater than or equal 512");
    if (size > MAX_BLOCK_SIZE)
        hosted_fail("Block size %llu is too large (at most %llu bytes)",
                    (unsigned long long)size,
                    (unsigned long long)MAX_BLOCK_SIZE);
}

const char *dev_option_get(const struct dev_options *d, const char *name)
{
    for (unsigned i = 0; i < d->count; i++)
        if (strcmp(d->opt[i].name, name) == 0)
            return d->opt[i].value;
    return NULL;
}

static void dev_option_set(struct dev_options *d, const char *name,
                           const char *value)
{
    for (unsigned i = 0; i < d->count; i++) {
        if (strcmp(d->opt[i].name, name) == 0) {
            d->opt[i].value = value;
            return;
        }
    }
    if (d->count == MFT_MAX_ENTRIES)
        hosted_fail("Too many device options (at most %u names per option)",
                    MFT_MAX_ENTRIES);
    d->opt[d->count].name = name;
    d->opt[d->count].value = value;
    d->count++;
}

/*
 * --KIND:NAME=VALUE, NAME 1-67 characters [A-Za-z0-9], VALUE not empty.
 * The NUL-terminated name is written over the '=' of (arg), which main's
 * argv owns. Returns false when (arg) does not have this form.
 */
static bool device_option(char *arg, struct options *o)
{
    const struct {
        const char *prefix;
        struct dev_options *dest;
    } kinds[] = {
        {"--block:", &o->blocks},
        {"--block-sector-size:", &o->sector},
        {"--net:", &o->nets},
        {"--net-mac:", &o->macs},
    };

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        size_t n = strlen(kinds[k].prefix);
        if (strncmp(arg, kinds[k].prefix, n) != 0)
            continue;
        char *name = arg + n, *p = name;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
               (*p >= '0' && *p <= '9'))
            p++;
        if (p == name || p - name > MFT_NAME_MAX || *p != '=' || p[1] == '\0')
            return false;
        *p = '\0';
        if (kinds[k].dest == &o->sector)
            check_block_size(p + 1);
        dev_option_set(kinds[k].dest, name, p + 1);
        return true;
    }
    return false;
}

static bool ends_options(const char *arg)
{
    return strcmp(arg, "--") == 0 || arg[0] != '-' ||
           strncmp(arg, "--solo5:", 8) == 0;
}

void options_parse(int argc, char **argv, struct options *o)
{
    if (argc > 0 && argv[0] != NULL) {
        const char *slash = strrchr(argv[0], '/');
        hosted_prog = slash != NULL ? slash + 1 : argv[0];
    }
    memset(o, 0, sizeof(*o));
    o->mem_size = DEFAULT_MEM_MIB << 20;

    /* As nabla-run does: --help and --version win over any other option. */
    for (int i = 1; i < argc && !ends_options(argv[i]); i++) {
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s (%s, hosted)\nABI version %u\n", hosted_prog,
                   NABLA_SDK_VERSION, SPT_ABI_VERSION);
            exit(0);
        }
    }

    int i = 1;
    for (; i < argc && !ends_options(argv[i]); i++) {
        char *arg = argv[i];
        if (strncmp(arg, "--mem=", 6) == 0)
            o->mem_size = parse_mem(arg + 6);
        else if (strcmp(arg, "--x-exec-heap") == 0)
            o->x_exec_heap = true;
        else if (!device_option(arg, o))
            invalid_option(arg);
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    o->args = argv + i;
    o->nargs = argc - i;

    for (unsigned k = 0; k < o->sector.count; k++)
        if (dev_option_get(&o->blocks, o->sector.opt[k].name) == NULL)
            hosted_fail("--block-sector-size:%s given without --block:%s=PATH",
                        o->sector.opt[k].name, o->sector.opt[k].name);
    for (unsigned k = 0; k < o->macs.count; k++)
        if (dev_option_get(&o->nets, o->macs.opt[k].name) == NULL)
            hosted_fail("--net-mac:%s given without --net:%s=IFACE",
                        o->macs.opt[k].name, o->macs.opt[k].name);
}
