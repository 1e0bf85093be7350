// peer.test.ts: --peer solo5-spt=PATH in every scenario that has it: the peer gets upstream's command line for the same guest, and its variant measures what nabla's does.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canUseNetns } from '../../src/bench/netns.js';
import { peerCommand, peerMissing, upstreamWords } from '../../src/bench/peer.js';
import { blockScenario } from '../../src/bench/scenarios/block.js';
import { boot } from '../../src/bench/scenarios/boot.js';
import { densityScenario } from '../../src/bench/scenarios/density.js';
import { hypercallsScenario } from '../../src/bench/scenarios/hypercalls.js';
import { BENCH_GUEST } from '../../src/bench/scenarios/hypercalls-guest.js';
import { selectScenarios } from '../../src/bench/scenarios/index.js';
import { networkScenario } from '../../src/bench/scenarios/network.js';
import { startScenario } from '../../src/bench/scenarios/start.js';
import type { Measurement, Scenario } from '../../src/bench/types.js';
import { benchGuest, example } from '../../src/package/paths.js';
import {
  benchContext,
  expectUpstreamSyntax,
  expectWellFormed,
  fakePeer,
  metricNames,
} from '../helpers/bench-scenario.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

/**
 * The peer variant of `scenario`, once, with a fresh stand-in peer (setup and teardown
 * around it): its measurements and every call the peer received.
 */
async function runPeer(scenario: Scenario) {
  const dir = join(scratch.dir, scenario.name);
  execFileSync('mkdir', ['-p', dir]);
  const peer = fakePeer(dir);
  const ctx = benchContext(dir, { 'solo5-spt': peer.path });
  const variant = scenario.variants.find((v) => v.name === scenario.peer);
  expect(variant, `${scenario.name} has its peer variant`).toBeDefined();
  let measurements: Measurement[] = [];
  await scenario.setup?.(ctx);
  try {
    expect(await variant?.unavailable?.(ctx)).toBeUndefined();
    measurements = (await variant?.trial(ctx)) ?? [];
  } finally {
    await scenario.teardown?.(ctx);
  }
  expectWellFormed(measurements);
  return { measurements, calls: peer.calls() };
}

describe('the upstream peer', () => {
  it('is a variant of every scenario but audit, summon and daemon, named in Scenario.peer', () => {
    const withPeer = selectScenarios(undefined)
      .filter((s) => s.peer !== undefined && s.variants.some((v) => v.name === s.peer))
      .map((s) => s.name);
    expect(withPeer).toEqual([
      'boot',
      'hypercalls',
      'block',
      'network',
      'http',
      'density',
      'start',
    ]);
    const without = selectScenarios(undefined)
      .filter((s) => s.peer === undefined)
      .map((s) => s.name);
    expect(without).toEqual(['audit', 'summon', 'daemon']);
  });

  it('is not run without --peer, nor with a path that is no executable file', () => {
    const ctx = (path?: string) => benchContext(scratch.dir, path ? { 'solo5-spt': path } : {});
    expect(peerMissing(ctx())).toBe('no peer given (--peer solo5-spt=PATH)');
    expect(peerMissing(ctx('/nonexistent/solo5-spt'))).toBe(
      '--peer solo5-spt=/nonexistent/solo5-spt: no such file',
    );
    expect(peerMissing(ctx(scratch.dir))).toBe(
      `--peer solo5-spt=${scratch.dir}: not a regular file`,
    );
    const plain = scratch.file('not-executable', '#!/bin/sh\n');
    expect(peerMissing(ctx(plain))).toBe(`--peer solo5-spt=${plain}: not executable`);
  });

  it("gets nabla-run's command line without nabla-run's own options, and refuses those", () => {
    const ctx = benchContext(scratch.dir, { 'solo5-spt': '/opt/solo5-spt' });
    const disk = scratch.disk('peer.img', 1 << 20);
    const options = {
      memMiB: 8,
      block: [{ name: 'storage', path: disk, sectorSize: 4096 }],
      net: [{ name: 'service', iface: 'tap0' }],
    };
    expect(peerCommand(ctx, '/k.nabla', ['a', 'b'], options)).toEqual({
      file: '/opt/solo5-spt',
      args: [
        '--mem=8',
        `--block:storage=${disk}`,
        '--block-sector-size:storage=4096',
        '--net:service=tap0',
        '/k.nabla',
        'a',
        'b',
      ],
    });
    expect(() => upstreamWords({ kernel: '/k.nabla', user: 'nobody' })).toThrow(
      "--user=nobody is nabla-run's own option: solo5-spt has none",
    );
  });
});

describe('bench scenarios with --peer solo5-spt=PATH (a stand-in that runs nabla-run)', () => {
  it('boot: the same hello', async () => {
    const { measurements, calls } = await runPeer(boot);
    expect(metricNames(measurements)).toEqual(['wall_ms']);
    for (const call of calls) expect(expectUpstreamSyntax(call)).toBe(example('hello'));
  }, 60_000);

  it('hypercalls: the same guest, device and arguments, every operation', async () => {
    const tiny = { clockCalls: 200, blockCalls: 100, rounds: 2 };
    const { measurements, calls } = await runPeer(hypercallsScenario({ quick: tiny, full: tiny }));
    expect(measurements).toHaveLength(11);
    expect(metricNames(measurements)).toContain('block_write_4096_rand.ns_per_call');
    expect(calls).toHaveLength(11);
    for (const call of calls) {
      expect(expectUpstreamSyntax(call)).toBe(BENCH_GUEST);
      expect(call).toContain('--mem=8');
      expect(call.some((w) => w.startsWith('--block:storage='))).toBe(true);
    }
  }, 60_000);

  it('block: MB/s and IOPS per workload', async () => {
    const { measurements, calls } = await runPeer(blockScenario({ quick: 1, full: 1 }));
    expect(metricNames(measurements)).toEqual([
      'seq_read_4096.mb_per_s',
      'seq_read_4096.iops',
      'seq_write_4096.mb_per_s',
      'seq_write_4096.iops',
      'rand_read_4096.mb_per_s',
      'rand_read_4096.iops',
    ]);
    expect(calls.map(expectUpstreamSyntax)).toEqual([BENCH_GUEST, BENCH_GUEST, BENCH_GUEST]);
  }, 60_000);

  it.skipIf(!canUseNetns)(
    'network: the ping guest on a tap in the namespace',
    async () => {
      const { measurements, calls } = await runPeer(networkScenario({ quick: 200, full: 200 }));
      expect(metricNames(measurements)).toEqual(['pps', 'loss_pct', 'rtt_avg_us']);
      expect(calls).toHaveLength(1);
      expect(expectUpstreamSyntax(calls[0] ?? [])).toBe(example('ping'));
      expect(calls[0]).toContain('--net:service=tap0');
    },
    60_000,
  );

  it('density: idle guests, memory per instance', async () => {
    const { measurements, calls } = await runPeer(densityScenario({ quick: [2], full: [2] }));
    expect(measurements.map((m) => [m.metric, m.n])).toEqual([
      ['pss_kib_per_instance', 2],
      ['page_tables_kib_per_instance', 2],
    ]);
    // The availability check's guest, then the two measured.
    expect(calls.map(expectUpstreamSyntax)).toEqual(Array(3).fill(benchGuest('idle')));
  }, 60_000);

  it('start: hellos and idle guests, spawned from the trial process', async () => {
    const sizes = { warmup: 1, sequential: 2, burst: 3, counts: [3] };
    const { measurements, calls } = await runPeer(startScenario({ quick: sizes, full: sizes }));
    expect(measurements.map((m) => [m.metric, m.n])).toEqual([
      ['sequential_ms', undefined],
      ['sequential_ms', undefined],
      ['burst_guests_per_s', undefined],
      ['start_all_ms', 3],
      ['start_ms_per_guest', 3],
    ]);
    const kernels = calls.map(expectUpstreamSyntax);
    // Checks (a hello, an idle guest); 1 + 2 sequential and 3 in the burst; 1 + 3 idle.
    expect(kernels.filter((k) => k === example('hello'))).toHaveLength(1 + 3 + 3);
    expect(kernels.filter((k) => k === benchGuest('idle'))).toHaveLength(1 + 1 + 3);
  }, 60_000);

  it('a peer that fails makes its variant fail with what it said, not the others', async () => {
    const broken = scratch.file('broken-spt', '#!/bin/sh\necho "solo5-spt: cannot" >&2\nexit 1\n');
    execFileSync('chmod', ['+x', broken]);
    const ctx = benchContext(scratch.dir, { 'solo5-spt': broken });
    const variant = boot.variants.find((v) => v.name === 'solo5-spt hello');
    expect(await variant?.unavailable?.(ctx)).toMatch(
      /broken-spt .*: status 1: solo5-spt: cannot$/,
    );
    writeFileSync(broken, '#!/bin/sh\nexit 0\n');
    expect(await variant?.unavailable?.(ctx)).toMatch(/: status 0$/);
  }, 30_000);
});
