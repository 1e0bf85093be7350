/* nabla_tcpip.h: the SDK's TCP/IP stack (lwIP 2.1, raw API) on a Solo5 network
 * device, configured as MirageOS guests are. */
#ifndef NABLA_TCPIP_H
#define NABLA_TCPIP_H

/*
 * Build with `nabla build --tcpip` (or "tcpip": true in the app's
 * nabla.json); then lwIP's own headers (lwip/tcp.h, lwip/udp.h, ...) are on
 * the include path too. The stack is single-threaded and polled: the app
 * calls nabla_tcpip_poll() in its main loop and lwIP calls the app back from
 * inside it. See docs/tcpip.md.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "solo5.h"

struct netif;

/* An IPv4 configuration; addresses in network byte order (lwIP's
 * ip4_addr_t.addr). */
struct nabla_tcpip_config {
    uint32_t address;
    uint8_t prefix; /* 0..32 */
    bool has_gateway;
    uint32_t gateway;
};

/*
 * Reads the network options from a guest command line, as MirageOS
 * unikernels take them: `--ipv4=ADDR/PREFIX` (default 10.0.0.2/24) and
 * `--ipv4-gateway=ADDR` (default none). Other words are left to the app.
 * On a bad value: false, and one line naming the option and the value in
 * (error) (at most error_size bytes, NUL-terminated).
 */
bool nabla_tcpip_parse(const char *cmdline, struct nabla_tcpip_config *config,
                       char *error, size_t error_size);

/* True when the (n)-byte word is one of the options nabla_tcpip_parse reads. */
bool nabla_tcpip_is_option(const char *word, size_t n);

/*
 * Parses (cmdline), acquires the network device (device) (a NET_BASIC name
 * in the app's manifest), brings lwIP up on it and prints one line saying
 * so. On failure it prints one line starting "tcpip: " and returns false;
 * the app should then exit with SOLO5_EXIT_FAILURE.
 */
bool nabla_tcpip_start(const char *device, const char *cmdline);

/*
 * Receives every frame waiting, runs lwIP's due timers, then sleeps (in
 * solo5_yield) until a frame arrives, lwIP's next timer is due, or
 * (deadline) (monotonic ns; 0 returns without sleeping) passes.
 */
void nabla_tcpip_poll(solo5_time_t deadline);

/* The interface lwIP runs on (after nabla_tcpip_start). */
struct netif *nabla_tcpip_netif(void);

#endif /* NABLA_TCPIP_H */
