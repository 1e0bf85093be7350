// procs.test.ts: timed runs, starts until ready, PSS over a process tree, and no process left behind.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  killAll,
  killAndWait,
  liveCount,
  parentMap,
  processTree,
  pssKiB,
  smokeCheck,
  startUntil,
  timeRun,
} from '../../src/bench/procs.js';

/** Running, or stopped: not gone and not a zombie waiting for a parent to reap it. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

// A shell that starts a grandchild, says ready, then waits: a process tree like bwrap's.
const TREE = { file: 'sh', args: ['-c', 'sleep 300 & echo "child $!"; echo ready; wait'] };

describe('bench processes', () => {
  it('timeRun gives the wall time of a run, and throws with the status and stderr', async () => {
    expect(await timeRun({ file: 'true', args: [] })).toBeGreaterThan(0);
    await expect(timeRun({ file: 'sh', args: ['-c', 'echo oops >&2; exit 3'] })).rejects.toThrow(
      'sh -c echo oops >&2; exit 3: status 3: oops',
    );
    await expect(timeRun({ file: 'sleep', args: ['5'] }, 200)).rejects.toThrow(
      'timed out after 200 ms',
    );
  });

  it('startUntil resolves at "ready"; PSS covers the tree; killAndWait ends the whole group', async () => {
    const { child, ms } = await startUntil(TREE, 'ready');
    expect(ms).toBeGreaterThan(0);
    const pid = child.pid as number;
    const tree = processTree(pid, parentMap());
    expect(tree[0]).toBe(pid);
    expect(tree.length).toBe(2); // sh and its sleep
    expect(tree.map(pssKiB).every((kib) => kib > 0)).toBe(true);
    await killAndWait([child]);
    expect(await until(() => tree.every((p) => !alive(p)))).toBe(true);
  });

  it('killAll ends every group still running (what Ctrl-C and exit do)', async () => {
    const started = await Promise.all([startUntil(TREE, 'ready'), startUntil(TREE, 'ready')]);
    const pids = started.flatMap(({ child }) => processTree(child.pid as number, parentMap()));
    expect(pids).toHaveLength(4);
    expect(killAll()).toBeGreaterThanOrEqual(2);
    expect(await until(() => pids.every((p) => !alive(p)))).toBe(true);
    expect(await until(() => liveCount() === 0)).toBe(true);
  });

  it('startUntil rejects when the program ends first, and smokeCheck says why', async () => {
    await expect(
      startUntil({ file: 'sh', args: ['-c', 'echo no; exit 2'] }, 'ready'),
    ).rejects.toThrow('ended before ready: status 2');
    expect(await smokeCheck({ file: 'echo', args: ['Hello, world!'] }, 'Hello')).toBeUndefined();
    expect(await smokeCheck({ file: 'no-such-program-here', args: [] }, 'x')).toMatch(/ENOENT/);
  });
});
