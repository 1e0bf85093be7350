// scale.test.ts: 1,000 instances created, listed, stopped and removed through the API of a real daemon, leaving no descriptor or process behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchGuest } from '../../src/package/paths.js';
import {
  alive,
  children,
  type DaemonProcess,
  eventually,
  fdCount,
  startDaemon,
} from '../helpers/daemon.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const idle = benchGuest('idle'); // prints "ready", then waits an hour at a time
const N = 1000;
/** Requests in flight at once, as from a few busy clients. */
const CLIENTS = 16;
let daemon: DaemonProcess;

beforeAll(async () => {
  daemon = await startDaemon(scratch.dir);
});
afterAll(async () => {
  await daemon?.stop();
});

/** Runs `task(i)` for i in 0..n-1, `CLIENTS` at a time. */
async function pool(n: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

describe(`${N} instances through the API`, () => {
  it('are created, listed, stopped and removed with no descriptor or process left', async () => {
    // Warm up: the image's template starts with the first guest and stays (docs/start-engine.md).
    expect(
      (await daemon.api('POST', '/v1/instances', { name: 'warm', kernel: idle, memory: 8 })).status,
    ).toBe(201);
    expect((await daemon.api('DELETE', '/v1/instances/warm?force=true')).status).toBe(204);
    const fdsBefore = fdCount(daemon.pid);
    const childrenBefore = children(daemon.pid).sort();

    const name = (i: number) => `g${String(i).padStart(4, '0')}`;
    const pids: number[] = [];
    await pool(N, async (i) => {
      const r = await daemon.api('POST', '/v1/instances', {
        name: name(i),
        kernel: idle,
        memory: 8,
      });
      expect(r.status, r.text).toBe(201);
      pids.push(r.json.pid);
    });
    const list = (await daemon.api('GET', '/v1/instances')).json as Array<{
      name: string;
      state: string;
    }>;
    expect(list).toHaveLength(N);
    expect(list.every((i) => i.state === 'running')).toBe(true);
    expect(children(daemon.pid).length).toBe(childrenBefore.length + N);

    await pool(N, async (i) => {
      const r = await daemon.api('POST', `/v1/instances/${name(i)}/stop`);
      expect(r.json.state).toBe('stopped');
    });
    await pool(N, async (i) => {
      expect((await daemon.api('DELETE', `/v1/instances/${name(i)}`)).status).toBe(204);
    });
    expect((await daemon.api('GET', '/v1/instances')).json).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
    // The guests' pipes and pidfds are closed as their exits are read: back to where it began.
    // (At most: a client's idle keep-alive connection may have been open at the first count.)
    await eventually(() => fdCount(daemon.pid) <= fdsBefore, 10_000, 'descriptors to close');
    expect(fdCount(daemon.pid)).toBeGreaterThanOrEqual(fdsBefore - 2);
    expect(children(daemon.pid).sort()).toEqual(childrenBefore);
  }, 120_000);
});
