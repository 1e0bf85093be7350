/* cc.h: lwIP's port header for the SDK: types, formats and diagnostics from the
 * SDK's libc (both targets). */
#ifndef NABLA_LWIP_ARCH_CC_H
#define NABLA_LWIP_ARCH_CC_H

#include <stdint.h>
#include "nabla_lib.h"

/*
 * Guests have no inttypes.h, limits.h, ctype.h or unistd.h (only the
 * compiler's freestanding headers), so lwIP is told not to include them and
 * gets what it needs here; the hosted target uses the same definitions.
 */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1

#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
/* ssize_t as glibc has it on x86_64, so an application may include both. */
#define SSIZE_MAX __LONG_MAX__
typedef long ssize_t;

/* x86_64: a little-endian machine with byte-swap instructions. */
#define BYTE_ORDER LITTLE_ENDIAN
#define lwip_htons(x) ((u16_t)__builtin_bswap16(x))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32(x))

#define LWIP_PLATFORM_DIAG(x)                                                  \
    do {                                                                       \
        printf x;                                                              \
    } while (0)
/* An lwIP invariant broken: print where, then abort (status 255 as a guest). */
#define LWIP_PLATFORM_ASSERT(x)                                                \
    do {                                                                       \
        printf("lwIP assertion \"%s\" failed at %s:%d\n", x, __FILE__,         \
               __LINE__);                                                      \
        abort();                                                               \
    } while (0)

uint32_t nabla_tcpip_rand(void);

#endif /* NABLA_LWIP_ARCH_CC_H */
