/* isn.c: initial sequence numbers as RFC 6528 asks: a 4 µs clock plus a keyed
 * hash of the connection's addresses and ports. */
#include "nabla_hooks.h"
#include <stdbool.h>
#include <stdint.h>
#include "lwip/ip_addr.h"
#include "solo5.h"

/*
 * lwIP's own tcp_next_iss starts every boot at 6510 and adds its 500 ms tick
 * count: the first second's connections all got the same ISN, and any ISN was
 * easy to guess, which is what blind injection of data or resets into a
 * connection needs. RFC 6528: ISN = M + F(addresses, ports, secret), M a
 * clock ticking every 4 µs, F a keyed hash. The clock keeps a reused address
 * pair's numbers moving forward; the hash keeps one connection's numbers from
 * telling anything about another's.
 */

static uint64_t secret[2];
static bool have_secret;

static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

/* One SipHash round on the state v[4]. */
static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13) ^ v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17) ^ v[2];
    v[2] = rotl(v[2], 32);
}

static void sip_absorb(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sip_round(v);
    sip_round(v);
    v[0] ^= m;
}

/* SipHash-2-4 of a 12-byte message given as one 8-byte word (little-endian
 * bytes 0-7) and the last four bytes. */
static uint64_t siphash12(uint64_t word, uint32_t tail)
{
    uint64_t v[4] = {
        secret[0] ^ 0x736f6d6570736575ull,
        secret[1] ^ 0x646f72616e646f6dull,
        secret[0] ^ 0x6c7967656e657261ull,
        secret[1] ^ 0x7465646279746573ull,
    };
    sip_absorb(v, word);
    sip_absorb(v, (uint64_t)tail | (12ull << 56));
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* A 64-bit hardware random number (RDRAND; unprivileged, so no system call),
 * or false if the CPU has none or it keeps failing. */
static bool rdrand64(uint64_t *out)
{
    uint32_t eax = 1, ebx, ecx, edx;
    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    if (!(ecx & (1u << 30)))
        return false;
    for (int tries = 0; tries < 10; tries++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

/* The secret, once: RDRAND where there is one; else both clocks, which at
 * least differ between boots and hosts. */
static void make_secret(void)
{
    for (int i = 0; i < 2; i++) {
        if (!rdrand64(&secret[i]))
            secret[i] = solo5_clock_wall() ^
                        rotl(solo5_clock_monotonic(), 17 + 23 * (unsigned)i);
    }
    have_secret = true;
}

u32_t nabla_tcpip_isn(const ip_addr_t *local_ip, u16_t local_port,
                      const ip_addr_t *remote_ip, u16_t remote_port)
{
    if (!have_secret)
        make_secret();
    uint64_t addresses = (uint64_t)ip4_addr_get_u32(ip_2_ip4(local_ip)) |
                         (uint64_t)ip4_addr_get_u32(ip_2_ip4(remote_ip)) << 32;
    uint32_t ports = (uint32_t)local_port | (uint32_t)remote_port << 16;
    uint32_t clock = (uint32_t)(solo5_clock_monotonic() / 4000);
    return clock + (uint32_t)siphash12(addresses, ports);
}
