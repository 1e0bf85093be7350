// net-mtu.test.ts: upstream's "net_mtu spt": the guest is told the tap's MTU, and frames that big get through.
import { describe, expect, it } from 'vitest';
import { canUseNetns, type Netns, pingStats, useNetns } from '../helpers/netns.js';
import { example } from '../helpers/paths.js';

// ICMP echo overhead inside the IP MTU: 20 bytes of IPv4 header, 8 of ICMP.
const ICMP_OVERHEAD = 28;

/** Boots examples/ping on a tap of `mtu` bytes, pings it with each size, returns its output. */
async function pingThroughMtu(
  netns: () => Netns,
  mtu: number,
  sizes: readonly number[],
): Promise<string> {
  const ns = netns();
  ns.addTap({ name: 'tap0', address: '10.0.0.1/24', mtu });
  const guest = ns.nablaRun([
    '--mem=2',
    '--net:service=tap0',
    example('ping'),
    `--limit=${2 * sizes.length}`,
  ]);
  await guest.waitFor('ping: ready');
  // Upstream's test_net_mtu prints solo5_net_info.mtu; ping prints it in its device line.
  expect(guest.stdout()).toContain(`ping: service: mac `);
  expect(guest.stdout()).toContain(`, mtu ${mtu}, address 10.0.0.2\n`);
  for (const size of sizes) {
    // -M do: the request must cross as one frame, never as IP fragments.
    const ping = await ns.run('ping', [
      '-c',
      '2',
      '-i',
      '0.2',
      '-W',
      '5',
      '-M',
      'do',
      '-s',
      String(size),
      '10.0.0.2',
    ]);
    expect(pingStats(ping.stdout), `-s ${size}: ${ping.stdout}${ping.stderr}`).toMatchObject({
      transmitted: 2,
      received: 2,
    });
    expect(ping.stdout).toContain(`${size + 8} bytes from 10.0.0.2`);
  }
  const exit = await guest.exited;
  expect(exit.status, exit.stdout + exit.stderr).toBe(0);
  return exit.stdout;
}

describe.skipIf(!canUseNetns)('net_mtu conformance', () => {
  const netns = useNetns();

  it('net_mtu spt', async () => {
    // A jumbo tap: 8000 bytes of data, and the largest echo that fits 9000 exactly.
    await pingThroughMtu(netns, 9000, [8000, 9000 - ICMP_OVERHEAD]);
  });

  it('net_mtu spt: the default MTU is the tap default, 1500', async () => {
    await pingThroughMtu(netns, 1500, [56, 1500 - ICMP_OVERHEAD]);
  });

  it('net_mtu spt: the largest MTU a tap allows, 65521, fits the 16-bit field and works', async () => {
    await pingThroughMtu(netns, 65521, [65521 - ICMP_OVERHEAD]);
  });

  it('net_mtu spt: an echo request that arrives in IP fragments is ignored, not misread', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const guest = ns.nablaRun(['--net:service=tap0', example('ping'), '--limit=1']);
    await guest.waitFor('ping: ready');
    // 3000 bytes over a 1500 MTU: the host sends three fragments; ping.c answers whole datagrams only.
    const fragmented = await ns.run('ping', ['-c', '1', '-W', '2', '-s', '3000', '10.0.0.2']);
    expect(pingStats(fragmented.stdout), fragmented.stdout).toMatchObject({ received: 0 });
    // The guest is still serving, and this is the one reply it counts.
    const whole = await ns.run('ping', ['-c', '1', '-W', '5', '10.0.0.2']);
    expect(pingStats(whole.stdout), whole.stdout).toMatchObject({ received: 1 });
    const exit = await guest.exited;
    expect(exit.status).toBe(0);
    expect(exit.stdout).toContain('ping: service: 1 echo replies\n');
  });
});
