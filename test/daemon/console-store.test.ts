// console-store.test.ts: a console's lines in the database: a guest that floods its console leaves exactly its ring's last lines recorded, and a new supervisor on the same state reads them back.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { GuestHandle } from '../../src/api.js';
import { DEFAULT_TIMINGS } from '../../src/daemon/config.js';
import { RING_LINES } from '../../src/daemon/log-ring.js';
import { Store } from '../../src/daemon/store.js';
import { Supervisor } from '../../src/daemon/supervisor.js';
import type { GuestExit } from '../../src/launch/spawn.js';
import { example } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const LINES = 5 * RING_LINES + 7;

/** A guest as run() hands it back, whose console the test writes; it ends when told. */
function fakeGuest(): { handle: GuestHandle; stdout: PassThrough; end(exit: GuestExit): void } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let end!: (exit: GuestExit) => void;
  const exited = new Promise<GuestExit>((resolve) => {
    end = (exit) => {
      stdout.end();
      stderr.end();
      resolve(exit);
    };
  });
  const handle: GuestHandle = {
    pid: 999_999,
    exited,
    output: async () => ({ ...(await exited), stdout: '', stderr: '' }),
    kill: () => true,
    stdout,
    stderr,
    policy: [],
    filter: { bpf: Buffer.alloc(0), pfc: '' },
  };
  return { handle, stdout, end };
}

describe('the console in the database', () => {
  it(`keeps the last ${RING_LINES} of ${LINES} lines, across a new supervisor`, async () => {
    const guest = fakeGuest();
    const store = new Store(scratch.dir);
    const first = new Supervisor({ store, timings: DEFAULT_TIMINGS, start: () => guest.handle });
    await first.create({ name: 'loud', kernel: example('hello'), args: [], restart: 'no' }, true);
    const closed = new Promise((r) => guest.stdout.once('close', r));
    for (let i = 1; i <= LINES; i++) guest.stdout.write(`line ${i}\n`);
    guest.end({ status: 0, code: 0, signal: null, timedOut: false });
    await closed;
    await first.close();
    const expected = Array.from(
      { length: RING_LINES },
      (_, i) => `line ${LINES - RING_LINES + 1 + i}`,
    );
    expect(store.logs('loud', 10 * RING_LINES)).toEqual(expected);
    expect(store.lastSeq('loud')).toBe(LINES);
    store.close();

    const again = new Store(scratch.dir);
    const second = new Supervisor({
      store: again,
      timings: DEFAULT_TIMINGS,
      start: () => fakeGuest().handle,
    });
    await second.reconcile();
    const loud = second.get('loud');
    expect(loud.state).toBe('exited');
    expect(loud.ring.tail()).toEqual(expected);
    expect(loud.ring.lastSeq).toBe(LINES);
    await second.remove('loud', false);
    await second.close();
    expect(again.logs('loud', 10)).toEqual([]); // removed with its instance
    again.close();
  });
});
