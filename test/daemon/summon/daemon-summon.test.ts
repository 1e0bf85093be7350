// daemon-summon.test.ts: summoning through a real daemon in a private network namespace: no guest before the first request, summoned, idle-stopped, summoned again; events; no tap or listener left after remove and SIGTERM; a SIGKILLed daemon's tap swept by the next.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alive,
  api,
  children,
  eventually,
  openStream,
  TEST_TIMINGS,
} from '../../helpers/daemon.js';
import { makeSite, type Site } from '../../helpers/http-site.js';
import { canUseNetns, type Netns, type NsProcess, useNetns } from '../../helpers/netns.js';
import { example, NABLA } from '../../helpers/paths.js';
import { useScratch } from '../../helpers/scratch.js';

const scratch = useScratch();
const netns = useNetns();
const FRONT = 'http://127.0.0.1:8080';
let site: Site;

beforeAll(() => {
  site = makeSite(scratch.dir, false);
}, 60_000);

interface NsDaemon {
  ns: Netns;
  proc: NsProcess;
  socket: string;
  call: (method: string, path: string, body?: unknown) => ReturnType<typeof api>;
}

/** `nabla daemon` run inside a namespace of its own (its taps and listeners are made there). */
async function startNsDaemon(name: string): Promise<NsDaemon> {
  const ns = netns();
  const dir = join(scratch.dir, name);
  const socket = join(dir, 'nabla.sock');
  const proc = ns.spawn(
    'env',
    [
      `NABLA_DAEMON_TIMINGS=${JSON.stringify(TEST_TIMINGS)}`,
      process.execPath,
      NABLA,
      'daemon',
      '--socket',
      socket,
      '--state-dir',
      join(dir, 'state'),
    ],
    120_000,
  );
  const call = (method: string, path: string, body?: unknown) => api(socket, method, path, body);
  await answering(call, 'the daemon answering');
  return { ns, proc, socket, call };
}

/** Waits until a daemon answers on `call`'s socket. */
const answering = (call: NsDaemon['call'], what: string) =>
  eventually(
    () =>
      call('GET', '/v1/version').then(
        (a) => a.status === 200,
        () => false,
      ),
    30_000,
    what,
  );

/** Another daemon on `d`'s socket and namespace with the state directory `state`, once it answers. */
async function nextDaemon(d: NsDaemon, state: string, what: string) {
  const proc = d.ns.spawn(process.execPath, [
    NABLA,
    'daemon',
    '--socket',
    d.socket,
    '--state-dir',
    state,
  ]);
  await answering(d.call, what);
  return proc;
}

const curl = (d: NsDaemon, path: string) =>
  d.ns.run('curl', ['-sS', '--max-time', '20', `${FRONT}${path}`], 30_000);
/** The namespace's interfaces' names. */
const links = (d: NsDaemon) =>
  (JSON.parse(d.ns.execSync('ip', ['-j', 'link', 'show'])) as Array<{ ifname: string }>).map(
    (l) => l.ifname,
  );
/** Listening TCP sockets in the namespace, as `ADDRESS:PORT`. */
const listeners = (d: NsDaemon) =>
  d.ns
    .execSync('ss', ['-Hltn'])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/)[3]);
const file = (name: string) => site.files.get(name)?.toString() ?? '';

const create = {
  name: 'site',
  kernel: example('http'),
  block: { storage: '' },
  summon: { listen: 'tcp:127.0.0.1:8080', port: 80, idleSeconds: 1 },
};

describe.runIf(canUseNetns)('daemon summon http', () => {
  it('no guest before the first request; summoned, idle-stopped, summoned again; removed without a trace', async () => {
    const d = await startNsDaemon('cycle');
    const events = await openStream(d.socket, '/v1/events');
    const made = await d.call('POST', '/v1/instances', {
      ...create,
      block: { storage: site.image },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.json).toMatchObject({ state: 'summonable', pid: null });
    // Nothing runs: no engine template, no guest; the front listens, the tap is there.
    expect(children(d.proc.pid)).toEqual([]);
    expect(listeners(d)).toContain('127.0.0.1:8080');
    const tap = links(d).find((l) => l.startsWith('nbl'));
    expect(tap).toBeDefined();
    // A second instance on the same address: refused, and neither it nor a tap is left.
    const taken = await d.call('POST', '/v1/instances', {
      ...create,
      name: 'twin',
      block: { storage: site.image },
    });
    expect(taken.status).toBe(409);
    expect(taken.json.error).toEqual({
      code: 'EADDRINUSE',
      message: 'cannot listen on tcp:127.0.0.1:8080: EADDRINUSE',
    });
    expect((await d.call('GET', '/v1/instances/twin')).status).toBe(404);
    expect(links(d).filter((l) => l.startsWith('nbl'))).toEqual([tap]);

    const first = await curl(d, '/index.html');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(file('index.html'));
    const running = (await d.call('GET', '/v1/instances/site')).json;
    expect(running.state).toBe('running');
    const pid = running.pid as number;
    expect(alive(pid)).toBe(true);
    const stats = (await d.call('GET', '/v1/instances/site/stats')).json;
    expect(stats.pid).toBe(pid);
    expect(stats.net[tap as string].rxPackets).toBeGreaterThan(0); // the request, delivered

    // Idle for a second: the guest is stopped and gone; the instance waits again.
    await events.until((t) => t.includes('"idle-stop"'));
    await eventually(
      async () => (await d.call('GET', '/v1/instances/site')).json.state === 'summonable',
      5_000,
      'summonable again',
    );
    expect((await d.call('GET', '/v1/instances/site')).json.pid).toBeNull();
    expect(alive(pid)).toBe(false);

    const second = await curl(d, '/notes.txt');
    expect(second.stdout).toBe(file('notes.txt'));
    const again = (await d.call('GET', '/v1/instances/site')).json;
    expect(again.state).toBe('running');
    expect(again.pid).not.toBe(pid);

    const seen = events
      .text()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; instance: string } & Record<string, unknown>)
      .filter((e) => e.instance === 'site');
    const types = seen.map((e) => e.type);
    expect(types.filter((t) => t === 'summon')).toHaveLength(2);
    expect(types.filter((t) => t === 'ready')).toHaveLength(2);
    expect(types.slice(0, 5)).toEqual(['create', 'summon', 'start', 'ready', 'idle-stop']);
    const ready = seen.find((e) => e.type === 'ready');
    expect(ready).toMatchObject({ address: '10.213.0.2', port: 80, held: 1 });
    expect(typeof ready?.bootMs).toBe('number');
    expect(seen.find((e) => e.type === 'idle-stop')).toMatchObject({ idleSeconds: 1 });
    events.close();

    // Removed (its guest running): no tap, no listener, no guest.
    const guestNow = again.pid as number;
    expect((await d.call('DELETE', '/v1/instances/site?force=true')).status).toBe(204);
    expect(alive(guestNow)).toBe(false);
    expect(links(d)).not.toContain(tap);
    expect(listeners(d)).not.toContain('127.0.0.1:8080');
    const refused = await curl(d, '/index.html');
    expect(refused.status).toBe(7); // curl: could not connect
  }, 60_000);

  it('a stop closes the front and a start opens it; SIGTERM leaves no tap, and the next daemon listens again', async () => {
    const d = await startNsDaemon('restart');
    // Made by `nabla up`, whose options become the same summon settings.
    const up = spawnSync(
      process.execPath,
      [
        NABLA,
        'up',
        `--socket=${d.socket}`,
        '--summon=tcp:127.0.0.1:8080',
        '--summon-port=80',
        '--idle=1',
        `--block:storage=${site.image}`,
        'site',
        example('http'),
      ],
      { encoding: 'utf8' },
    );
    expect(up.stderr).toBe('');
    expect(up.stdout).toBe('site summonable\n');
    expect((await d.call('GET', '/v1/instances/site')).json.config.summon).toEqual(create.summon);
    expect((await d.call('POST', '/v1/instances/site/stop')).json.state).toBe('stopped');
    expect(listeners(d)).not.toContain('127.0.0.1:8080');
    expect((await curl(d, '/index.html')).status).toBe(7);
    expect((await d.call('POST', '/v1/instances/site/start')).json.state).toBe('summonable');
    await eventually(() => listeners(d).includes('127.0.0.1:8080'), 5_000, 'listening again');
    expect((await curl(d, '/index.html')).stdout).toBe(file('index.html'));
    const pid = (await d.call('GET', '/v1/instances/site')).json.pid as number;
    expect(alive(pid)).toBe(true);

    process.kill(d.proc.pid, 'SIGTERM');
    expect((await d.proc.exited).status).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(links(d).filter((l) => l.startsWith('nbl'))).toEqual([]);
    expect(listeners(d)).toEqual([]);

    // Same state directory, same namespace: summonable again, and a request summons it.
    const dir = join(scratch.dir, 'restart');
    const next = await nextDaemon(d, join(dir, 'state'), 'the next daemon answering');
    expect((await d.call('GET', '/v1/instances/site')).json.state).toBe('summonable');
    await eventually(() => listeners(d).includes('127.0.0.1:8080'), 5_000, 'listening');
    expect((await curl(d, '/notes.txt')).stdout).toBe(file('notes.txt'));
    // SIGKILL: its guest dies with it, its tap stays (taps persist) until the next daemon on
    // the same state directory sweeps it and makes the instance's tap again.
    const guestPid = (await d.call('GET', '/v1/instances/site')).json.pid as number;
    process.kill(next.pid, 'SIGKILL');
    await next.exited;
    await eventually(() => !alive(guestPid), 5_000, 'the guest gone with its daemon');
    expect(links(d).filter((l) => l.startsWith('nbl'))).toHaveLength(1);
    const third = await nextDaemon(d, join(dir, 'state'), 'the third daemon answering');
    expect(links(d).filter((l) => l.startsWith('nbl'))).toHaveLength(1);
    await eventually(() => listeners(d).includes('127.0.0.1:8080'), 5_000, 'listening');
    expect((await curl(d, '/data.json')).stdout).toBe(file('data.json'));
    process.kill(third.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    expect((await third.exited).status).toBe(0);
    expect(links(d).filter((l) => l.startsWith('nbl'))).toEqual([]);
  }, 60_000); // three daemons, each start paying for its engine template
});
