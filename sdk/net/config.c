/* config.c: reads --ipv4=ADDR/PREFIX and --ipv4-gateway=ADDR from a guest
 * command line, as MirageOS guests take them. */
#include "nabla_tcpip.h"
#include "nabla_lib.h"

#define IPV4_OPTION "--ipv4="
#define GATEWAY_OPTION "--ipv4-gateway="

/* MirageOS's default for --ipv4 (mirage's Key.V4.network): 10.0.0.2/24. */
#define DEFAULT_ADDRESS ((uint32_t)10 | 2u << 24)
#define DEFAULT_PREFIX 24

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static bool starts_with(const char *word, size_t n, const char *prefix)
{
    size_t len = strlen(prefix);
    return n >= len && memcmp(word, prefix, len) == 0;
}

/* A decimal number of 1..3 digits, at most (max); advances *s past it. */
static bool parse_decimal(const char **s, const char *end, unsigned max,
                          unsigned *out)
{
    unsigned value = 0;
    size_t digits = 0;
    while (*s < end && **s >= '0' && **s <= '9' && digits < 4) {
        value = value * 10 + (unsigned)(**s - '0');
        (*s)++;
        digits++;
    }
    /* No digits, more than three, or a leading zero ("010" is ambiguous). */
    if (digits == 0 || digits > 3 || value > max)
        return false;
    if (digits > 1 && (*s)[-(long)digits] == '0')
        return false;
    *out = value;
    return true;
}

/* Dotted-quad ADDR in [s, end), stored in network byte order. */
static bool parse_address(const char *s, const char *end, uint32_t *out)
{
    uint8_t bytes[4];
    for (int i = 0; i < 4; i++) {
        unsigned part;
        if (i > 0 && (s >= end || *s++ != '.'))
            return false;
        if (!parse_decimal(&s, end, 255, &part))
            return false;
        bytes[i] = (uint8_t)part;
    }
    if (s != end)
        return false;
    memcpy(out, bytes, 4);
    return true;
}

static bool parse_prefixed(const char *s, const char *end, uint32_t *address,
                           uint8_t *prefix)
{
    const char *slash = memchr(s, '/', (size_t)(end - s));
    unsigned bits;
    if (slash == NULL || !parse_address(s, slash, address))
        return false;
    const char *p = slash + 1;
    if (!parse_decimal(&p, end, 32, &bits) || p != end)
        return false;
    *prefix = (uint8_t)bits;
    return true;
}

static bool fail(char *error, size_t size, const char *word, size_t n,
                 const char *expected)
{
    /* Long values are cut: the line stays one line of readable length. */
    int shown = n > 64 ? 64 : (int)n;
    snprintf(error, size, "tcpip: %.*s%s: expected %s", shown, word,
             n > 64 ? "..." : "", expected);
    return false;
}

bool nabla_tcpip_is_option(const char *word, size_t n)
{
    return starts_with(word, n, IPV4_OPTION) ||
           starts_with(word, n, GATEWAY_OPTION) ||
           (n == 6 && memcmp(word, "--ipv4", 6) == 0) ||
           (n == 14 && memcmp(word, "--ipv4-gateway", 14) == 0);
}

bool nabla_tcpip_parse(const char *cmdline, struct nabla_tcpip_config *config,
                       char *error, size_t error_size)
{
    config->address = DEFAULT_ADDRESS;
    config->prefix = DEFAULT_PREFIX;
    config->has_gateway = false;
    config->gateway = 0;

    const char *s = cmdline;
    while (*s != '\0') {
        while (is_space(*s))
            s++;
        const char *word = s;
        while (*s != '\0' && !is_space(*s))
            s++;
        size_t n = (size_t)(s - word);
        const char *end = word + n;
        if (n == 0)
            break;
        if (starts_with(word, n, IPV4_OPTION)) {
            if (!parse_prefixed(word + strlen(IPV4_OPTION), end,
                                &config->address, &config->prefix))
                return fail(error, error_size, word, n,
                            "ADDR/PREFIX, e.g. --ipv4=10.0.0.2/24");
        } else if (starts_with(word, n, GATEWAY_OPTION)) {
            if (!parse_address(word + strlen(GATEWAY_OPTION), end,
                               &config->gateway))
                return fail(error, error_size, word, n,
                            "ADDR, e.g. --ipv4-gateway=10.0.0.1");
            config->has_gateway = true;
        } else if (nabla_tcpip_is_option(word, n)) {
            /* "--ipv4 X": the guest command line takes only the = form. */
            return fail(error, error_size, word, n,
                        "a value after '=' (--ipv4=ADDR/PREFIX, "
                        "--ipv4-gateway=ADDR)");
        }
    }
    return true;
}
