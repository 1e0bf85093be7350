// resources.test.ts: faults from the host's side: a full filesystem under a block device, a console nobody reads.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/api.js';
import { BUILT, NABLA_RUN } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const FULLFS = join(BUILT.security, 'fullfs.nabla');
const CONFLOOD = join(BUILT.security, 'conflood.nabla');
/** The guest's own status for "my writes failed with SOLO5_R_EUNSPEC" (fullfs.c). */
const FULLFS_EXIT_DISK_FULL = 3;
/**
 * A timer of the orchestrator's may fire this much late, at most, while a guest floods. A stall
 * (a synchronous read or write of the flood) holds the event loop for the whole flood, seconds;
 * a loaded CI machine, running every test file at once, showed 135 ms of ordinary lag.
 */
const MAX_TIMER_LAG_MS = 500;
const LINE = 64; // conflood.c: bytes per line

const scratch = useScratch();
const isRoot = process.getuid?.() === 0;
const hasUnshare = spawnSync('unshare', ['--version']).status === 0;

/** Runs 10 ms timers for `ms` and returns how late the latest one fired. */
function timerLag(ms: number): Promise<number> {
  const period = 10;
  let worst = 0;
  let due = performance.now() + period;
  return new Promise((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - due);
      due = now + period;
    }, period);
    setTimeout(() => {
      clearInterval(tick);
      resolve(worst);
    }, ms);
  });
}

/** State letter, CPU ticks and wait channel of a process, from /proc. */
function procState(pid: number): { state: string; ticks: number; wchan: string } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let wchan = '';
  try {
    wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    // not every kernel shows it
  }
  // After "pid (comm) ": state is field 3 of stat, utime and stime fields 14 and 15.
  return { state: fields[0] as string, ticks: Number(fields[11]) + Number(fields[12]), wchan };
}

/** True when the process sleeps and uses no CPU for 300 ms: blocked, not spinning. */
async function blockedAndIdle(pid: number): Promise<{ blocked: boolean; seen: string }> {
  const before = procState(pid);
  await new Promise((r) => setTimeout(r, 300));
  const after = procState(pid);
  const seen = `state ${after.state}, ${after.ticks - before.ticks} CPU ticks in 300 ms, wchan ${after.wchan || '?'}`;
  return { blocked: after.state === 'S' && after.ticks === before.ticks, seen };
}

function checkLines(stdout: string, count: number): void {
  const lines = stdout.split('\n').filter((l) => l.startsWith('conflood '));
  expect(lines.length).toBe(count);
  // Every line whole and in order: nothing lost, torn or repeated while the pipe was full.
  for (const n of [0, 1, 4095, count >> 1, count - 1]) {
    expect(lines[n]).toBe(`conflood ${String(n).padStart(10, '0')} `.padEnd(LINE - 1, '.'));
  }
}

describe('resource faults', () => {
  it.skipIf(!isRoot || !hasUnshare)(
    'a block write on a full filesystem gives the guest an error, not a crash of the tender',
    () => {
      // A 4 MiB tmpfs in a private mount namespace: the host's mounts never see it. The
      // sparse 16 MiB image on it runs out of room after 8192 blocks of 512 bytes.
      const mnt = scratch.dir;
      const script = [
        'set -e',
        'mount -t tmpfs -o size=4m nabla-fullfs "$1"',
        'truncate -s 16M "$1/disk.img"',
        'exec "$2" "$3" --block:storage="$1/disk.img" "$4"',
      ].join('\n');
      // After the script: $1 the mount point, $2 node, $3 nabla-run, $4 the guest.
      const result = spawnSync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          script,
          'sh',
          mnt,
          process.execPath,
          NABLA_RUN,
          FULLFS,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      const summary =
        /fullfs: (\d+) of (\d+) blocks written, (\d+) failed with SOLO5_R_EUNSPEC, 0 otherwise, first failure at block (\d+)/.exec(
          result.stdout,
        );
      console.log(summary?.[0] ?? result.stdout + result.stderr);
      expect(result.signal).toBeNull(); // the tender was not killed
      expect(result.status, result.stderr).toBe(FULLFS_EXIT_DISK_FULL);
      const [, written, blocks, failed, first] = (summary ?? []).map(Number);
      expect(blocks).toBe(32768);
      expect(written).toBeGreaterThan(0);
      expect((written as number) * 512).toBeLessThanOrEqual(4 << 20);
      expect(first).toBe(written); // writes succeed until the filesystem is full, then all fail
      expect((written as number) + (failed as number)).toBe(blocks);
      // The tmpfs existed only inside the namespace.
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('nabla-fullfs');
      expect(spawnSync('ls', ['-A', mnt], { encoding: 'utf8' }).stdout).toBe('');
    },
  );

  it('a guest flooding its console does not stall the orchestrator: run() with stdio pipe, unread', async () => {
    const count = 200_000; // 12.8 MB, far more than a pipe and Node's buffer hold
    const guest = run({ kernel: CONFLOOD, args: [String(count)], stdio: 'pipe' });
    guest.stdout?.pause(); // the application reads nothing for a while
    const lagUnread = await timerLag(2000);
    const { blocked, seen } = await blockedAndIdle(guest.pid);
    console.log(`run(), unread for 2 s: worst timer lag ${lagUnread.toFixed(1)} ms; guest ${seen}`);
    expect(blocked, seen).toBe(true); // the guest waits in write(2) on the full pipe

    // Reading again: the guest finishes, and the event loop stays on time while 12.8 MB arrive.
    guest.stdout?.resume();
    const [lagReading, output] = await Promise.all([timerLag(500), guest.output()]);
    console.log(`run(), reading the flood: worst timer lag ${lagReading.toFixed(1)} ms`);
    expect(output.status).toBe(0);
    checkLines(output.stdout, count);
    expect(lagUnread).toBeLessThan(MAX_TIMER_LAG_MS);
    expect(lagReading).toBeLessThan(MAX_TIMER_LAG_MS);
  });

  it('a guest flooding its console does not stall the orchestrator: nabla-run into a pipe nobody reads', async () => {
    // Endless output; nabla-run execs the tender, so the child's pid is the guest's.
    const child: ChildProcess = spawn(process.execPath, [NABLA_RUN, CONFLOOD], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    const lag = await timerLag(2000);
    const { blocked, seen } = await blockedAndIdle(child.pid as number);
    console.log(
      `nabla-run, pipe unread for 2 s: worst timer lag ${lag.toFixed(1)} ms; guest ${seen}`,
    );
    expect(blocked, seen).toBe(true);
    expect(lag).toBeLessThan(MAX_TIMER_LAG_MS);

    // The reader goes away: the blocked write fails with EPIPE and SIGPIPE ends the guest
    // (the tender reset every signal to its default before the jump).
    child.stdout?.destroy();
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGPIPE' });
  });
});
