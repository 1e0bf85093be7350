// hooks.test.ts: where limits and summoning plug in: each hook called at its step with what it needs, a stats collector merged, and a deferring hook's instance woken and put to sleep.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunOptions, StartOptions } from '../../src/api.js';
import { DEFAULT_TIMINGS } from '../../src/daemon/config.js';
import type { InstanceView } from '../../src/daemon/hooks.js';
import { Store } from '../../src/daemon/store.js';
import { Supervisor } from '../../src/daemon/supervisor.js';
import { NablaError } from '../../src/errors.js';
import { benchGuest } from '../../src/package/paths.js';
import { alive, eventually } from '../helpers/daemon.js';
import { example } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const store = new Store(scratch.dir);
const supervisor = new Supervisor({ store, timings: { ...DEFAULT_TIMINGS, stopTimeoutMs: 2000 } });
afterAll(async () => {
  await supervisor.close();
  store.close();
});

const calls: string[] = [];
const hows: StartOptions[] = [];
const summoned = new Set(['lazy']);
supervisor.use({
  created: (i) => void calls.push(`created ${i.name}`),
  defer: (i: InstanceView) => summoned.has(i.name) && i.config.summon !== undefined,
  beforeStart: (i, options: RunOptions, how) => {
    calls.push(`beforeStart ${i.name}`);
    hows.push(how);
    // As summoning's withTap does: other options, the instance's own left as they were.
    return { ...options, args: ['from-hook', ...(options.args ?? [])] };
  },
  afterStart: (i, pid) => void calls.push(`afterStart ${i.name} ${pid > 0}`),
  afterExit: (i, exit) => void calls.push(`afterExit ${i.name} ${exit.status}`),
  stopped: (i) => void calls.push(`stopped ${i.name}`),
  removed: (i) => void calls.push(`removed ${i.name}`),
});
supervisor.addStats((i, pid) => ({ plugin: { name: i.name, running: pid !== null } }));
// prepare: refuses names starting with "refused", and lets the create's checks see what it adds.
supervisor.use({
  prepare: (i, options) => {
    calls.push(`prepare ${i.name} ${i.desired}`);
    if (i.name.startsWith('refused'))
      throw new NablaError('refused by a plug-in', { code: 'CGROUP' });
    return i.name === 'checked' ? { ...options, kernel: '/no/such/kernel' } : undefined;
  },
  exitDetail: (i, exit) => (i.name === 'detail' ? { oomKilled: exit.status === 0 } : undefined),
});

describe('instance hooks', () => {
  it('are called at each step, and beforeStart may change the options', async () => {
    const base = { args: ['mine'], restart: 'no' as const };
    await supervisor.create({ name: 'seen', kernel: example('hello'), ...base }, true);
    await eventually(() => supervisor.get('seen').state === 'exited');
    expect(supervisor.get('seen').ring.tail()).toContain('Command line: from-hook mine');
    expect(hows).toEqual([{}]);
    await supervisor.stop('seen');
    await supervisor.remove('seen', false);
    expect(calls).toEqual([
      'prepare seen running',
      'created seen',
      'beforeStart seen',
      'afterStart seen true',
      'afterExit seen 0',
      'stopped seen',
      'removed seen',
    ]);
  });

  it('prepare refuses a create before anything is recorded, its removed releasing what it took; its options are what the checks see', async () => {
    calls.length = 0;
    const base = { kernel: example('hello'), args: [], restart: 'no' as const };
    await expect(supervisor.create({ name: 'refused', ...base }, false)).rejects.toThrow(
      'refused by a plug-in',
    );
    expect(calls).toEqual(['prepare refused stopped', 'removed refused']);
    await expect(supervisor.create({ name: 'checked', ...base }, true)).rejects.toMatchObject({
      code: 'KERNEL_OPEN',
    });
    expect(supervisor.list().map((i) => i.name)).not.toContain('refused');
    expect(supervisor.list().map((i) => i.name)).not.toContain('checked');
    expect(store.all().map((r) => r.name)).toEqual([]);
  });

  it("exitDetail's keys are recorded with the exit", async () => {
    const i = await supervisor.create(
      { name: 'detail', kernel: example('hello'), args: [], restart: 'no' },
      true,
    );
    await eventually(() => i.state === 'exited');
    expect(i.toJSON().exit).toEqual({ status: 0, signal: null, oomKilled: true });
    expect(store.all().find((r) => r.name === 'detail')?.exit).toEqual(i.toJSON().exit);
    await supervisor.remove('detail', false);
  });

  it("merges a collector's figures into the stats", async () => {
    const i = await supervisor.create(
      { name: 'figures', kernel: benchGuest('idle'), args: [], restart: 'no' },
      true,
    );
    expect(await supervisor.stats('figures')).toMatchObject({
      name: 'figures',
      pid: i.pid,
      plugin: { name: 'figures', running: true },
    });
    await supervisor.remove('figures', true);
  });

  it('leaves a deferred instance summonable; wake starts it, sleep ends it, its own exit returns it', async () => {
    const summon = {
      listen: 'tcp:127.0.0.1:0',
      idleSeconds: 1,
      port: 80,
    };
    const lazy = await supervisor.create(
      { name: 'lazy', kernel: benchGuest('idle'), args: [], restart: 'always', summon },
      true,
    );
    expect(lazy.toJSON()).toMatchObject({ state: 'summonable', pid: null });
    const handle = await supervisor.wake('lazy');
    expect(lazy.toJSON()).toMatchObject({ state: 'running', pid: handle.pid });
    expect(await supervisor.wake('lazy')).toBe(handle); // awake already: the same guest
    await supervisor.sleep('lazy');
    expect(alive(handle.pid)).toBe(false);
    expect(lazy.toJSON()).toMatchObject({ state: 'summonable', pid: null, restarts: 0 });
    expect(lazy.desired).toBe('running');
    const again = await supervisor.wake('lazy');
    again.kill('SIGKILL'); // ends by itself, as far as the daemon knows: no restart, summonable
    await eventually(() => lazy.state === 'summonable');
    expect(lazy.toJSON().restarts).toBe(0);
    await supervisor.stop('lazy');
    expect(lazy.toJSON().state).toBe('stopped');
    await supervisor.start('lazy'); // a user's start re-arms it
    expect(lazy.toJSON().state).toBe('summonable');
    await supervisor.remove('lazy', false);
  });
});
