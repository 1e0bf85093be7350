// daemon-limits.test.ts: limits through a real daemon: an OOM kill recorded with the exit, the limits in the group files while a guest runs, its figures in stats, no group left after exit, remove and SIGTERM, leftovers swept at start.
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/api.js';
import { daemonId } from '../../../src/daemon/daemon.js';
import {
  CONTROLLERS,
  cgroupParentDirs,
  createGuestCgroups,
  hostCgroupLayout,
  removeGuestCgroups,
  sweepCgroups,
} from '../../../src/daemon/limits/index.js';
import {
  alive,
  type DaemonProcess,
  eventually,
  openStream,
  startDaemon,
} from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/live-guest.js';
import { guest } from '../../helpers/paths.js';
import { useScratch } from '../../helpers/scratch.js';

const scratch = useScratch();
const cgprobe = guest('cgprobe');
const MiB = 1024 * 1024;
const layout = hostCgroupLayout();

/** The daemon's parent group in each hierarchy (`nabla/<id of its state directory>`). */
const parentDirs = (d: DaemonProcess) => cgroupParentDirs(layout, `nabla/${daemonId(d.stateDir)}`);
/** Instance `name`'s group in each hierarchy. */
const groupDirs = (d: DaemonProcess, name: string) => parentDirs(d).map((p) => join(p, name));
const groupDirsOf = (parent: string, name: string) =>
  cgroupParentDirs(layout, parent).map((p) => join(p, name));
const file = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8').trim();
const exitEvents = (text: string, name: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.type === 'exit' && e.instance === name);

describe('daemon limits spt', () => {
  it('an OOM kill is in the exit event and inspect, and the groups go after it (a roomy limit is the control)', async () => {
    const d = await startDaemon(join(scratch.dir, 'oom'));
    try {
      const events = await openStream(d.socket, '/v1/events');
      const create = (name: string, memory: number) =>
        d.api('POST', '/v1/instances', {
          name,
          kernel: cgprobe,
          args: ['touch', '48'],
          memory: 64,
          limits: { memory },
        });
      expect((await create('oom', 16 * MiB)).status).toBe(201);
      await events.until((t) => exitEvents(t, 'oom').length > 0);
      expect(exitEvents(events.text(), 'oom')[0]).toMatchObject({
        status: 137, // SIGKILL, from the OOM killer
        signal: 'SIGKILL',
        oomKilled: true,
      });
      const inspect = await d.api('GET', '/v1/instances/oom');
      expect(inspect.json.exit).toEqual({ status: 137, signal: 'SIGKILL', oomKilled: true });
      expect(inspect.json.state).toBe('exited');
      await eventually(
        () => groupDirs(d, 'oom').every((dir) => !existsSync(dir)),
        5_000,
        'groups removed',
      );

      expect((await create('roomy', 128 * MiB)).status).toBe(201);
      await events.until((t) => exitEvents(t, 'roomy').length > 0);
      expect(exitEvents(events.text(), 'roomy')[0]).toMatchObject({ status: 0, oomKilled: false });
      events.close();
      // The record keeps it: a new daemon reads the same last exit back.
      expect((await d.stop()).code).toBe(0);
      const again = await startDaemon(join(scratch.dir, 'oom'));
      try {
        expect((await again.api('GET', '/v1/instances/oom')).json.exit.oomKilled).toBe(true);
      } finally {
        await again.stop();
      }
    } finally {
      await d.stop();
    }
  });

  it('a running guest is in its groups with its limits, its figures are in stats; none left after remove and SIGTERM', async () => {
    const d = await startDaemon(join(scratch.dir, 'run'));
    try {
      const limits = { memory: 64 * MiB, cpu: 0.5, pids: 1 };
      const create = await d.api('POST', '/v1/instances', {
        name: 'idle',
        kernel: cgprobe,
        args: ['idle'],
        memory: 32,
        limits,
      });
      expect(create.status, create.text).toBe(201);
      const pid = create.json.pid as number;
      expect(alive(pid)).toBe(true);
      const [memory, cpu, cpuacct, pids] = CONTROLLERS.map((c) =>
        join(layout.of[c].base, 'nabla', daemonId(d.stateDir), 'idle'),
      ) as [string, string, string, string];
      expect(file(memory, 'memory.limit_in_bytes')).toBe(String(64 * MiB));
      expect(file(cpu, 'cpu.cfs_quota_us')).toBe('50000');
      expect(file(cpu, 'cpu.cfs_period_us')).toBe('100000');
      expect(file(pids, 'pids.max')).toBe('1');
      // The guest joins its groups itself as it starts (the engine's guest, step E2): soon after
      // its pid is known, before its first instruction.
      await eventually(
        () =>
          [memory, cpu, cpuacct, pids].every((dir) => file(dir, 'cgroup.procs') === String(pid)),
        5_000,
        'the guest in each of its groups',
      );

      const stats = (await d.api('GET', '/v1/instances/idle/stats')).json;
      expect(stats).toMatchObject({
        pid,
        cgroup: {
          memory: { limitBytes: 64 * MiB, oomKills: 0 },
          cpu: { quotaUs: 50_000, periodUs: 100_000 },
          pids: { current: 1, max: 1 },
        },
        net: {},
      });
      expect(stats.io.writeOps).toBeGreaterThan(0); // its "ready" line
      expect(stats.cgroup.memory.usageBytes).toBeGreaterThan(0);

      expect((await d.api('DELETE', '/v1/instances/idle?force=true')).status).toBe(204);
      expect(alive(pid)).toBe(false);
      for (const dir of groupDirs(d, 'idle')) expect(existsSync(dir)).toBe(false);

      // One running at the daemon's stop: its groups and the daemon's parent go with it.
      const last = await d.api('POST', '/v1/instances', {
        name: 'last',
        kernel: cgprobe,
        args: ['idle'],
        limits: { pids: 1 },
      });
      expect(last.status).toBe(201);
      for (const dir of groupDirs(d, 'last')) expect(existsSync(dir)).toBe(true);
      expect((await d.stop()).code).toBe(0);
      expect(alive(last.json.pid)).toBe(false);
      for (const dir of parentDirs(d)) expect(existsSync(dir)).toBe(false);
    } finally {
      await d.stop();
    }
  });

  it('an instance without limits makes no group, and its stats say cgroup null', async () => {
    const d = await startDaemon(join(scratch.dir, 'free'));
    try {
      const create = await d.api('POST', '/v1/instances', {
        name: 'free',
        kernel: cgprobe,
        args: ['idle'],
      });
      expect(create.status).toBe(201);
      expect((await d.api('GET', '/v1/instances/free/stats')).json).toMatchObject({
        pid: create.json.pid,
        cgroup: null,
      });
      for (const dir of groupDirs(d, 'free')) expect(existsSync(dir)).toBe(false);
    } finally {
      await d.stop();
    }
  });

  it("a daemon's start sweeps what its own killed predecessor left, and not another daemon's groups", async () => {
    const dir = join(scratch.dir, 'swept');
    const own = `nabla/${daemonId(join(dir, 'state'))}`;
    const other = `nabla/${daemonId(join(scratch.dir, 'another', 'state'))}`;
    // As a SIGKILLed daemon leaves them: a group with a live guest in it, an empty one.
    const left = createGuestCgroups(layout, own, 'left', { pids: 4 });
    createGuestCgroups(layout, own, 'empty', {});
    const theirs = createGuestCgroups(layout, other, 'theirs', {});
    const orphan = run({ kernel: cgprobe, args: ['idle'] }, { engine: false, cgroups: left.dirs });
    try {
      await waitFor(orphan.stdout as NonNullable<typeof orphan.stdout>, 'ready');
      const d = await startDaemon(dir);
      try {
        expect(d.stderr()).toMatch(/removed what an earlier run left: (left, empty|empty, left)/);
        expect((await orphan.exited).signal).toBe('SIGKILL');
        for (const g of [...left.dirs, ...groupDirsOf(own, 'empty')])
          expect(existsSync(g)).toBe(false);
        for (const g of theirs.dirs) expect(existsSync(g)).toBe(true);
      } finally {
        await d.stop();
      }
    } finally {
      orphan.kill('SIGKILL');
      await removeGuestCgroups(theirs);
      await sweepCgroups(layout, other, { removeParent: true });
      await sweepCgroups(layout, own, { removeParent: true }); // had the daemon not
      for (const nabla of cgroupParentDirs(layout, 'nabla')) {
        try {
          rmdirSync(nabla); // as the daemon would have, had the other's groups been gone
        } catch {
          // another daemon's in it
        }
      }
    }
  });
});
