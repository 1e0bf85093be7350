/* globals.c: conformance guest: .data and .bss globals hold their values. */
#include "solo5.h"
#include "nabla_lib.h"

/*
 * The tender copies .data from the file and zero-fills .bss up to p_memsz;
 * the bindings add nothing. volatile stops the compiler from folding the
 * checks into constants, so every value below is really read from memory.
 */
volatile char word[] = "RUCCESS"; /* .data; becomes "SUCCESS" */
volatile uint8_t u8 = 0xa5;       /* .data, every width */
volatile uint16_t u16 = 0xbeef;
volatile uint32_t u32 = 0xdeadbeef;
volatile uint64_t u64 = 0x0123456789abcdefull;
volatile int32_t negative = -123456;
static const char motto[] = "read-only data"; /* .rodata */
const char *volatile motto_ptr = motto;       /* .data holding an address */
volatile uint64_t zero_u64;                   /* .bss */
volatile uint8_t zero_pages[3 * 4096 + 123];  /* .bss across several pages */

static int failures;

static void check(bool ok, const char *what)
{
    if (!ok) {
        printf("globals: FAILED: %s\n", what);
        failures++;
    }
}

/* noinline: the writes must go through memory to be seen here. */
__attribute__((noinline)) static void bump(void)
{
    word[0]++;
    u32 += 1;
    zero_u64 = 42;
    zero_pages[sizeof(zero_pages) - 1] = 7;
}

int solo5_app_main(const struct solo5_start_info *si __attribute__((unused)))
{
    printf("\n**** nabla conformance: globals ****\n\n");

    check(u8 == 0xa5 && u16 == 0xbeef && u32 == 0xdeadbeef &&
              u64 == 0x0123456789abcdefull && negative == -123456,
          "initialised scalars");
    check(motto_ptr == motto && strcmp(motto_ptr, "read-only data") == 0,
          "pointer to .rodata");
    check(zero_u64 == 0, "zero-initialised scalar");
    size_t nonzero = 0;
    for (size_t i = 0; i < sizeof(zero_pages); i++)
        nonzero += zero_pages[i] != 0;
    check(nonzero == 0, "zero-initialised array");

    bump();
    check(word[0] == 'S' && u32 == 0xdeadbef0 && zero_u64 == 42 &&
              zero_pages[sizeof(zero_pages) - 1] == 7,
          "writes to globals");

    if (failures != 0)
        return SOLO5_EXIT_FAILURE;
    char out[sizeof(word)];
    for (size_t i = 0; i < sizeof(word); i++)
        out[i] = word[i];
    printf("%s\n", out);
    return SOLO5_EXIT_SUCCESS;
}
