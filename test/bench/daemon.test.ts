// daemon.test.ts: the daemon scenario in quick mode against a real daemon: its figures, and nothing left behind when it ends, when its daemon cannot start, and on Ctrl-C.
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parentMap, processTree } from '../../src/bench/procs.js';
import { DAEMON_SIZES, daemon, daemonScenario } from '../../src/bench/scenarios/daemon.js';
import type { BenchContext, Measurement } from '../../src/bench/types.js';
import { benchContext, expectWellFormed, runOnce } from '../helpers/bench-scenario.js';
import { isGone } from '../helpers/proc-state.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

/** This process's descendants still running: a daemon, its templates, its guests. */
const descendants = (): number[] =>
  processTree(process.pid, parentMap())
    .slice(1)
    .filter((pid) => !isGone(pid));

/** The trials' directories (socket, state) still in the scratch directory. */
const trialDirs = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('daemon-'));

const OPS = ['create', 'inspect', 'stats', 'list', 'stop', 'remove'];
const N = DAEMON_SIZES.quick.instances;

const value = (ms: readonly Measurement[], metric: string) => {
  const m = ms.find((x) => x.metric === metric);
  expect(m, metric).toBeDefined();
  return m?.value as number;
};

describe('bench scenario daemon', () => {
  it('quick mode: p50 and p99 of every call with N instances, and creates against run()', async () => {
    const { measurements } = await runOnce(daemon, benchContext(scratch.dir));
    const api = measurements.get('nabla daemon') ?? [];
    const direct = measurements.get('run(), no daemon') ?? [];
    expectWellFormed(api, ['create_serial_ms']);
    expectWellFormed(direct, ['create_serial_ms']);

    // Every call's p50 and p99 (and the time for all N but lists, made one at a time), at N.
    const expected = OPS.flatMap((op) => [
      `${op}_p50.latency_ms`,
      `${op}_p99.latency_ms`,
      ...(op === 'list' ? [] : [`${op}_all_ms`]),
    ]);
    const scaled = api.filter((m) => m.n !== undefined);
    expect(scaled.map((m) => m.metric)).toEqual(expected);
    for (const m of scaled) {
      expect(m.n).toBe(N);
      expect(m.unit).toBe('ms');
      expect(m.value, m.metric).toBeGreaterThan(0);
      expect(m.value, m.metric).toBeLessThan(60_000);
    }
    for (const op of OPS) {
      const p50 = value(api, `${op}_p50.latency_ms`);
      expect(value(api, `${op}_p99.latency_ms`), op).toBeGreaterThanOrEqual(p50);
      // Every call of the N lies within the time for all of them.
      if (op !== 'list')
        expect(value(api, `${op}_all_ms`), op).toBeGreaterThanOrEqual(
          value(api, `${op}_p99.latency_ms`),
        );
    }
    // One at a time, each create a sample: the sizes' count, in both variants.
    for (const ms of [api, direct]) {
      const serial = ms.filter((m) => m.metric === 'create_serial_ms');
      expect(serial).toHaveLength(DAEMON_SIZES.quick.serial);
      for (const m of serial) expect(m.value).toBeGreaterThan(0);
    }
    // run() without the daemon: the same N, the shared metrics only.
    expect(direct.map((m) => [m.metric, m.n])).toEqual([
      ...Array.from({ length: DAEMON_SIZES.quick.serial }, () => ['create_serial_ms', undefined]),
      ['create_all_ms', N],
    ]);
    expect(value(direct, 'create_all_ms')).toBeGreaterThan(0);

    // The daemon stopped (status 0, checked by the trial), its guests and templates with it.
    expect(descendants()).toEqual([]);
    expect(trialDirs(scratch.dir)).toEqual([]);
  }, 120_000);

  it('a daemon that does not start fails the trial with its message, leaving nothing', async () => {
    const fake = join(scratch.dir, 'nabla-fails.js');
    writeFileSync(
      fake,
      "process.stderr.write('nabla daemon: /x/state: the state directory is in use\\n');\n" +
        'process.exit(1);\n',
    );
    chmodSync(fake, 0o644);
    const broken = daemonScenario(DAEMON_SIZES, fake);
    const variant = broken.variants.find((v) => v.name === 'nabla daemon');
    await expect(variant?.trial(benchContext(scratch.dir))).rejects.toThrow(
      'nabla daemon ended before it listened, status 1: nabla daemon: /x/state: the state directory is in use',
    );
    expect(descendants()).toEqual([]);
    expect(trialDirs(scratch.dir)).toEqual([]);
  }, 60_000);

  it('Ctrl-C mid-trial kills the daemon and its guests and removes its socket', async () => {
    const controller = new AbortController();
    const ctx: BenchContext = { ...benchContext(scratch.dir), signal: controller.signal };
    // Many instances, so that the trial is still creating when it is interrupted.
    const sizes = { ...DAEMON_SIZES.quick, instances: 400 };
    const variant = daemonScenario({ quick: sizes, full: sizes }).variants.find(
      (v) => v.name === 'nabla daemon',
    );
    const trial = variant?.trial(ctx) as Promise<Measurement[]>;
    trial.catch(() => undefined);
    let seen: number[] = [];
    const deadline = Date.now() + 60_000;
    while (seen.length < 30 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      seen = descendants();
    }
    expect(seen.length).toBeGreaterThanOrEqual(30); // the daemon, a template, guests
    const sockets = trialDirs(scratch.dir).map((d) => readdirSync(join(scratch.dir, d)));
    expect(sockets).toEqual([expect.arrayContaining(['nabla.sock'])]);
    controller.abort();
    await expect(trial).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 200)); // the orphans are reaped
    expect(seen.filter((pid) => !isGone(pid))).toEqual([]);
    expect(descendants()).toEqual([]);
    expect(trialDirs(scratch.dir)).toEqual([]);
  }, 120_000);
});
