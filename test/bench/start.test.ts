// start.test.ts: the start scenario at small sizes, the points it skips and why, its worker's cleanup, and the capacity check.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capacityProblem, type HostLimits, hostLimits } from '../../src/bench/capacity.js';
import { parentMap, processTree } from '../../src/bench/procs.js';
import { startScenario } from '../../src/bench/scenarios/start.js';
import { packagePath } from '../../src/package/paths.js';
import { benchContext, expectWellFormed, runOnce } from '../helpers/bench-scenario.js';
import { isGone } from '../helpers/proc-state.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

/** This process's descendants still running. */
const descendants = (): number[] =>
  processTree(process.pid, parentMap())
    .slice(1)
    .filter((pid) => !isGone(pid));

const WORKER = packagePath('dist/bench/start-worker.js');

/** Waits until `root` has at least 20 descendants (guests) and returns them. */
async function guestsOf(root: number, skip = 0): Promise<number[]> {
  let guests: number[] = [];
  const deadline = Date.now() + 30_000;
  while (guests.length < 20 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    guests = processTree(root, parentMap()).slice(1 + skip);
  }
  expect(guests.length).toBeGreaterThanOrEqual(20);
  return guests;
}

/** Starts the start scenario's worker on `spec` and waits until it has 20 guests running. */
async function workerWithGuests(spec: object, detached: boolean) {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(spec)], {
    stdio: 'ignore',
    detached,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, guests: await guestsOf(child.pid as number) };
}

/** A spec that keeps the worker starting idle guests for a while. */
const busy = (variant: string) => ({
  variant,
  peers: {},
  warmup: 0,
  sequential: 0,
  burst: 1,
  counts: [400],
});

describe('bench scenario start', () => {
  it('times sequential starts, a burst and N idle guests per variant, in a worker process', async () => {
    const remarks: string[] = [];
    const sizes = { warmup: 2, sequential: 3, burst: 5, counts: [4, 10_000_000] };
    const skip = ['solo5-spt'];
    const { measurements, unavailable } = await runOnce(
      startScenario({ quick: sizes, full: sizes }),
      benchContext(scratch.dir, {}, remarks),
      skip,
    );
    expect(unavailable.get('solo5-spt')).toBe('no peer given (--peer solo5-spt=PATH)');
    // Ten million guests do not fit here: skipped, with the limit that stops them.
    expect(remarks).toHaveLength(1);
    expect(remarks[0]).toMatch(
      /^N = 10,000,000 not run: 10,000,000 guests need about [\d,]+ pids; kernel.pid_max is /,
    );
    for (const [variant, ms] of measurements) {
      expectWellFormed(ms);
      expect(
        ms.map((m) => [m.metric, m.unit, m.better, m.n]),
        variant,
      ).toEqual([
        ['sequential_ms', 'ms', 'lower', undefined],
        ['sequential_ms', 'ms', 'lower', undefined],
        ['sequential_ms', 'ms', 'lower', undefined],
        ['burst_guests_per_s', 'guests/s', 'higher', undefined],
        ['start_all_ms', 'ms', 'lower', 4],
        ['start_ms_per_guest', 'ms', 'lower', 4],
      ]);
      for (const m of ms) expect(m.value, `${variant} ${m.metric}`).toBeGreaterThan(0);
      const all = ms.find((m) => m.metric === 'start_all_ms')?.value ?? 0;
      expect(ms.find((m) => m.metric === 'start_ms_per_guest')?.value).toBeCloseTo(all / 4, 6);
    }
    expect([...measurements.keys()]).toEqual(expect.arrayContaining(['hosted', 'nabla run()']));
    // Every guest and worker has ended.
    expect(descendants()).toEqual([]);
  }, 120_000);

  it("a worker killed mid-trial takes its guests with it (the harness's Ctrl-C)", async () => {
    // Detached, as the harness starts it: the worker and its guests are one process group.
    const { child, exited, guests } = await workerWithGuests(busy('hosted'), true);
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 200)); // the orphans are reaped
    expect(guests.filter((pid) => !isGone(pid))).toEqual([]);
  }, 60_000);

  it('a worker told to stop (SIGTERM) kills its guests and ends with status 1', async () => {
    // Spawned hosted guests: nothing but the worker's own handler ends them.
    const { child, exited, guests } = await workerWithGuests(busy('hosted'), false);
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(guests.filter((pid) => !isGone(pid))).toEqual([]);
  }, 60_000);

  it('a worker whose parent is gone (a harness killed outright) kills its guests and ends', async () => {
    // Five rounds of 400: seconds of work, far longer than the worker's check for its parent.
    const spec = JSON.stringify({ ...busy('hosted'), counts: [400, 400, 400, 400, 400] });
    const out = join(scratch.dir, 'orphan.out');
    // sh is the worker's parent; killing it leaves the worker an orphan.
    const sh = spawn(
      'sh',
      ['-c', '"$0" "$1" "$2" > "$3" & wait', process.execPath, WORKER, spec, out],
      {
        stdio: 'ignore',
      },
    );
    const shExited = new Promise((resolve) => sh.once('exit', resolve));
    const [worker, ...guests] = await guestsOf(sh.pid as number);
    sh.kill('SIGKILL');
    await shExited;
    const deadline = Date.now() + 10_000;
    while (!isGone(worker as number) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(isGone(worker as number)).toBe(true);
    // It stopped: the trial did not run to its end.
    expect(readFileSync(out, 'utf8')).not.toContain('measurements');
    await new Promise((r) => setTimeout(r, 200));
    expect(guests.filter((pid) => !isGone(pid))).toEqual([]);
  }, 60_000);
});

describe('bench capacity', () => {
  const roomy: HostLimits = {
    pidMax: 4_194_304,
    threadsMax: 1_000_000,
    tasks: 300,
    nproc: Number.POSITIVE_INFINITY,
    nofile: 1_048_576,
    memAvailableKiB: 64 * 1024 * 1024,
  };
  const demand = (n: number) => ({ n, guestMemMiB: 512, pipeEnds: 2 * Math.min(n, 1000) });

  it('lets through what fits, and names the first limit that does not', () => {
    expect(capacityProblem(demand(10_000), roomy)).toBeUndefined();
    const cases: Array<[Partial<HostLimits>, RegExp]> = [
      [
        { pidMax: 32_768, tasks: 25_000 },
        /pids; kernel.pid_max is 32,768 \(25,000 tasks running\)$/,
      ],
      [{ threadsMax: 5_000 }, /tasks; kernel.threads-max is 5,000$/],
      [{ nproc: 4_096 }, /processes; RLIMIT_NPROC is 4,096$/],
      [{ cgroupPids: { max: 8_000, current: 10 } }, /pids.max of 8,000 \(10 in use\)$/],
      [{ memAvailableKiB: 2 * 1024 * 1024 }, /budgeted 5.9 GiB .*; MemAvailable is 2.0 GiB$/],
      [{ cgroupMemKiB: 1024 * 1024 }, /this cgroup's memory limit leaves 1.0 GiB$/],
      [{ strictCommitKiB: 8 * 1024 * 1024 }, /vm.overcommit_memory=2; 8.0 GiB is left$/],
      [{ nofile: 1024 }, /2,256 descriptors here; RLIMIT_NOFILE is 1,024$/],
    ];
    for (const [limits, reason] of cases)
      expect(capacityProblem(demand(10_000), { ...roomy, ...limits })).toMatch(reason);
  });

  it("reads this machine's limits", () => {
    const limits = hostLimits();
    expect(limits.pidMax).toBeGreaterThan(limits.tasks);
    expect(limits.tasks).toBeGreaterThan(0);
    expect(limits.nofile).toBeGreaterThan(0);
    expect(limits.memAvailableKiB).toBeGreaterThan(0);
    expect(capacityProblem(demand(10), limits)).toBeUndefined();
  });
});
