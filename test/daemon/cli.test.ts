// cli.test.ts: the verbs that talk to the daemon (up, ps, logs, stop, rm, stats, events) against a real daemon, and their one line when no daemon listens.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchGuest } from '../../src/package/paths.js';
import { type DaemonProcess, eventually, startDaemon } from '../helpers/daemon.js';
import { example, NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
let daemon: DaemonProcess;

beforeAll(async () => {
  daemon = await startDaemon(scratch.dir);
});
afterAll(async () => {
  await daemon?.stop();
});

/** `nabla WORDS --socket S` (the socket option after the verb), run to its end. */
function nabla(words: string[], socket = daemon.socket) {
  const [verb, ...rest] = words;
  const args =
    verb === 'up'
      ? [verb, `--socket=${socket}`, ...rest]
      : [verb as string, '--socket', socket, ...rest];
  return spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', cwd: scratch.dir });
}

describe('the daemon verbs', () => {
  it('up creates and starts; ps lists; stats measures; stop and rm end it', async () => {
    const up = nabla([
      'up',
      '--mem=16',
      '--restart=on-failure',
      '--memory-limit=64M',
      '--cpus=0.5',
      '--pids-limit=2',
      'idle',
      benchGuest('idle'),
    ]);
    expect(up.stderr).toBe('');
    expect(up.stdout).toMatch(/^idle running \(pid \d+\)\n$/);
    const ps = nabla(['ps']);
    expect(ps.status).toBe(0);
    expect(ps.stdout.split('\n')[0]).toMatch(
      /^\| NAME +\| STATE +\| PID +\| RESTARTS \| EXIT \| KERNEL +\|$/,
    );
    expect(ps.stdout).toMatch(/\| idle +\| running \| \d+ +\| 0 +\| — +\| .*idle\.nabla \|/);
    const json = JSON.parse(nabla(['ps', '--json']).stdout);
    expect(json[0].config).toEqual({
      name: 'idle',
      kernel: benchGuest('idle'),
      args: [],
      memory: 16,
      restart: 'on-failure',
      limits: { memory: 64 * 2 ** 20, cpu: 0.5, pids: 2 },
    });
    const stats = nabla(['stats']);
    expect(stats.stdout).toMatch(
      /\| idle +\| \d+ +\| \d+\.\d\d +\| \d+\.\d\d +\| \d+ KiB \| \d+ KiB \|/,
    );
    // The limits reached the daemon and were applied: its groups' figures say so.
    expect(JSON.parse(nabla(['stats', '--json', 'idle']).stdout)).toMatchObject({
      name: 'idle',
      cpu: { userSeconds: expect.any(Number) },
      cgroup: {
        memory: { limitBytes: 64 * 2 ** 20 },
        cpu: { quotaUs: 50_000 },
        pids: { max: 2, current: 1 },
      },
    });
    expect(nabla(['stop', '--timeout', '2', 'idle']).stdout).toBe('idle stopped\n');
    expect(nabla(['rm', 'idle']).stdout).toBe('idle\n');
    expect(JSON.parse(nabla(['ps', '--json']).stdout)).toEqual([]);
  });

  it('up takes relative paths, devices and guest arguments after KERNEL, -- included', async () => {
    const r = nabla(['up', '--no-start', 'args', example('hello'), '--', '--not-an-option', 'x']);
    expect(r.stdout).toBe('args created\n');
    const i = JSON.parse(nabla(['ps', '--json']).stdout)[0];
    expect(i.config.args).toEqual(['--not-an-option', 'x']);
    expect(nabla(['rm', 'args']).status).toBe(0);
    const blk = nabla(['up', '--block:storage=disk.img', 'blk', example('blk')]);
    expect(blk.status).toBe(1);
    expect(blk.stderr).toBe(
      `nabla up: Could not open block device: ${join(scratch.dir, 'disk.img')}: No such file or directory\n`,
    );
  });

  it('logs prints the console, -f follows it, --tail cuts it', async () => {
    nabla(['up', 'hello', example('hello'), 'one']);
    await eventually(() => nabla(['logs', 'hello']).stdout.includes('solo5_exit(0)'));
    expect(nabla(['logs', '--tail', '2', 'hello']).stdout).toBe(
      'Command line: one\nSolo5: solo5_exit(0) called\n',
    );
    const follow = spawn(process.execPath, [
      NABLA,
      'logs',
      '-f',
      '--tail',
      '1',
      '--socket',
      daemon.socket,
      'hello',
    ]);
    let out = '';
    follow.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    await eventually(() => out.includes('solo5_exit(0)'));
    await eventually(
      async () => (await daemon.api('GET', '/v1/instances/hello')).json.state === 'exited',
    );
    nabla(['rm', 'hello']);
    const status = await new Promise((r) => follow.once('exit', r));
    expect(status).toBe(0); // the instance was removed: the stream ended
    expect(out).toBe('Solo5: solo5_exit(0) called\n');
  });

  it('events prints what happens, in text and as JSON', async () => {
    const text = spawn(process.execPath, [NABLA, 'events', '--socket', daemon.socket]);
    const json = spawn(process.execPath, [NABLA, 'events', '--json', '--socket', daemon.socket]);
    let t = '';
    let j = '';
    text.stdout.setEncoding('utf8').on('data', (c: string) => {
      t += c;
    });
    json.stdout.setEncoding('utf8').on('data', (c: string) => {
      j += c;
    });
    // Both are subscribed once both have seen an event: probe until they have (a fixed wait
    // was too short on a loaded CI machine), then start from empty.
    for (let i = 0; !(t.includes('remove probe') && j.includes('"remove"')); i++) {
      expect(i).toBeLessThan(100);
      nabla(['up', '--no-start', 'probe', example('hello')]);
      nabla(['rm', 'probe']);
      await new Promise((r) => setTimeout(r, 100));
    }
    t = '';
    j = '';
    nabla(['up', '--no-start', 'ev', example('hello')]);
    nabla(['rm', 'ev']);
    await eventually(() => t.includes(' remove ev') && j.includes('"remove"'));
    text.kill();
    json.kill();
    expect(t).toMatch(/^\d{4}-\d\d-\d\dT\S+ create ev\n\S+ remove ev\n$/);
    expect(
      j
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['create', 'remove']);
  });

  it("reports the daemon's errors in one line with their code", () => {
    const missing = nabla(['stop', 'nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('nabla stop: nope: no such instance\n');
    const json = nabla(['stats', '--json', 'nope']);
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: 'INSTANCE_NOT_FOUND', message: 'nope: no such instance', exitCode: 1 },
    });
    const bad = nabla(['up', 'Bad', example('hello')]);
    expect(bad.stderr).toBe('nabla up: Invalid body: name: expected ^[a-z0-9][a-z0-9_.-]{0,62}$\n');
    const opt = nabla(['up', '--restart=sometimes', 'x', example('hello')]);
    expect(opt.stderr).toBe(
      'nabla up: Expected no, on-failure or always for --restart but received "sometimes"\nRun `nabla up --help` for usage.\n',
    );
  });

  it.each(['ps', 'logs x', 'stop x', 'rm x', 'stats', 'events', 'up x /k'])(
    '%s with no daemon listening: one line, status 1',
    (words) => {
      const socket = join(scratch.dir, 'nobody-here.sock');
      const r = nabla(words.split(' '), socket);
      expect(r.status).toBe(1);
      const verb = words.split(' ')[0];
      expect(r.stderr).toBe(
        `nabla ${verb}: no daemon is listening on ${socket} (start one with: nabla daemon)\n`,
      );
      expect(r.stdout).toBe('');
    },
  );
});
