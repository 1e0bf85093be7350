// summon.test.ts: a SummonFront summons examples/http (and tcp-echo) on a TapPool tap in a namespace: cold, warm, idle stop, again; 20 held clients; failed starts; a guest killed mid-transfer; half-close and big transfers intact.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIG, makeSite, type Site, sha256 } from '../../helpers/http-site.js';
import { canUseNetns, type Netns, type NsProcess, useNetns } from '../../helpers/netns.js';
import { example, ROOT } from '../../helpers/paths.js';
import { children } from '../../helpers/proc-state.js';
import { useScratch } from '../../helpers/scratch.js';

const DRIVER = join(ROOT, 'test', 'daemon', 'summon', 'driver.mjs');
const FRONT = 'http://127.0.0.1:8080';
const scratch = useScratch();
const netns = useNetns();
let site: Site;

beforeAll(() => {
  site = makeSite(scratch.dir);
}, 60_000);

type Event = { event: string } & Record<string, unknown>;

interface Driver {
  ns: Netns;
  proc: NsProcess;
  events(name?: string): Event[];
  /** Resolves with the `count`th event called `name`, once it has been printed. */
  waitEvent(name: string, count?: number, ms?: number): Promise<Event>;
}

async function startDriver(config: Record<string, unknown>): Promise<Driver> {
  const ns = netns();
  const full = {
    listen: 'tcp:8080',
    idleSeconds: 1,
    kernel: example('http'),
    image: site.image,
    port: 80,
    ...config,
  };
  const proc = ns.spawn(process.execPath, [DRIVER, ROOT, JSON.stringify(full)], 120_000);
  const events = (name?: string) =>
    proc
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Event)
      .filter((e) => name === undefined || e.event === name);
  const waitEvent = async (name: string, count = 1, ms = 15_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = events(name);
      const e = found[count - 1];
      if (e !== undefined) return e;
      if (Date.now() > deadline) {
        throw new Error(`no event ${name} #${count} in ${ms} ms; driver printed: ${proc.stdout()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await waitEvent('listening');
  return { ns, proc, events, waitEvent };
}

async function curl(d: Driver, path: string, extra: string[] = []) {
  return d.ns.run('curl', ['-sS', '--max-time', '30', ...extra, `${FRONT}${path}`], 60_000);
}

const file = (name: string) => site.files.get(name)?.toString() ?? '';

describe.runIf(canUseNetns)('summon http', () => {
  it('starts the guest on the first request, reuses it warm, stops it when idle, summons it again', async () => {
    // 2 s idle: the second request must come before it, even on a loaded machine.
    const d = await startDriver({ idleSeconds: 2 });
    // Nothing runs before the first connection: no engine template, no guest.
    expect(children(d.proc.pid)).toEqual([]);
    expect(d.events('summon')).toEqual([]);

    const first = await curl(d, '/index.html');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(file('index.html'));
    expect(await d.waitEvent('summon')).toMatchObject({ held: 1 });
    const ready = await d.waitEvent('ready');
    expect(ready).toMatchObject({ address: '10.213.0.2', port: 80, held: 1 });
    const pid = Number((await d.waitEvent('guest')).pid);
    expect(existsSync(`/proc/${pid}`)).toBe(true);

    // Warm: served by the same guest, no second summon.
    const second = await curl(d, '/notes.txt');
    expect(second.stdout).toBe(file('notes.txt'));
    expect(d.events('summon')).toHaveLength(1);
    expect(d.events('guest')).toHaveLength(1);
    expect(existsSync(`/proc/${pid}`)).toBe(true);

    // Idle for idleSeconds: stopped, and the process is gone.
    expect(await d.waitEvent('idle-stop')).toMatchObject({ idleSeconds: 2 });
    expect(await d.waitEvent('stopped')).toMatchObject({ pid });
    expect(existsSync(`/proc/${pid}`)).toBe(false);

    // The next request summons a new guest.
    const third = await curl(d, '/data.json');
    expect(third.stdout).toBe(file('data.json'));
    await d.waitEvent('summon', 2);
    const again = Number((await d.waitEvent('guest', 2)).pid);
    expect(again).not.toBe(pid);
    expect(existsSync(`/proc/${again}`)).toBe(true);
  });

  it('holds 20 clients arriving during a cold start and answers each', async () => {
    // A boot slowed by 500 ms makes sure all 20 arrive before the guest is ready.
    const d = await startDriver({ startDelayMs: 500 });
    const names = [...site.files.keys()].filter((n) => n !== BIG).slice(0, 10);
    const args = ['-sS', '--max-time', '30', '--parallel', '--parallel-immediate'];
    args.push('--parallel-max', '20');
    const wanted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const name = names[i % names.length] ?? 'index.html';
      wanted.push(name);
      args.push('-o', join(scratch.dir, `held-${i}`), `${FRONT}/${encodeURI(name)}`);
    }
    const r = await d.ns.run('curl', args, 60_000);
    expect(r.status, r.stderr).toBe(0);
    wanted.forEach((name, i) => {
      expect(readFileSync(join(scratch.dir, `held-${i}`), 'utf8'), name).toBe(file(name));
    });
    expect(d.events('summon')).toHaveLength(1);
    expect(await d.waitEvent('ready')).toMatchObject({ held: 20 });
  });

  it('closes the held clients when the guest fails to start, and tries again on the next', async () => {
    const d = await startDriver({
      plan: ['bad-arg', 'missing-kernel', 'wrong-port'],
      readyTimeoutMs: 1500,
    });
    // 1: the guest ends at once (an argument it refuses) before accepting anything.
    const one = await curl(d, '/index.html');
    expect(one.status).not.toBe(0);
    const ended = await d.waitEvent('failed', 1);
    expect(ended).toMatchObject({ phase: 'ready', held: 1 });
    expect(String(ended.reason)).toMatch(
      /^the guest ended while booting \(status 1: usage: http.nabla /,
    );
    await d.waitEvent('stopped', 1); // stop() released it

    // 2: start() itself throws (no such kernel): nothing to stop.
    const two = await curl(d, '/index.html');
    expect(two.status).not.toBe(0);
    const threw = await d.waitEvent('failed', 2);
    expect(threw).toMatchObject({ phase: 'start', held: 1 });
    expect(String(threw.reason)).toContain('http.nabla.missing');

    // 3: the guest runs but never accepts on the port: given up after readyTimeoutMs, stopped.
    const three = await curl(d, '/index.html');
    expect(three.status).not.toBe(0);
    const late = await d.waitEvent('failed', 3);
    expect(late).toMatchObject({ phase: 'ready', held: 1 });
    expect(String(late.reason)).toMatch(/10\.213\.0\.2:80 did not accept a connection within/);
    await d.waitEvent('stopped', 2);

    // 4: the next connection summons a guest that works.
    const four = await curl(d, '/index.html');
    expect(four.status, four.stderr).toBe(0);
    expect(four.stdout).toBe(file('index.html'));
    expect(d.events('summon')).toHaveLength(4);
  });

  it('resets open connections when the guest dies, and summons again on the next', async () => {
    const d = await startDriver({ idleSeconds: 30 });
    // A client with a small receive buffer reads part of the 10 MiB file, then waits while the
    // guest is killed, then reads on: it must see a reset, not a clean end of the answer.
    const script = `
import os, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.connect(('127.0.0.1', 8080))
s.sendall(b'GET /${BIG} HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n')
got = 0
while got < 100000:
    got += len(s.recv(65536))
print('reading', flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            print('eof', got, flush=True)
            break
        got += len(chunk)
except ConnectionResetError:
    print('reset', flush=True)
`;
    const flag = join(scratch.dir, 'guest-killed');
    const client = d.ns.spawn('python3', ['-c', script, flag], 60_000);
    await client.waitFor('reading\n');
    const pid = Number((await d.waitEvent('guest')).pid);
    process.kill(pid, 'SIGKILL');
    await d.waitEvent('exited');
    writeFileSync(flag, '');
    const cut = await client.exited;
    expect(cut.stdout, cut.stderr).toBe('reading\nreset\n');
    expect(await d.waitEvent('exited')).toMatchObject({ open: 1 });
    await d.waitEvent('stopped');

    const next = await curl(d, '/index.html');
    expect(next.stdout).toBe(file('index.html'));
    expect(Number((await d.waitEvent('guest', 2)).pid)).not.toBe(pid);
  });

  it('carries 10 MiB intact and answers requests sent before a half-close', async () => {
    const d = await startDriver({});
    const out = join(scratch.dir, 'big-through-front');
    const big = await curl(d, `/${BIG}`, ['-o', out]);
    expect(big.status, big.stderr).toBe(0);
    expect(sha256(readFileSync(out))).toBe(sha256(site.files.get(BIG) ?? Buffer.alloc(0)));

    // Two pipelined requests, then the client's FIN: the guest answers both, then closes.
    const script = `
import socket, sys
s = socket.create_connection(('127.0.0.1', 8080))
s.sendall(b'GET /notes.txt HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nGET /data.json HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n')
s.shutdown(socket.SHUT_WR)
s.settimeout(20)
data = b''
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.buffer.write(data)
`;
    const r = await d.ns.run('python3', ['-c', script], 60_000);
    expect(r.status, r.stderr).toBe(0);
    const bodies = r.stdout.split('\r\n\r\n');
    expect(r.stdout.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(bodies[1]?.startsWith(file('notes.txt'))).toBe(true);
    expect(bodies[2]).toBe(file('data.json'));
  });
});

describe.runIf(canUseNetns)('summon tcp-echo', () => {
  it('echoes 4 MiB sent before a half-close, intact, both ways', async () => {
    const d = await startDriver({ kernel: example('tcp-echo'), image: undefined, port: 7 });
    const payload = randomBytes(4 << 20);
    const input = join(scratch.dir, 'echo-in');
    writeFileSync(input, payload);
    // Send everything while reading, then SHUT_WR; the echo's FIN ends the read.
    const script = `
import socket, sys, threading, hashlib
data = open(sys.argv[1], 'rb').read()
s = socket.create_connection(('127.0.0.1', 8080))
def send():
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
h = hashlib.sha256()
n = 0
s.settimeout(30)
while True:
    chunk = s.recv(262144)
    if not chunk:
        break
    h.update(chunk)
    n += len(chunk)
t.join()
print(n, h.hexdigest())
`;
    const r = await d.ns.run('python3', ['-c', script, input], 90_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(
      `${payload.length} ${createHash('sha256').update(payload).digest('hex')}`,
    );
  });
});
