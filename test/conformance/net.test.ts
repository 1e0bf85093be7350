// net.test.ts: upstream's "net spt": a 100,000-packet flood ping through a tap, every one answered.
import { describe, expect, it } from 'vitest';
import { canUseNetns, pingStats, useNetns } from '../helpers/netns.js';
import { example } from '../helpers/paths.js';

const FLOOD = 100_000;

describe.skipIf(!canUseNetns)('net conformance', () => {
  const netns = useNetns();

  it('net spt', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    // Upstream runs test_net with "limit": it exits 0 after 100,000 echo replies.
    const guest = ns.nablaRun([
      '--mem=2',
      '--net:service=tap0',
      example('ping'),
      `--limit=${FLOOD}`,
    ]);
    await guest.waitFor('ping: ready');

    const ping = await ns.run('ping', ['-f', '-q', '-c', String(FLOOD), '10.0.0.2'], 90_000);
    // Upstream only requires the guest to see all 100,000 requests; we also require every
    // reply back at ping: a frame lost on the way out of the guest would show here.
    expect(pingStats(ping.stdout), ping.stdout + ping.stderr).toMatchObject({
      transmitted: FLOOD,
      received: FLOOD,
      loss: 0,
    });
    const exit = await guest.exited;
    expect(exit.status, exit.stdout + exit.stderr).toBe(0);
    expect(exit.stdout).toContain(`ping: service: ${FLOOD} echo replies\n`);
    expect(exit.stdout).toContain('0 writes failed');
  }, 120_000);
});
