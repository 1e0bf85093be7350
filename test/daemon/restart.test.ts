// restart.test.ts: restart policies on a real daemon with short timings: on-failure restarts a guest that exits 1 with growing delays until a crash loop; exit 0 and `no` are not restarted; always is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DaemonProcess,
  eventually,
  openStream,
  startDaemon,
  TEST_TIMINGS,
} from '../helpers/daemon.js';
import { example, guest } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
let daemon: DaemonProcess;

beforeAll(async () => {
  daemon = await startDaemon(scratch.dir);
});
afterAll(async () => {
  await daemon?.stop();
});

const inspect = async (name: string) => (await daemon.api('GET', `/v1/instances/${name}`)).json;

describe('restart policies', () => {
  it('on-failure: a guest exiting 1 is restarted with doubling delays, then reported as a crash loop', async () => {
    const events = await openStream(daemon.socket, '/v1/events');
    await daemon.api('POST', '/v1/instances', {
      name: 'flaky',
      kernel: guest('exit1'),
      restart: 'on-failure',
    });
    const text = await events.until((t) => t.includes('"crash-loop"'));
    events.close();
    const mine = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.instance === 'flaky');
    const restarts = mine.filter((e) => e.type === 'restart');
    // crashLoopRestarts (3) restarts within the window are allowed; the exit after the 3rd is the loop.
    expect(restarts.map((e) => e.delayMs)).toEqual([20, 40, 80]);
    expect(restarts.map((e) => e.restarts)).toEqual([1, 2, 3]);
    expect(mine.filter((e) => e.type === 'exit').every((e) => e.status === 1)).toBe(true);
    expect(mine.filter((e) => e.type === 'crash-loop')).toHaveLength(1);
    // In the loop it is still restarted, at the longest delay; the state says so between runs.
    await eventually(async () => (await inspect('flaky')).state === 'crash-loop');
    const later = await eventually(async () => {
      const i = await inspect('flaky');
      return i.restarts >= 5 ? i : undefined;
    });
    expect(later.exit).toEqual({ status: 1, signal: null });
    const stopped = await daemon.api('POST', '/v1/instances/flaky/stop');
    expect(stopped.json.state).toBe('stopped');
    const count = (await inspect('flaky')).restarts;
    await new Promise((r) => setTimeout(r, (TEST_TIMINGS.backoffMaxMs ?? 200) * 2));
    expect((await inspect('flaky')).restarts).toBe(count); // a stop ends the restarts
    await daemon.api('DELETE', '/v1/instances/flaky');
  });

  it('on-failure: a guest exiting 0 is not restarted', async () => {
    await daemon.api('POST', '/v1/instances', {
      name: 'fine',
      kernel: example('hello'),
      restart: 'on-failure',
    });
    await eventually(async () => (await inspect('fine')).state === 'exited');
    await new Promise((r) => setTimeout(r, 100));
    expect(await inspect('fine')).toMatchObject({
      state: 'exited',
      restarts: 0,
      exit: { status: 0 },
    });
    await daemon.api('DELETE', '/v1/instances/fine');
  });

  it('no: a failing guest stays exited', async () => {
    await daemon.api('POST', '/v1/instances', { name: 'once', kernel: guest('exit1') });
    await eventually(async () => (await inspect('once')).state === 'exited');
    await new Promise((r) => setTimeout(r, 100));
    expect(await inspect('once')).toMatchObject({
      state: 'exited',
      restarts: 0,
      exit: { status: 1 },
    });
    await daemon.api('DELETE', '/v1/instances/once');
  });

  it('always: a guest exiting 0 is restarted too', async () => {
    await daemon.api('POST', '/v1/instances', {
      name: 'loop',
      kernel: example('hello'),
      restart: 'always',
    });
    const i = await eventually(async () => {
      const x = await inspect('loop');
      return x.restarts >= 2 ? x : undefined;
    });
    expect(i.exit).toEqual({ status: 0, signal: null });
    const logs = await daemon.api('GET', '/v1/instances/loop/logs');
    expect(logs.text.match(/Hello, world!/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    await daemon.api('DELETE', '/v1/instances/loop?force=true');
  });
});
