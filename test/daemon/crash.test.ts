// crash.test.ts: a daemon SIGKILLed in the middle of a burst of creates, then started again on the same state: every acknowledged instance runs again, no guest of the killed daemon survives, nothing is half made, and the console's last lines are kept.
import { existsSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { benchGuest } from '../../src/package/paths.js';
import { alive, api, children, eventually, startDaemon } from '../helpers/daemon.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const idle = benchGuest('idle');

/** Creates arrive from this many clients at once... */
const CLIENTS = 8;
/** ...until this many were acknowledged; then the daemon is killed. */
const KILL_AFTER = 40;

describe('a daemon killed and started again', () => {
  it('reconciles after SIGKILL in the middle of a burst of creates', async () => {
    const first = await startDaemon(scratch.dir);
    onTestFinished(() => first.stop('SIGKILL').then(() => {}));
    const acked = new Map<string, number>(); // name -> pid
    let next = 0;
    let killed = false;
    let guestsAtKill: number[] = [];
    const client = async () => {
      while (!killed) {
        const name = `burst-${next++}`;
        const r = await api(first.socket, 'POST', '/v1/instances', {
          name,
          kernel: idle,
          memory: 8,
        }).catch(
          () => undefined, // the daemon died with this request in flight
        );
        if (r?.status === 201) acked.set(name, r.json.pid);
        else if (r !== undefined) throw new Error(`${name}: ${r.status} ${r.text}`);
        if (acked.size >= KILL_AFTER && !killed) {
          killed = true;
          guestsAtKill = children(first.pid);
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    expect(await first.stop()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    // Every guest and template of the killed daemon dies with it (PR_SET_PDEATHSIG).
    expect(guestsAtKill.length).toBeGreaterThan(KILL_AFTER); // the guests, and the template
    // The snapshot and the kill are not one instant: the acknowledged guests are counted too.
    const doomed = [...new Set([...guestsAtKill, ...acked.values()])];
    await eventually(() => doomed.every((pid) => !alive(pid)), 10_000, 'the guests to die');
    expect(existsSync(first.socket)).toBe(true); // a stale socket file, left behind

    const second = await startDaemon(scratch.dir);
    try {
      const list = (await second.api('GET', '/v1/instances')).json as Array<{
        name: string;
        state: string;
        pid: number | null;
        config: { kernel: string; memory: number };
      }>;
      const byName = new Map(list.map((i) => [i.name, i]));
      for (const name of acked.keys()) expect(byName.has(name), name).toBe(true);
      // Also those recorded but not acknowledged: whole, and running like the others.
      for (const i of list) {
        expect(i.config, i.name).toMatchObject({ kernel: idle, memory: 8 });
        expect(i.state, i.name).toBe('running');
        expect(alive(i.pid as number), i.name).toBe(true);
        expect(doomed).not.toContain(i.pid);
      }
      expect(list.length).toBeLessThanOrEqual(next);
    } finally {
      await second.stop();
    }
  });

  it("keeps the console's last lines and the desired state across a SIGKILL", async () => {
    const dir = scratch.dir;
    const first = await startDaemon(dir, { stateDir: `${dir}/state2` });
    onTestFinished(() => first.stop('SIGKILL').then(() => {}));
    await first.api('POST', '/v1/instances', { name: 'kept', kernel: idle });
    await first.api('POST', '/v1/instances', { name: 'off', kernel: idle });
    await first.api('POST', '/v1/instances/off/stop');
    const readies = (text: string) => text.split('\n').filter((l) => l === 'ready').length;
    await eventually(
      async () => readies((await first.api('GET', '/v1/instances/kept/logs')).text) === 1,
    );
    await new Promise((r) => setTimeout(r, 300)); // past the log flush interval (50 ms here)
    await first.stop('SIGKILL');

    const second = await startDaemon(dir, { stateDir: `${dir}/state2` });
    try {
      const kept = await eventually(async () => {
        const logs = await second.api('GET', '/v1/instances/kept/logs');
        return readies(logs.text) === 2 ? logs : undefined; // the old run's line, then the new one's
      });
      expect(kept?.status).toBe(200);
      const off = (await second.api('GET', '/v1/instances/off')).json;
      expect(off).toMatchObject({ state: 'stopped', pid: null, exit: { status: 143 } });
    } finally {
      await second.stop();
    }
  });

  it('stops its guests at SIGTERM, removes its socket, exits 0, and starts them again next time', async () => {
    const dir = scratch.dir;
    const first = await startDaemon(dir, { stateDir: `${dir}/state3` });
    onTestFinished(() => first.stop('SIGKILL').then(() => {}));
    const pid = (await first.api('POST', '/v1/instances', { name: 'again', kernel: idle })).json
      .pid;
    const guests = children(first.pid);
    expect(await first.stop('SIGTERM'), first.stderr()).toEqual({ code: 0, signal: null });
    expect(existsSync(first.socket)).toBe(false);
    expect(first.stderr()).toMatch(/SIGTERM: stopping every guest\n.*stopped\n$/);
    // The guests were ended and reaped; the template follows its parent (PR_SET_PDEATHSIG).
    await eventually(() => guests.every((g) => !alive(g)), 5_000, 'the guests and template to end');

    const second = await startDaemon(dir, { stateDir: `${dir}/state3` });
    try {
      const i = (await second.api('GET', '/v1/instances/again')).json;
      expect(i.state).toBe('running');
      expect(i.pid).not.toBe(pid);
    } finally {
      await second.stop();
    }
  });

  it('refuses a second daemon on the same socket or the same state, in one line', async () => {
    const dir = scratch.dir;
    const first = await startDaemon(dir, { stateDir: `${dir}/state4` });
    try {
      const { spawnSync } = await import('node:child_process');
      const { NABLA } = await import('../helpers/paths.js');
      const sameSocket = spawnSync(
        process.execPath,
        [NABLA, 'daemon', '--socket', first.socket, '--state-dir', `${dir}/state5`],
        { encoding: 'utf8' },
      );
      expect(sameSocket.status).toBe(1);
      expect(sameSocket.stderr).toBe(
        `nabla daemon: another daemon is listening on ${first.socket} (stop it, or give --socket PATH)\n`,
      );
      const sameState = spawnSync(
        process.execPath,
        [NABLA, 'daemon', '--socket', `${dir}/other.sock`, '--state-dir', `${dir}/state4`],
        { encoding: 'utf8' },
      );
      expect(sameState.status).toBe(1);
      expect(sameState.stderr).toBe(
        `nabla daemon: ${dir}/state4: the state directory is in use by another nabla daemon\n`,
      );
      expect((await first.api('GET', '/v1/version')).status).toBe(200);
    } finally {
      await first.stop();
    }
  });
});
