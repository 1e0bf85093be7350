// net-tcp-stress.test.ts: examples/tcp-echo under stress with real clients (issue 12): 1,000 connections at once, resets, half-close, slow clients, a SYN flood; and that these checks can fail.
import { describe, expect, it } from 'vitest';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { example, hosted } from '../helpers/paths.js';
import {
  expectHealthyAndStop,
  isRunning,
  rounds,
  type StressTarget,
  startStress,
} from '../helpers/tcp-stress.js';

/*
 * The harness (test/helpers/tcp-stress.ts and .py) is the guest's: any TCP server that says a
 * line when it listens and answers a request with a reply known in advance (exactly, or a prefix
 * then its FIN) can be pointed at it. Each test has its own namespace, tap and guest; every
 * figure a round measured is printed (the lead's report), while the asserts are about being
 * served, not about speed.
 */
const ECHO: StressTarget = {
  kind: 'spt',
  image: example('tcp-echo'),
  args: [],
  port: 7,
  ready: 'tcp-echo: echoing TCP port 7',
  // 2,000 to 5,663 bytes per connection; 8 MiB for a client that never reads its echo.
  proto: { kind: 'echo', size: 2000, heavy: 8 << 20 },
};

const log = (what: string, r: unknown) => console.log(`${what}: ${JSON.stringify(r)}`);

describe.skipIf(!canUseNetns)('tcp-echo under stress', () => {
  const netns = useNetns();

  it('1,000 concurrent connections, each its own bytes back, twice; then a fresh one', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 40);
    log('1,000 at once', await rounds.concurrent(g));
    log('1,000 at once again', await rounds.concurrent(g));
    await rounds.fresh(g);
    await expectHealthyAndStop(ns, g.guest);
  }, 240_000);

  it('300 resets mid-transfer (SO_LINGER 0, three ways); it serves on', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 41);
    await rounds.resets(g);
    await rounds.fresh(g);
    await rounds.concurrent(g, 200);
    await expectHealthyAndStop(ns, g.guest);
  }, 240_000);

  it('300 half-closed clients (SHUT_WR before reading) get all their bytes and the FIN', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 42);
    log('half-closed', await rounds.halfClosed(g));
    await rounds.fresh(g);
    await expectHealthyAndStop(ns, g.guest);
  }, 240_000);

  it('20 clients at a byte a second and one that never reads do not stall fast clients', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 43);
    log('slow', await rounds.slow(g, 5));
    await rounds.fresh(g);
    await expectHealthyAndStop(ns, g.guest);
  }, 240_000);

  it('20,000 spoofed SYNs do not kill it; a client is served within 10 s, then 1,000', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 44);
    // Spoofed sources on the guest's own subnet, nobody there to answer the SYN-ACKs (or the
    // ARP requests), and off it, through the gateway.
    log('flood', await rounds.synFlood(g, [g.subnet, '192.0.2.']));
    expect(await isRunning(g.guest)).toBe(true);
    log('fresh after the flood', await rounds.fresh(g, 10));
    log('1,000 after the flood', await rounds.concurrent(g));
    await expectHealthyAndStop(ns, g.guest);
  }, 240_000);

  it('all of it on one guest, then 1,000 at once twice more: no pool runs out', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 45);
    await rounds.concurrent(g);
    await rounds.resets(g);
    await rounds.halfClosed(g);
    await rounds.slow(g, 3);
    await rounds.synFlood(g, ['192.0.2.', '198.51.100.']);
    await rounds.fresh(g, 10);
    log('1,000 after everything', await rounds.concurrent(g));
    log('and again', await rounds.concurrent(g));
    await expectHealthyAndStop(ns, g.guest);
  }, 600_000);

  it('hosted build: 1,000 at once, 20,000 spoofed SYNs, 1,000 again', async () => {
    const ns = netns();
    const g = await startStress(ns, { ...ECHO, kind: 'hosted', image: hosted('tcp-echo') }, 49);
    await rounds.concurrent(g);
    await rounds.synFlood(g, [g.subnet, '192.0.2.']);
    await rounds.fresh(g, 10);
    await rounds.concurrent(g);
    await expectHealthyAndStop(ns, g.guest);
  }, 240_000);
});

describe.skipIf(!canUseNetns)('the stress harness can fail', () => {
  const netns = useNetns();

  it('pointed at a port nothing listens on, nothing is served', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 46);
    expect(await g.stepAt(9, { step: 'fresh', within: 1 })).toMatchObject({ ok: false });
    expect(await g.stepAt(9, { step: 'many', n: 5 })).toMatchObject({ opened: 0, refused: 5 });
    await expectHealthyAndStop(ns, g.guest);
  }, 60_000);

  it('a guest that stops serving fails the rounds, and passes them again once resumed', async () => {
    const ns = netns();
    const g = await startStress(ns, ECHO, 47);
    process.kill(g.guest.pid, 'SIGSTOP');
    try {
      expect(await g.step({ step: 'fresh', within: 2 })).toMatchObject({ ok: false });
    } finally {
      process.kill(g.guest.pid, 'SIGCONT');
    }
    await rounds.fresh(g);
    // A guest that has ended is not healthy.
    process.kill(g.guest.pid, 'SIGKILL');
    await g.guest.exited;
    expect(await isRunning(g.guest)).toBe(false);
  }, 60_000);

  it('a fixed request and reply (the form for other servers) passes against the echo', async () => {
    const ns = netns();
    const exact: StressTarget = {
      ...ECHO,
      proto: { kind: 'fixed', request: 'ping\n', reply: 'ping\n', heavy: 'x' },
    };
    const g = await startStress(ns, exact, 39);
    expect(await g.step({ step: 'many', n: 20 })).toMatchObject({ opened: 20, ok: 20 });
    await rounds.fresh(g, 2);
    // A prefix, then the server's FIN: the echo closes once the client has.
    const prefixed = await startStress(
      netns(),
      { ...ECHO, proto: { kind: 'fixed', request: 'ping\n', prefix: 'pi', heavy: 'x' } },
      38,
    );
    expect(await prefixed.step({ step: 'halfclose', n: 20 })).toMatchObject({ ok: 20, fins: 20 });
    await expectHealthyAndStop(ns, g.guest);
  }, 60_000);

  it('replies that differ from the expected ones are counted as not served', async () => {
    const ns = netns();
    const wrong: StressTarget = {
      ...ECHO,
      proto: { kind: 'fixed', request: 'ping\n', reply: 'pong\n', heavy: 'x' },
    };
    const g = await startStress(ns, wrong, 48);
    expect(await g.step({ step: 'many', n: 20 })).toMatchObject({ opened: 20, ok: 0 });
    expect(await g.step({ step: 'fresh', within: 1 })).toMatchObject({ ok: false });
    await expectHealthyAndStop(ns, g.guest);
  }, 60_000);
});
