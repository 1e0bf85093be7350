// api.test.ts: the daemon's API on a real daemon and socket: create, list, inspect, stop, start, remove; bad requests and what they leave; logs, follow, events, stats.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchGuest } from '../../src/package/paths.js';
import {
  alive,
  type DaemonProcess,
  eventually,
  openStream,
  startDaemon,
} from '../helpers/daemon.js';
import { example, guest } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const idle = benchGuest('idle');
const hello = example('hello');
let daemon: DaemonProcess;

beforeAll(async () => {
  daemon = await startDaemon(scratch.dir);
});
afterAll(async () => {
  await daemon?.stop();
});

const names = async () =>
  ((await daemon.api('GET', '/v1/instances')).json as Array<{ name: string }>).map((i) => i.name);

describe('the daemon API', () => {
  it('answers its version over the socket (mode 0600 without --group)', async () => {
    const r = await daemon.api('GET', '/v1/version');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/), api: 'v1' });
  });

  it('creates, lists, inspects, stops, starts and removes an instance', async () => {
    const created = await daemon.api('POST', '/v1/instances', {
      name: 'web',
      kernel: idle,
      memory: 32,
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'web',
      state: 'running',
      exit: null,
      restarts: 0,
      config: { name: 'web', kernel: idle, memory: 32, args: [], restart: 'no' },
    });
    const pid = created.json.pid as number;
    expect(alive(pid)).toBe(true);
    expect(await names()).toContain('web');

    const inspected = await daemon.api('GET', '/v1/instances/web');
    expect(inspected.json).toMatchObject({ name: 'web', state: 'running', pid });
    expect(Date.parse(inspected.json.startedAt)).toBeGreaterThan(0);

    const stopped = await daemon.api('POST', '/v1/instances/web/stop?timeout=5');
    expect(stopped.status).toBe(200);
    expect(stopped.json).toMatchObject({
      state: 'stopped',
      pid: null,
      exit: { status: 143, signal: 'SIGTERM' },
    }); // 128 + SIGTERM
    expect(alive(pid)).toBe(false);

    const started = await daemon.api('POST', '/v1/instances/web/start');
    expect(started.json).toMatchObject({ state: 'running' });
    const again = await daemon.api('POST', '/v1/instances/web/start');
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('INSTANCE_STATE');

    const refused = await daemon.api('DELETE', '/v1/instances/web');
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('INSTANCE_STATE');
    const removed = await daemon.api('DELETE', '/v1/instances/web?force=true');
    expect(removed.status).toBe(204);
    expect(alive(started.json.pid)).toBe(false);
    expect((await daemon.api('GET', '/v1/instances/web')).status).toBe(404);
  });

  it('records without starting when start is false', async () => {
    const r = await daemon.api('POST', '/v1/instances', {
      name: 'later',
      kernel: idle,
      start: false,
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ state: 'created', pid: null });
    expect((await daemon.api('DELETE', '/v1/instances/later')).status).toBe(204);
  });

  it.each([
    [{ kernel: idle }, 'Invalid body: name: required'],
    [{ name: 'Web', kernel: idle }, 'Invalid body: name: expected ^[a-z0-9][a-z0-9_.-]{0,62}$'],
    [{ name: 'w', kernel: 'idle.nabla' }, 'Invalid body: kernel: expected an absolute path'],
    [
      { name: 'w', kernel: idle, memory: 'lots' },
      'Invalid body: memory: expected number, received string',
    ],
    [
      { name: 'w', kernel: idle, limits: { cpu: 0 } },
      'Invalid body: limits.cpu: Too small: expected number to be >0',
    ],
    [
      { name: 'w', kernel: idle, args: ['a', 1] },
      'Invalid body: args[1]: expected string, received number',
    ],
    [{ name: 'w', kernel: idle, restart: 'sometimes' }, /^Invalid body: restart: /],
    [{ name: 'w', kernel: idle, colour: 'red' }, 'Invalid body: colour: unknown field'],
    ['{"name": ', 'Invalid body: not JSON'],
  ])(
    'refuses %j with 400 REQUEST_INVALID naming the field, recording nothing',
    async (body, message) => {
      const r = await daemon.api('POST', '/v1/instances', body);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('REQUEST_INVALID');
      if (typeof message === 'string') expect(r.json.error.message).toBe(message);
      else expect(r.json.error.message).toMatch(message);
      expect(await names()).not.toContain('w');
    },
  );

  it('refuses a bad query with 400, an unknown instance with 404, an unknown route with 404', async () => {
    await daemon.api('POST', '/v1/instances', { name: 'q', kernel: idle, start: false });
    const badQuery = await daemon.api('GET', '/v1/instances/q/logs?tail=ten');
    expect(badQuery.status).toBe(400);
    expect(badQuery.json.error).toEqual({
      code: 'REQUEST_INVALID',
      message: 'Invalid query: tail: expected a whole number',
    });
    const unknownQuery = await daemon.api('DELETE', '/v1/instances/q?forse=true');
    expect(unknownQuery.json.error.message).toBe('Invalid query: forse: unknown field');
    for (const [method, path] of [
      ['GET', '/v1/instances/nope'],
      ['POST', '/v1/instances/nope/stop'],
      ['DELETE', '/v1/instances/nope'],
      ['GET', '/v1/instances/nope/logs'],
      ['GET', '/v1/instances/nope/stats'],
    ] as const) {
      const r = await daemon.api(method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.json.error).toEqual({
        code: 'INSTANCE_NOT_FOUND',
        message: 'nope: no such instance',
      });
    }
    const route = await daemon.api('GET', '/v2/instances');
    expect(route.status).toBe(404);
    expect(route.json.error.code).toBe('ROUTE_UNKNOWN');
    const malformed = await daemon.api('GET', '/v1/instances/%E0%A4%A');
    expect(malformed.status).toBe(404);
    expect(malformed.json.error.code).toBe('ROUTE_UNKNOWN');
    await daemon.api('DELETE', '/v1/instances/q');
  });

  it('refuses a name in use with 409', async () => {
    await daemon.api('POST', '/v1/instances', { name: 'twice', kernel: idle, start: false });
    const r = await daemon.api('POST', '/v1/instances', { name: 'twice', kernel: hello });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('INSTANCE_EXISTS');
    expect((await daemon.api('GET', '/v1/instances/twice')).json.config.kernel).toBe(idle);
    await daemon.api('DELETE', '/v1/instances/twice');
  });

  it.each([
    ['not an ELF file', '/etc/passwd', 'ELF_INVALID'],
    ['a missing file', '/nonexistent/app.nabla', 'KERNEL_OPEN'],
    ['a unikernel whose block device is not attached', example('blk'), 'DEVICE_NOT_ATTACHED'],
  ])('refuses %s with 422 and its code, recording nothing', async (_what, kernel, code) => {
    const r = await daemon.api('POST', '/v1/instances', { name: 'badkernel', kernel });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe(code);
    expect(await names()).not.toContain('badkernel');
    // Nothing half-made either: the name is free for a good kernel.
    const ok = await daemon.api('POST', '/v1/instances', {
      name: 'badkernel',
      kernel: idle,
      start: false,
    });
    expect(ok.status).toBe(201);
    await daemon.api('DELETE', '/v1/instances/badkernel');
  });

  it('keeps the console: logs, tail, and follow until the instance is removed', async () => {
    await daemon.api('POST', '/v1/instances', {
      name: 'talk',
      kernel: hello,
      args: ['one', 'two'],
    });
    await eventually(
      async () => (await daemon.api('GET', '/v1/instances/talk')).json.state === 'exited',
    );
    const logs = await daemon.api('GET', '/v1/instances/talk/logs');
    expect(logs.status).toBe(200);
    expect(logs.type).toMatch(/^text\/plain/);
    expect(logs.text).toContain('Hello, world!\nCommand line: one two\n');
    const tail = await daemon.api('GET', '/v1/instances/talk/logs?tail=1');
    expect(tail.text).toBe('Solo5: solo5_exit(0) called\n');

    const follow = await openStream(daemon.socket, '/v1/instances/talk/logs?follow=true&tail=1');
    await follow.until((t) => t.includes('solo5_exit(0)'));
    await daemon.api('POST', '/v1/instances/talk/start');
    await follow.until((t) => t.includes('Command line: one two'));
    // It may still be running (it printed, but has not exited yet): force.
    expect((await daemon.api('DELETE', '/v1/instances/talk?force=true')).status).toBe(204);
    await follow.ended; // removed: the stream ends
  });

  it('streams events as NDJSON', async () => {
    const events = await openStream(daemon.socket, '/v1/events');
    await daemon.api('POST', '/v1/instances', { name: 'ev', kernel: idle });
    await daemon.api('POST', '/v1/instances/ev/stop');
    await daemon.api('DELETE', '/v1/instances/ev');
    const text = await events.until((t) => t.includes('"remove"'));
    const seen = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.instance === 'ev');
    expect(seen.map((e) => e.type)).toEqual(['create', 'start', 'exit', 'stop', 'remove']);
    expect(seen[1]).toMatchObject({ pid: expect.any(Number) });
    expect(seen[2]).toMatchObject({ status: 143, signal: 'SIGTERM' });
    for (const e of seen) expect(Date.parse(e.time)).toBeGreaterThan(0);
    events.close();
  });

  it("reads a running guest's CPU time and memory; null figures when it does not run", async () => {
    const r = await daemon.api('POST', '/v1/instances', { name: 'st', kernel: idle });
    const stats = await daemon.api('GET', '/v1/instances/st/stats');
    expect(stats.json).toMatchObject({
      name: 'st',
      pid: r.json.pid,
      cpu: { userSeconds: expect.any(Number), systemSeconds: expect.any(Number) },
      memory: { rssBytes: expect.any(Number) },
    });
    expect(stats.json.memory.rssBytes).toBeGreaterThan(4096);
    // Root reads a guest's smaps_rollup; another user gets RSS from /proc/PID/stat and no PSS.
    if (process.getuid?.() === 0) expect(stats.json.memory.pssBytes).toBeGreaterThan(0);
    else expect(stats.json.memory.pssBytes).toBeNull();
    await daemon.api('POST', '/v1/instances/st/stop');
    const none = await daemon.api('GET', '/v1/instances/st/stats');
    expect(none.json).toEqual({
      name: 'st',
      pid: null,
      cpu: null,
      memory: null,
      io: null,
      net: null,
      cgroup: null, // no limits
    });
    await daemon.api('DELETE', '/v1/instances/st');
  });

  it('takes curl --unix-socket, as documented', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      'curl',
      ['-s', '--unix-socket', daemon.socket, 'http://nabla/v1/version'],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out).api).toBe('v1');
  });

  it('runs a test guest that exits 1 and records its status', async () => {
    await daemon.api('POST', '/v1/instances', { name: 'fails', kernel: guest('exit1') });
    const r = await eventually(async () => {
      const i = (await daemon.api('GET', '/v1/instances/fails')).json;
      return i.state === 'exited' ? i : undefined;
    });
    expect(r.exit).toEqual({ status: 1, signal: null });
    expect(r.restarts).toBe(0);
    await daemon.api('DELETE', '/v1/instances/fails');
    expect(existsSync(daemon.socket)).toBe(true);
  });
});
