/* fuzz_mft.c: libFuzzer harness: arbitrary bytes as a Solo5 manifest. */
/*
 * mft_check is the manifest's own entry point: the bytes of an MFT1 note's
 * descriptor after its 4 bytes of padding. The ELF harness reaches it only
 * through a well-formed file; this one gives it every size and content.
 * The input is copied into a buffer of exactly its size (malloc aligns it
 * to 16, mft_check needs 8), so ASan sees any read past the end. Sizes
 * above what a note can carry are still checked: the function must refuse
 * them on its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "spt_abi.h"
#include "mft_check.h"

#define REQUIRE(cond) FUZZ_REQUIRE("fuzz_mft", cond)

/* NABLA_FUZZ_VERBOSE=1: one verdict line per input, for triage and tests. */
static int verbose;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    verbose = fuzz_verbose();
    return 0;
}

static void check_manifest(const struct mft *m, size_t size)
{
    REQUIRE(size <= MFT_MAX_SIZE);
    REQUIRE(m->version == MFT_VERSION);
    REQUIRE(m->entries >= 1 && m->entries <= MFT_MAX_ENTRIES);
    REQUIRE(size == sizeof *m + m->entries * sizeof(struct mft_entry));
    REQUIRE(m->e[0].type == MFT_RESERVED_FIRST && m->e[0].name[0] == '\0');
    for (unsigned i = 0; i < m->entries; i++) {
        const struct mft_entry *e = &m->e[i];

        REQUIRE(e->attached == 0 && e->name[MFT_NAME_SIZE - 1] == '\0');
        if (i == 0)
            continue;
        REQUIRE(strcmp(mft_type_name(e->type), "UNKNOWN") != 0);
        REQUIRE(strlen(e->name) >= 1 && strlen(e->name) <= MFT_NAME_MAX);
        for (unsigned j = 1; j < i; j++)
            REQUIRE(strcmp(m->e[j].name, e->name) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* malloc(0) may return NULL; one byte then keeps the pointer real. */
    uint8_t *buf = malloc(size > 0 ? size : 1);

    if (buf == NULL)
        abort();
    memcpy(buf, data, size);
    if (mft_check((const struct mft *)buf, size) == 0) {
        check_manifest((const struct mft *)buf, size);
        if (verbose)
            fprintf(stderr, "fuzz_mft: accepted: %u entries\n",
                    ((const struct mft *)buf)->entries);
    } else if (verbose) {
        fprintf(stderr, "fuzz_mft: refused: Solo5 manifest is invalid\n");
    }
    free(buf);
    return 0;
}
