/* stack.c: brings lwIP up from the command line and drives it with solo5_yield:
 * sys_now, the random source, the poll loop. */
#include "nabla_tcpip.h"
#include "tcpip.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "nabla_lib.h"

#define NS_PER_MS 1000000ull

static struct netif nif;

/* lwIP's clock: milliseconds of the monotonic clock (wraps after 49 days, as
 * lwIP expects). */
u32_t sys_now(void)
{
    return (u32_t)(solo5_clock_monotonic() / NS_PER_MS);
}

/*
 * LWIP_RAND, for ephemeral ports: xorshift64, seeded from both clocks at
 * first use. Not cryptographic; initial sequence numbers come from isn.c.
 */
uint32_t nabla_tcpip_rand(void)
{
    static uint64_t state;
    if (state == 0)
        state = (solo5_clock_wall() ^ solo5_clock_monotonic() << 17) | 1;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 16);
}

struct netif *nabla_tcpip_netif(void)
{
    return &nif;
}

static uint32_t netmask_of(uint8_t prefix)
{
    uint32_t host = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
    return lwip_htonl(host);
}

bool nabla_tcpip_start(const char *name, const char *cmdline)
{
    struct nabla_tcpip_config config;
    char error[160];
    if (!nabla_tcpip_parse(cmdline, &config, error, sizeof error)) {
        printf("%s\n", error);
        return false;
    }
    solo5_handle_t handle;
    struct solo5_net_info info;
    if (solo5_net_acquire(name, &handle, &info) != SOLO5_R_OK) {
        printf("tcpip: cannot acquire network device '%s' (is it in the "
               "manifest and attached?)\n",
               name);
        return false;
    }
    ip4_addr_t address = {config.address};
    ip4_addr_t netmask = {netmask_of(config.prefix)};
    ip4_addr_t gateway = {config.has_gateway ? config.gateway : 0};
    lwip_init();
    if (!nabla_netif_add(&nif, handle, &info, &address, &netmask, &gateway)) {
        printf("tcpip: lwIP refused the interface on '%s'\n", name);
        return false;
    }
    const uint8_t *a = (const uint8_t *)&config.address;
    printf("tcpip: %u.%u.%u.%u/%u on %s, mtu %u\n", a[0], a[1], a[2], a[3],
           config.prefix, name, (unsigned)nif.mtu);
    return true;
}

void nabla_tcpip_poll(solo5_time_t deadline)
{
    nabla_netif_receive(&nif);
    sys_check_timeouts();

    /* Sleep no later than lwIP's next timer (TCP's fast timer runs every 250
     * ms). */
    solo5_time_t now = solo5_clock_monotonic();
    u32_t sleep_ms = sys_timeouts_sleeptime();
    if (sleep_ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE &&
        now + sleep_ms * NS_PER_MS < deadline)
        deadline = now + sleep_ms * NS_PER_MS;
    if (deadline > now) {
        solo5_handle_set_t ready;
        solo5_yield(deadline, &ready);
    }
}
