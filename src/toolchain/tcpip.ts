// tcpip.ts: the SDK's TCP/IP stack as a build runtime: lwIP's sources (fetched by scripts/fetch-lwip.sh) plus the glue in sdk/net.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NablaError } from '../errors.js';
import { LWIP_DIR, LWIP_VERSION, SDK_DIR } from '../package/paths.js';
import type { BuildTarget, Runtime } from './build.js';

const NET = join(SDK_DIR, 'net');
const LWIP_SRC = join(LWIP_DIR, 'src');
/** Written by scripts/fetch-lwip.sh once the tree is verified: "<debian version> <dsc sha256>". */
const LWIP_STAMP = join(LWIP_DIR, '.nabla-verified');

/*
 * The parts of lwIP sdk/net/lwipopts.h enables: the core, IPv4 with ARP and ICMP, TCP, UDP,
 * Ethernet. Files for what it disables (DHCP, AutoIP, IGMP, DNS, IPv6, the sockets and
 * netconn APIs, PPP) are not compiled at all.
 */
const LWIP_FILES = [
  'core/init.c',
  'core/def.c',
  'core/inet_chksum.c',
  'core/ip.c',
  'core/mem.c',
  'core/memp.c',
  'core/netif.c',
  'core/pbuf.c',
  'core/stats.c',
  'core/sys.c',
  'core/tcp.c',
  'core/tcp_in.c',
  'core/tcp_out.c',
  'core/timeouts.c',
  'core/udp.c',
  'core/ipv4/etharp.c',
  'core/ipv4/icmp.c',
  'core/ipv4/ip4.c',
  'core/ipv4/ip4_addr.c',
  'core/ipv4/ip4_frag.c',
  'netif/ethernet.c',
];

/** The stack's headers for applications: nabla_tcpip.h is in sdk/include already; lwIP's and its options. */
export function tcpipIncludes(): string[] {
  return [`-I${NET}`, `-I${join(LWIP_SRC, 'include')}`];
}

/** lwIP's tree, or a one-line error saying how to get it. */
function lwipTree(): void {
  if (!existsSync(LWIP_STAMP)) {
    throw new NablaError(
      `--tcpip needs lwIP ${LWIP_VERSION}'s source, which is not fetched yet: run scripts/fetch-lwip.sh (scripts/setup.sh does)`,
      { code: 'BUILD_INPUT' },
    );
  }
}

/*
 * Guests compile lwIP against the SDK's libc: sdk/net/freestanding answers its <string.h> and
 * <stdlib.h> with nabla_lib.h. Hosted builds use glibc's headers, as the rest of sdk/hosted.
 */
export async function tcpipRuntime(
  target: BuildTarget,
  baseFlags: Promise<string[]>,
): Promise<Runtime> {
  lwipTree();
  const glue = (await readdir(NET))
    .filter((n) => n.endsWith('.c'))
    .sort()
    .map((n) => join(NET, n));
  const headers = [
    ...(await readdir(NET)).filter((n) => n.endsWith('.h')).map((n) => join(NET, n)),
    join(NET, 'arch', 'cc.h'),
    join(NET, 'freestanding', 'string.h'),
    join(NET, 'freestanding', 'stdlib.h'),
    join(SDK_DIR, 'include', 'nabla_tcpip.h'),
    join(SDK_DIR, 'include', 'nabla_lib.h'),
    join(SDK_DIR, 'include', 'solo5.h'),
    // lwIP's own headers are covered by the verified version and the .dsc's hash.
    LWIP_STAMP,
  ];
  const freestanding = target === 'spt' ? [`-I${join(NET, 'freestanding')}`] : [];
  return {
    name: `${target}-tcpip`,
    sources: [...LWIP_FILES.map((f) => join(LWIP_SRC, f)), ...glue],
    headers,
    flags: [...(await baseFlags), ...tcpipIncludes(), ...freestanding],
  };
}
