// net-hosted.test.ts: the hosted build of examples/ping answers through a real tap, like the unikernel.
import { describe, expect, it } from 'vitest';
import { canUseNetns, pingStats, useNetns } from '../helpers/netns.js';
import { hosted } from '../helpers/paths.js';

const COUNT = 5_000;

describe.skipIf(!canUseNetns)('net hosted', () => {
  const netns = useNetns();

  it('hosted ping answers a flood through a tap inside a namespace', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const guest = ns.spawn(hosted('ping'), ['--net:service=tap0', '--', `--limit=${COUNT}`]);
    await guest.waitFor('ping: ready');
    const ping = await ns.run('ping', ['-f', '-q', '-c', String(COUNT), '10.0.0.2']);
    expect(pingStats(ping.stdout), ping.stdout + ping.stderr).toMatchObject({
      transmitted: COUNT,
      received: COUNT,
      loss: 0,
    });
    const exit = await guest.exited;
    expect(exit.status, exit.stdout + exit.stderr).toBe(0);
    expect(exit.stdout).toContain(`ping: service: ${COUNT} echo replies\n`);
  }, 60_000);
});
