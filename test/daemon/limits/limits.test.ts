// limits.test.ts: per-guest cgroup v1 limits on real guests started by run(), both start paths: memory (OOM), pids, CPU quota, removal.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/api.js';
import {
  cgroupFigures,
  cgroupTasks,
  createGuestCgroups,
  removeGuestCgroups,
  sweepCgroups,
} from '../../../src/daemon/limits/index.js';
import { waitFor } from '../../helpers/live-guest.js';
import { guest } from '../../helpers/paths.js';
import { useTestCgroups } from './groups.js';

const { layout, parent, left } = useTestCgroups();
const cgprobe = guest('cgprobe');
const MiB = 1024 * 1024;

describe.each([
  ['the start engine', true],
  ['a spawned tender', false],
])('limits spt (%s)', (_, engine) => {
  it('a guest touching more memory than its limit is OOM-killed, and the groups say so', async () => {
    const groups = createGuestCgroups(layout, parent, 'oom', { memoryBytes: 16 * MiB });
    const guestRun = run(
      { kernel: cgprobe, args: ['touch', '48'], memMiB: 64 },
      { engine, cgroups: groups.dirs },
    );
    const out = await guestRun.output();
    expect(out.status).toBe(137); // SIGKILL, from the OOM killer
    expect(out.signal).toBe('SIGKILL');
    expect(out.stdout).toContain('touching');
    expect(out.stdout).not.toContain('touched');
    const figures = cgroupFigures(groups);
    expect(figures.memory.limitBytes).toBe(16 * MiB);
    expect(figures.memory.oomKills).toBe(1);
    // Not failcnt: with memsw limited too, Linux 6.18 here counts neither counter's failures.
    expect(figures.memory.maxUsageBytes).toBeGreaterThan(15 * MiB);
    await removeGuestCgroups(groups);
    expect(left()).toEqual([]);
  });

  it('the same guest under a limit above what it touches ends normally (the control)', async () => {
    const groups = createGuestCgroups(layout, parent, 'roomy', { memoryBytes: 128 * MiB });
    const out = await run(
      { kernel: cgprobe, args: ['touch', '48'], memMiB: 64 },
      { engine, cgroups: groups.dirs },
    ).output();
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('touched 48');
    const figures = cgroupFigures(groups);
    expect(figures.memory.oomKills).toBe(0);
    // Every page it touched was charged to its group: it was there before it touched one.
    expect(figures.memory.maxUsageBytes).toBeGreaterThan(48 * MiB);
    await removeGuestCgroups(groups);
  });

  it('pids.max holds for the guest group: the guest counts as one, a second task cannot fork', async () => {
    const groups = createGuestCgroups(layout, parent, 'pids', { pids: 1 });
    const h = run({ kernel: cgprobe, args: ['idle'] }, { engine, cgroups: groups.dirs });
    try {
      await waitFor(h.stdout as NonNullable<typeof h.stdout>, 'ready');
      expect(cgroupFigures(groups).pids).toEqual({ current: 1, max: 1, refusedForks: 0 });
      // A shell joins the guest's pids group (moving in is not limited, forking is) and forks.
      const sh = spawnSync(
        'sh',
        ['-c', `echo $$ > ${groups.of.pids}/cgroup.procs && /bin/true && echo forked`],
        { encoding: 'utf8' },
      );
      expect(sh.stdout).not.toContain('forked');
      expect(sh.status).not.toBe(0);
      expect(cgroupFigures(groups).pids.refusedForks).toBeGreaterThan(0);
    } finally {
      h.kill();
    }
    await h.exited;
    await removeGuestCgroups(groups);
    expect(left()).toEqual([]);
  });

  it('a CPU quota throttles a spinning guest (cpu.stat nr_throttled), and none without one', async () => {
    const figuresAfter = async (cpus: number | undefined) => {
      const groups = createGuestCgroups(
        layout,
        parent,
        `spin${cpus ?? ''}`,
        cpus === undefined ? {} : { cpus },
      );
      const h = run({ kernel: cgprobe, args: ['spin'] }, { engine, cgroups: groups.dirs });
      try {
        await waitFor(h.stdout as NonNullable<typeof h.stdout>, 'spinning');
        // Ten periods of 100 ms with the guest runnable (without a quota no period is counted:
        // a second, then). No assertion on the time itself.
        const started = Date.now();
        const enough = () =>
          cpus === undefined
            ? Date.now() - started >= 1_000
            : cgroupFigures(groups).cpu.periods >= 10;
        for (let i = 0; i < 200 && !enough(); i++) await sleep(50);
        const figures = cgroupFigures(groups);
        const wallNs = (Date.now() - started) * 1e6;
        return { figures, share: figures.cpu.usageNs / wallNs };
      } finally {
        h.kill();
        await h.exited;
        await removeGuestCgroups(groups);
      }
    };
    const limited = await figuresAfter(0.2);
    expect(limited.figures.cpu.quotaUs).toBe(20_000);
    expect(limited.figures.cpu.periods).toBeGreaterThanOrEqual(10);
    expect(limited.figures.cpu.throttledPeriods).toBeGreaterThan(0);
    expect(limited.figures.cpu.throttledNs).toBeGreaterThan(0);
    const free = await figuresAfter(undefined);
    expect(free.figures.cpu.quotaUs).toBeNull();
    expect(free.figures.cpu.throttledPeriods).toBe(0);
    console.log(
      `cpu share of one CPU while spinning: ${limited.share.toFixed(2)} with cpus 0.2, ${free.share.toFixed(2)} without a quota`,
    );
  });

  it('the guest is in every group from its start: joined before its ids change, its filter and descriptors unchanged', async () => {
    const groups = createGuestCgroups(layout, parent, 'start', {});
    const h = run(
      { kernel: cgprobe, args: ['idle'], verbose: true },
      { engine, cgroups: groups.dirs },
    );
    let stderr = '';
    h.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    try {
      await waitFor(h.stdout as NonNullable<typeof h.stdout>, 'ready');
      // At its first line of output the guest is in each group, and alone there.
      for (const dir of groups.dirs) expect(cgroupTasks(dir)).toEqual([h.pid]);
      // The tender joined them first of all its steps: before the uid switch and guest memory.
      // (stderr is its own pipe: under load its lines can come after stdout's "ready".)
      for (let i = 0; i < 100 && !stderr.includes('nabla-run: kernel: '); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const lines = stderr.split('\n');
      const joined = groups.dirs.map((dir) =>
        lines.indexOf(`nabla-run: cgroup: joined ${dir}/cgroup.procs`),
      );
      const user = lines.findIndex((l) => l.startsWith('nabla-run: user: '));
      const kernel = lines.findIndex((l) => l.startsWith('nabla-run: kernel: '));
      for (const at of joined) expect(at).toBeGreaterThanOrEqual(0);
      expect(Math.max(...joined)).toBeLessThan(user);
      expect(user).toBeLessThan(kernel);
      // The cgroup.procs descriptors are gone: 0-2, the epoll set and the timerfd, as ever.
      const { openDescriptors, installedFilter } = await import('../../helpers/live-guest.js');
      expect(Object.keys(openDescriptors(h.pid)).map(Number)).toEqual([0, 1, 2, 3, 4]);
      expect(installedFilter(h.pid).equals(h.filter.bpf)).toBe(true);
    } finally {
      h.kill();
    }
    await h.exited;
    await removeGuestCgroups(groups);
    for (const dir of groups.dirs) expect(existsSync(dir)).toBe(false);
  });
});

describe('limits spt: removal and sweeping', () => {
  it('removal waits for a killed guest to leave its groups; a live one makes it fail, naming the group', async () => {
    const groups = createGuestCgroups(layout, parent, 'busy', {});
    const h = run({ kernel: cgprobe, args: ['idle'] }, { cgroups: groups.dirs });
    await waitFor(h.stdout as NonNullable<typeof h.stdout>, 'ready');
    await expect(removeGuestCgroups(groups, 100)).rejects.toThrow(
      `${groups.dirs[0]}: still holds pids ${h.pid} after 100 ms`,
    );
    h.kill();
    await removeGuestCgroups(groups); // not waiting for exited: removal waits for the reaping
    expect(left()).toEqual([]);
    await h.exited;
  });

  it('a sweep after a crash kills what is left in the groups and removes them all', async () => {
    const a = createGuestCgroups(layout, parent, 'left-a', { pids: 4 });
    createGuestCgroups(layout, parent, 'left-b', {});
    const h = run({ kernel: cgprobe, args: ['idle'] }, { engine: false, cgroups: a.dirs });
    await waitFor(h.stdout as NonNullable<typeof h.stdout>, 'ready');
    expect(left()).toHaveLength(2 * layout.hierarchies.length);
    expect((await sweepCgroups(layout, parent)).sort()).toEqual(['left-a', 'left-b']);
    expect((await h.exited).signal).toBe('SIGKILL');
    expect(left()).toEqual([]);
  });

  it('bad names and limits are refused before anything is made', () => {
    expect(() => createGuestCgroups(layout, parent, '../x')).toThrow(
      'Expected a name of letters, digits, _ . - (at most 128) for the instance name but received "../x"',
    );
    expect(() => createGuestCgroups(layout, parent, 'x', { cpus: 0 })).toThrow(
      'Expected a number of CPUs above 0 and at most 1024 for cpus but received 0',
    );
    expect(() => createGuestCgroups(layout, parent, 'x', { memoryBytes: 1.5 })).toThrow(
      /for memoryBytes but received 1\.5$/,
    );
    expect(left()).toEqual([]);
  });

  it('a limit the kernel refuses: CGROUP naming the controller and file, and nothing left made', () => {
    // pids.max takes at most PID_MAX_LIMIT (4,194,304); the memory limit is written first.
    const pidsDir = layout.of.pids.base;
    expect(() =>
      createGuestCgroups(layout, parent, 'refused', { memoryBytes: 64 * MiB, pids: 5_000_000 }),
    ).toThrow(
      expect.objectContaining({
        code: 'CGROUP',
        message: `pids: ${pidsDir}/${parent}/refused/pids.max: Invalid argument`,
      }),
    );
    expect(left()).toEqual([]);
  });

  it('run() refuses a cgroup directory that is not one, with CGROUP naming it', () => {
    expect(() => run({ kernel: cgprobe, args: ['idle'] }, { cgroups: ['/tmp'] })).toThrow(
      expect.objectContaining({
        code: 'CGROUP',
        message: '/tmp: not a control group (not on a cgroup file system)',
      }),
    );
    expect(() => run({ kernel: cgprobe }, { cgroups: ['relative/dir'] })).toThrow(
      'Expected an absolute path of a cgroup directory for cgroups[0] but received "relative/dir"',
    );
  });
});
