// limits-hook.test.ts: the daemon's limits on a host with only cgroup v2: a limited create is refused with CGROUP and leaves nothing; an unlimited one runs.
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMINGS } from '../../../src/daemon/config.js';
import { cgroupLayout } from '../../../src/daemon/limits/index.js';
import { LimitsHook } from '../../../src/daemon/limits-hook.js';
import { Store } from '../../../src/daemon/store.js';
import { Supervisor } from '../../../src/daemon/supervisor.js';
import { eventually } from '../../helpers/daemon.js';
import { example } from '../../helpers/paths.js';
import { useScratch } from '../../helpers/scratch.js';

const scratch = useScratch();
const store = new Store(scratch.dir);
const supervisor = new Supervisor({ store, timings: DEFAULT_TIMINGS });
afterAll(async () => {
  await supervisor.close();
  store.close();
});

// The mountinfo and /proc/self/cgroup of a host with the unified hierarchy alone.
const v2Only = '30 23 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw';
let layoutAsked = 0;
const hook = new LimitsHook({
  parent: 'nabla/test',
  log: () => {},
  layout: () => {
    layoutAsked++;
    return cgroupLayout(v2Only, '0::/user.slice\n');
  },
});
supervisor.use(hook);

describe('daemon limits on a cgroup v2 host', () => {
  it('a create with limits is refused with CGROUP, nothing recorded; one without runs', async () => {
    await expect(
      supervisor.create(
        { name: 'limited', kernel: example('hello'), args: [], restart: 'no', limits: { pids: 1 } },
        true,
      ),
    ).rejects.toMatchObject({
      code: 'CGROUP',
      message:
        'limits need cgroup v1 hierarchies for the memory, cpu, cpuacct and pids controllers; this host has none for memory, cpu, cpuacct, pids (cgroup v2, the unified hierarchy, is not supported yet)',
    });
    expect(store.all()).toEqual([]);
    expect(supervisor.list()).toEqual([]);

    const asked = layoutAsked;
    const free = await supervisor.create(
      { name: 'free', kernel: example('hello'), args: ['hi'], restart: 'no' },
      true,
    );
    await eventually(() => free.state === 'exited');
    expect(free.toJSON().exit).toEqual({ status: 0, signal: null });
    // Its start never looked for the hierarchies: nothing about cgroups can stop it.
    expect(layoutAsked).toBe(asked);
    // And a sweep at the daemon's start finds nothing to do rather than failing.
    expect(await hook.sweep()).toEqual([]);
  });
});
