// net-tcp-numbers.test.ts: the SDK stack's sequence numbers: a closed connection's address pair opens again at once (TIME_WAIT), and initial sequence numbers are unguessable (RFC 6528).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpStressTarget, makeSite } from '../helpers/http-site.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { useScratch } from '../helpers/scratch.js';
import { expectHealthyAndStop, startStress } from '../helpers/tcp-stress.js';

const scratch = useScratch();

describe.skipIf(!canUseNetns)('TCP sequence numbers of SDK guests', () => {
  const netns = useNetns();

  describe.each(['spt', 'hosted'] as const)('%s', (kind) => {
    it('30 connections in a row from one client port: each served, its first SYN answered', async () => {
      const ns = netns();
      const site = makeSite(join(scratch.dir, `reuse-${kind}`)).image;
      const g = await startStress(ns, httpStressTarget(site, kind), kind === 'spt' ? 80 : 81);
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
      const g = await startStress(ns, httpStressTarget(site, kind), kind === 'spt' ? 82 : 83);
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
