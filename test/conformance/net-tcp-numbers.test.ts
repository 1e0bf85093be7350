// net-tcp-numbers.test.ts: the SDK stack's sequence numbers: a closed connection's address pair opens again at once (TIME_WAIT), and initial sequence numbers are unguessable (RFC 6528).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSite } from '../helpers/http-site.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { example, hosted } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { expectHealthyAndStop, type StressTarget, startStress } from '../helpers/tcp-stress.js';

const scratch = useScratch();

/* examples/http closes first after a "Connection: close" answer, so its side of each
 * connection waits in TIME_WAIT (two minutes in lwIP) while the client's is free at once. */
function target(kind: 'spt' | 'hosted', image: string): StressTarget {
  return {
    kind,
    image: kind === 'spt' ? example('http') : hosted('http'),
    runOptions: [`--block:storage=${image}`],
    args: ['--port=8080'],
    port: 8080,
    ready: 'http: serving',
    proto: {
      kind: 'fixed',
      request: 'GET /index.html HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n',
      prefix: 'HTTP/1.1 200 OK\r\n',
      heavy: 'GET /big.bin HTTP/1.1\r\nHost: guest\r\n\r\n',
    },
  };
}

describe.skipIf(!canUseNetns)('TCP sequence numbers of SDK guests', () => {
  const netns = useNetns();

  describe.each(['spt', 'hosted'] as const)('%s', (kind) => {
    it('30 connections in a row from one client port: each served, its first SYN answered', async () => {
      const ns = netns();
      const site = makeSite(join(scratch.dir, `reuse-${kind}`)).image;
      const g = await startStress(ns, target(kind, site), kind === 'spt' ? 80 : 81);
      // Before the fix, the second SYN got an ACK for the old connection; the client's reset of
      // that was ignored, and connect() timed out. Dropping the old pair without taking the SYN
      // would serve each one only after the client's SYN retransmission.
      const r = await g.step({ step: 'reuse', n: 30 });
      console.log(`${kind} reuse: ${JSON.stringify(r)}`);
      expect(r.ok).toBe(30);
      expect(r.synResent as number).toBeLessThan(15);
      await expectHealthyAndStop(ns, g.guest);
    }, 120_000);

    it('initial sequence numbers: distinct and spread over the whole space', async () => {
      const ns = netns();
      const site = makeSite(join(scratch.dir, `isn-${kind}`)).image;
      const g = await startStress(ns, target(kind, site), kind === 'spt' ? 82 : 83);
      // Within lwIP's first 500 ms tick its own numbers were all 6510, later close neighbours.
      const r = await g.step({ step: 'isn', n: 40, dev: 'tap0' });
      const isns = r.isns as number[];
      expect(r.served).toBe(40);
      expect(isns).toHaveLength(40);
      expect(new Set(isns).size).toBe(40);
      expect(Math.max(...isns) - Math.min(...isns)).toBeGreaterThan(2 ** 30);
      await expectHealthyAndStop(ns, g.guest);
    }, 120_000);
  });
});
