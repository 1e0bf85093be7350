// scenarios.test.ts: the audit, hypercalls, block and network scenarios, each variant once at tiny sizes (the peer in peer.test.ts); the guest's claims.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepare } from '../../src/api.js';
import { decodeProgram, SECCOMP_RET_ALLOW } from '../../src/audit/bpf-sim.js';
import { currentClocksource, VDSO_CLOCKSOURCES } from '../../src/audit/clock.js';
import { canUseNetns } from '../../src/bench/netns.js';
import { AUDIT_DEVICE_COUNTS, auditScenario } from '../../src/bench/scenarios/audit.js';
import { blockScenario } from '../../src/bench/scenarios/block.js';
import { hypercallsScenario } from '../../src/bench/scenarios/hypercalls.js';
import {
  BENCH_GUEST,
  BENCH_HOSTED,
  hostedFilter,
  makeDisk,
  runBenchGuest,
} from '../../src/bench/scenarios/hypercalls-guest.js';
import { networkScenario } from '../../src/bench/scenarios/network.js';
import type { Measurement, Scenario } from '../../src/bench/types.js';
import {
  benchContext,
  expectWellFormed,
  metricNames,
  runOnce as runScenarioOnce,
} from '../helpers/bench-scenario.js';
import { NABLA_RUN, scratchDir } from '../helpers/paths.js';

const scratch = scratchDir('nabla-bench-test-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every variant once, but the upstream peer: none is given here (peer.test.ts gives one). */
async function runOnce(scenario: Scenario): Promise<Map<string, Measurement[]>> {
  const peer = scenario.peer === undefined ? [] : [scenario.peer];
  const result = await runScenarioOnce(scenario, benchContext(scratch), peer);
  if (scenario.peer !== undefined)
    expect(result.unavailable.get(scenario.peer)).toBe('no peer given (--peer solo5-spt=PATH)');
  return result.measurements;
}

describe('bench scenario audit', () => {
  it('times nabla audit and nabla-run for each device count, one point per count', async () => {
    const results = await runOnce(auditScenario([0, 2]));
    for (const name of ['nabla-run', 'nabla audit']) {
      const ms = results.get(name) ?? [];
      expect(ms.map((m) => [m.metric, m.n])).toEqual([
        ['wall_ms', 0],
        ['wall_ms', 2],
      ]);
      for (const m of ms) expect(m).toMatchObject({ unit: 'ms', better: 'lower' });
      for (const m of ms) expect(m.value).toBeGreaterThan(0);
    }
    // The full run measures up to the manifest's maximum of 63 devices.
    expect(AUDIT_DEVICE_COUNTS).toEqual([0, 1, 16, 63]);
    // teardown removed the guests and the disks.
    expect(existsSync(join(scratch, 'audit'))).toBe(false);
  }, 120_000);
});

describe('bench scenario hypercalls', () => {
  it('measures ns per call for every operation in every variant', async () => {
    const tiny = { clockCalls: 200, blockCalls: 100, rounds: 2 };
    const results = await runOnce(hypercallsScenario({ quick: tiny, full: tiny }));
    const all = metricNames(results.get('hosted'));
    expect(all).toHaveLength(11);
    expect(all).toContain('clock_monotonic.ns_per_call');
    expect(all).toContain('yield_poll.ns_per_call');
    expect(all).toContain('block_write_4096_rand.ns_per_call');
    expect(metricNames(results.get('nabla'))).toEqual(all);
    expect(metricNames(results.get('hosted+filter'))).toEqual(all);
    // The OCI peers (oci.ts): the hosted program in a container, the same operations.
    expect(metricNames(results.get('runsc'))).toEqual(all);
    expect(metricNames(results.get('crun'))).toEqual(all);
    const of = (variant: string, metric: string) =>
      results.get(variant)?.find((m) => m.metric === metric)?.value ?? Number.NaN;
    // Under gVisor's ptrace platform a system call is a round trip through the tracer:
    // the clock_gettime syscall costs far more than on the host (tens of µs against ~0.2).
    expect(of('runsc', 'clock_monotonic.ns_per_call')).toBeGreaterThan(
      5 * of('hosted', 'clock_monotonic.ns_per_call'),
    );
    const clocks = ['clock_monotonic', 'clock_wall', 'yield_poll'].map((c) => `${c}.ns_per_call`);
    expect(metricNames(results.get('hosted+allow-all'))).toEqual(clocks);
    expect(metricNames(results.get('hosted-glibc'))).toEqual(clocks);
    for (const ms of results.values()) {
      expectWellFormed(ms);
      for (const m of ms) expect(m).toMatchObject({ unit: 'ns', better: 'lower' });
      for (const m of ms) expect(m.value).toBeGreaterThan(0);
    }
    // teardown removed the disk and the filters.
    expect(readdirSync(scratch).filter((f) => f.startsWith('hypercalls'))).toEqual([]);
  }, 60_000);
});

describe('bench scenario block', () => {
  it('measures MB/s and IOPS per workload, guest and hosted', async () => {
    const results = await runOnce(blockScenario({ quick: 1, full: 1 }));
    for (const name of ['hosted', 'nabla']) {
      const ms = results.get(name) ?? [];
      expectWellFormed(ms);
      expect(metricNames(ms)).toEqual([
        'seq_read_4096.mb_per_s',
        'seq_read_4096.iops',
        'seq_write_4096.mb_per_s',
        'seq_write_4096.iops',
        'rand_read_4096.mb_per_s',
        'rand_read_4096.iops',
      ]);
      // One pass of 4096-byte blocks: MB/s is IOPS times 4096 bytes.
      const value = (metric: string) => ms.find((m) => m.metric === metric)?.value ?? Number.NaN;
      expect(value('seq_read_4096.mb_per_s')).toBeCloseTo(
        (value('seq_read_4096.iops') * 4096) / 1e6,
        3,
      );
      for (const m of ms) expect(m.value).toBeGreaterThan(0);
    }
    expect(existsSync(join(scratch, 'block.img'))).toBe(false);
  }, 60_000);
});

describe.skipIf(!canUseNetns)('bench scenario network', () => {
  const ours = () =>
    execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.startsWith(`nabla-b-${process.pid}-`));

  it('measures packets per second and loss, and leaves no namespace behind', async () => {
    const results = await runOnce(networkScenario({ quick: 200, full: 200 }));
    for (const name of ['hosted', 'nabla']) {
      const ms = results.get(name) ?? [];
      expectWellFormed(ms);
      expect(metricNames(ms)).toEqual(['pps', 'loss_pct', 'rtt_avg_us']);
      expect(ms[0]?.value).toBeGreaterThan(0);
      expect(ms[1]?.value).toBeLessThanOrEqual(100);
    }
    expect(ours()).toEqual([]);
  }, 60_000);
});

describe('bench guest hypercalls', () => {
  const disk = join(scratch, 'guest.img');

  it("copies the guest's filter with the same instructions, kills made allows", async () => {
    await makeDisk(disk, 1);
    const guest = prepare({
      kernel: BENCH_GUEST,
      memMiB: 8,
      block: [{ name: 'storage', path: disk, sectorSize: 4096 }],
    });
    try {
      const theirs = decodeProgram(guest.filter.bpf);
      const ours = decodeProgram(hostedFilter(1n << 20n, 4096));
      expect(ours).toHaveLength(theirs.length);
      // Descriptors as the guest sees them -> as the hosted build has them (block, epoll, timer).
      const fdMap = new Map([
        [guest.devices[0]?.hostFd, 3],
        [guest.epollFd, 4],
        [guest.timerFd, 5],
      ]);
      ours.forEach((insn, i) => {
        const t = theirs[i];
        expect({ code: insn.code, jt: insn.jt, jf: insn.jf }).toEqual({
          code: t?.code,
          jt: t?.jt,
          jf: t?.jf,
        });
        if (insn.code === 0x06) expect(insn.k).toBe(SECCOMP_RET_ALLOW);
        else if (insn.k !== t?.k) expect(insn.k).toBe(fdMap.get(t?.k));
      });
    } finally {
      guest.release();
    }
  });

  /** Calls per syscall name that `strace -f -c` counted while `command` ran. */
  const straceCounts = (command: string, args: readonly string[]): Map<string, number> => {
    const out = join(scratch, 'strace.txt');
    const run = spawnSync('strace', ['-f', '-c', '-o', out, command, ...args], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const counts = new Map<string, number>();
    // "% time  seconds  usecs/call  calls  [errors]  syscall": calls is the fourth column.
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      const name = fields.at(-1);
      if (/^[\d.]+$/.test(fields[0] ?? '') && name && /^[a-z_0-9]+$/.test(name))
        counts.set(name, Number(fields[3]));
    }
    return counts;
  };

  it.skipIf(spawnSync('strace', ['-V']).status !== 0)(
    "hosted with syscalls=spt makes the guest's syscalls (but its vDSO clock); with syscalls=glibc, vDSO and epoll_wait",
    async () => {
      await makeDisk(disk, 1);
      const CALLS = 1000;
      const words = (op: string, how: string) => [
        '--solo5:quiet',
        op,
        String(CALLS),
        'warmup=0',
        `syscalls=${how}`,
      ];
      const devices = [`--block:storage=${disk}`];
      const hosted = (op: string, how: string) =>
        straceCounts(BENCH_HOSTED, [...devices, ...words(op, how)]);
      // Node's own calls are counted too (a few dozen); the guest's are the thousands.
      const guest = (op: string) =>
        straceCounts(process.execPath, [NABLA_RUN, ...devices, BENCH_GUEST, ...words(op, 'spt')]);
      const near = (a: number | undefined, b: number | undefined) =>
        expect(Math.abs((a ?? 0) - (b ?? 0))).toBeLessThan(CALLS / 10);

      // The guest reads the clock through the vDSO its tender publishes (docs/abi.md §4.5), where
      // the clocksource allows it; the hosted build with syscalls=spt makes the system call.
      const source = currentClocksource();
      const vdsoClock = source !== null && VDSO_CLOCKSOURCES.includes(source);
      for (const op of ['yield', 'block-read']) {
        const h = hosted(op, 'spt');
        const g = guest(op);
        for (const name of ['epoll_pwait', 'epoll_wait', 'pread64']) near(h.get(name), g.get(name));
        if (!vdsoClock) near(h.get('clock_gettime'), g.get('clock_gettime'));
        else if (op === 'yield') expect(g.get('clock_gettime') ?? 0).toBeLessThan(CALLS / 10);
      }
      const spt = hosted('yield', 'spt');
      expect(spt.get('clock_gettime')).toBeGreaterThanOrEqual(CALLS);
      expect(spt.get('epoll_pwait')).toBeGreaterThanOrEqual(CALLS);
      const glibc = hosted('yield', 'glibc');
      expect(glibc.get('clock_gettime') ?? 0).toBeLessThan(10);
      expect(glibc.get('epoll_wait')).toBeGreaterThanOrEqual(CALLS);
    },
    60_000,
  );

  it('refuses what spt cannot do, and a filter for another descriptor layout', async () => {
    await makeDisk(disk, 1);
    const base = { calls: 10, rounds: 1, warmup: 0, blockSize: 512, pattern: 'seq', disk } as const;
    await expect(
      runBenchGuest('nabla', { ...base, op: 'clock-wall', extra: ['syscalls=glibc'] }),
    ).rejects.toThrow(/an spt guest has no glibc/);
    const bpf = join(scratch, 'allow.bpf');
    writeFileSync(bpf, Buffer.from([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]));
    await expect(
      runBenchGuest('nabla', { ...base, op: 'clock-wall', extra: [`seccomp=${bpf}`] }),
    ).rejects.toThrow(/for the hosted build only/);
    // The same file works hosted, where descriptors 3-5 are the block file, epoll and timerfd.
    const ok = await runBenchGuest('hosted', {
      ...base,
      op: 'clock-wall',
      extra: [`seccomp=${bpf}`],
    });
    expect(ok.calls).toBe(10);
    // One more inherited descriptor moves them all up by one: refused, not silently misjudged.
    const extraFd = openSync(disk, 'r');
    try {
      const moved = spawnSync(
        BENCH_HOSTED,
        [`--block:storage=${disk}`, '--solo5:quiet', 'clock-wall', '10', `seccomp=${bpf}`],
        { stdio: ['ignore', 'pipe', 'pipe', extraFd], encoding: 'utf8' },
      );
      expect(moved.status).toBe(1);
      expect(moved.stdout).toMatch(/seccomp=: descriptor 4 is '.*', not anon_inode:\[eventpoll\]/);
    } finally {
      closeSync(extraFd);
    }
  });
});
