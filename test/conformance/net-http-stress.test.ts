// net-http-stress.test.ts: examples/http under issue 12's stress rounds with real clients: 1,000 at once, resets, half-close, a SYN flood; it serves on after each.
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { httpStressTarget, makeSite } from '../helpers/http-site.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { useScratch } from '../helpers/scratch.js';
import { expectHealthyAndStop, rounds, startStress } from '../helpers/tcp-stress.js';

const scratch = useScratch();
const log = (what: string, r: unknown) => console.log(`${what}: ${JSON.stringify(r)}`);

/*
 * The server closing first leaves each connection in TIME_WAIT on its side, and the client
 * reuses ports within seconds: these rounds on one guest are what found that lwIP then ignored
 * the new SYN (sdk/net/time-wait.c).
 */

describe.skipIf(!canUseNetns)('examples/http under stress', () => {
  const netns = useNetns();
  const start = async (net: number, kind: 'spt' | 'hosted' = 'spt') => {
    const ns = netns();
    const site = makeSite(join(scratch.dir, `${net}`)).image;
    const g = await startStress(ns, httpStressTarget(site, kind), net, 300_000);
    return { ns, g };
  };

  it('every round on one guest: 1,000 at once, resets, half-closed, slow clients, a SYN flood, 1,000 again', async () => {
    const { ns, g } = await start(60);
    log('1,000 at once', await rounds.concurrent(g, 1000, true));
    await rounds.fresh(g);
    log('resets', await rounds.resets(g));
    await rounds.fresh(g);
    log('half-closed', await rounds.halfClosed(g));
    log('slow', await rounds.slow(g, 5));
    await rounds.fresh(g);
    log('flood', await rounds.synFlood(g, [g.subnet, '192.0.2.']));
    log('fresh after the flood', await rounds.fresh(g, 10));
    log('1,000 after everything', await rounds.concurrent(g, 1000, true));
    await expectHealthyAndStop(ns, g.guest);
  }, 300_000);

  it('the rounds twice over on one guest: no pool runs out, no address pair stays blocked', async () => {
    const { ns, g } = await start(61);
    for (let pass = 0; pass < 2; pass++) {
      await rounds.concurrent(g, 1000, true);
      await rounds.resets(g);
      await rounds.halfClosed(g);
      await rounds.slow(g, 3);
    }
    log('1,000 after two passes', await rounds.concurrent(g, 1000, true));
    await expectHealthyAndStop(ns, g.guest);
  }, 300_000);

  it('hosted build: 1,000 at once, slow clients, a SYN flood, 200 at once', async () => {
    const { ns, g } = await start(62, 'hosted');
    await rounds.concurrent(g, 1000, true);
    log('hosted slow', await rounds.slow(g, 3));
    await rounds.synFlood(g, [g.subnet, '192.0.2.']);
    await rounds.fresh(g, 10);
    await rounds.concurrent(g, 200, true);
    await expectHealthyAndStop(ns, g.guest);
  }, 300_000);
});
