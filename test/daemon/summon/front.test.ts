// front.test.ts: SummonFront against loopback "guests" (plain TCP servers it starts and stops): held bytes, the held limit, readiness timeout, resets both ways, backpressure, a guest ending, idle stop, close, IPv6, a port in use.
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FailedEvent } from '../../../src/daemon/summon/events.js';
import { SummonFront, type SummonFrontOptions } from '../../../src/daemon/summon/front.js';
import { NablaError } from '../../../src/errors.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `ready()` holds (polling; 10 s at most, so a loaded machine only slows it). */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A loopback stand-in for a guest: an echo server (half-close aware), or one that calls `serve`. */
class FakeGuest {
  starts = 0;
  stops = 0;
  /** When stop() was last called (performance.now()). */
  stoppedAt = 0;
  /** start() waits for this first, when set: a boot that lasts until the test says. */
  gate: Promise<void> | undefined;
  server: Server | undefined;
  readonly sockets = new Set<Socket>();
  private ended: (() => void) | undefined;

  constructor(
    private readonly delayMs = 0,
    private readonly serve: (s: Socket) => void = (s) => s.pipe(s),
  ) {}

  start = async () => {
    this.starts++;
    await sleep(this.delayMs);
    await this.gate;
    const server = createServer({ allowHalfOpen: true }, (s) => {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => this.sockets.delete(s));
      this.serve(s);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    // What run()'s handle resolves with after a SIGKILL (a GuestExit).
    const exited = new Promise<object>((resolve) => {
      this.ended = () => resolve({ status: 137, code: null, signal: 'SIGKILL', timedOut: false });
    });
    return { address: '127.0.0.1', port: address.port, exited };
  };

  /** Ends the "guest": its listener and connections go (as a killed guest's stack would). */
  die() {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
    this.server = undefined;
    this.ended?.();
  }

  stop = async () => {
    this.stops++;
    this.stoppedAt = performance.now();
    this.die();
  };
}

const fronts: SummonFront[] = [];
afterEach(async () => {
  for (const f of fronts.splice(0)) await f.close();
});

async function front(
  guest: FakeGuest,
  extra: Partial<SummonFrontOptions> = {},
): Promise<{ f: SummonFront; port: number; events: Array<[string, unknown]> }> {
  const f = new SummonFront({
    listen: 'tcp:127.0.0.1:0',
    idleSeconds: 30,
    start: guest.start,
    stop: guest.stop,
    ...extra,
  });
  fronts.push(f);
  const events: Array<[string, unknown]> = [];
  for (const name of ['summon', 'ready', 'idle-stop', 'failed', 'exited'] as const) {
    f.on(name, (data: unknown) => events.push([name, data]));
  }
  const { port } = await f.listen();
  return { f, port, events };
}

/** Connects, sends `data` and half-closes; resolves with everything read, or the error's code. */
function exchange(port: number, data: Buffer | string, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ port, host, allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('end', () => resolve(Buffer.concat(got).toString()));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
    s.end(data);
  });
}

describe('SummonFront', () => {
  it('holds early bytes and a half-close until the guest is up, then carries them', async () => {
    const guest = new FakeGuest(300);
    const { f, port, events } = await front(guest);
    expect(f.state).toBe('waiting');
    const replies = await Promise.all(['one', 'two', 'three'].map((t) => exchange(port, t)));
    expect(replies).toEqual(['one', 'two', 'three']);
    expect(guest.starts).toBe(1);
    expect(events.map(([name]) => name)).toEqual(['summon', 'ready']);
    expect(events[1]?.[1]).toMatchObject({ held: 3, address: '127.0.0.1' });
    expect((events[1]?.[1] as { bootMs: number } | undefined)?.bootMs).toBeGreaterThanOrEqual(250);
  });

  it('resets connections past maxHeld while the guest boots', async () => {
    const guest = new FakeGuest();
    let boot = () => {};
    guest.gate = new Promise((resolve) => {
      boot = resolve;
    });
    const { f, port } = await front(guest, { maxHeld: 2 });
    const first = [exchange(port, 'a'), exchange(port, 'b')];
    await until(() => f.connections === 2, 'two held connections');
    expect(await exchange(port, 'c')).toBe('error ECONNRESET');
    boot();
    expect(await Promise.all(first)).toEqual(['a', 'b']);
  });

  it('gives up after readyTimeoutMs, resets the held clients, stops the guest, and tries again', async () => {
    let accept = false;
    const guest = new FakeGuest(0);
    const start = guest.start;
    // The first guest listens on a port and then closes it: nothing ever accepts there.
    guest.start = async () => {
      const target = await start();
      if (!accept) {
        guest.server?.close();
        accept = true;
      }
      return target;
    };
    const { f, port, events } = await front(guest, { readyTimeoutMs: 300 });
    expect(await exchange(port, 'x')).toBe('error ECONNRESET');
    const failed = events.find(([name]) => name === 'failed')?.[1] as FailedEvent;
    expect(failed).toMatchObject({ phase: 'ready', held: 1 });
    expect(failed.reason).toMatch(/^127\.0\.0\.1:\d+ did not accept a connection within \d+ ms/);
    expect(guest.stops).toBe(1);
    await until(() => f.state === 'waiting', 'the front to wait again');
    expect(await exchange(port, 'y')).toBe('y');
    expect(guest.starts).toBe(2);
  });

  it('reports a start() that throws and resets the held clients; nothing to stop', async () => {
    const guest = new FakeGuest();
    const { port, events } = await front(guest, {
      start: () => Promise.reject(new Error('no such kernel')),
    });
    expect(await exchange(port, 'x')).toBe('error ECONNRESET');
    expect(events).toEqual([
      ['summon', { held: 1 }],
      ['failed', { phase: 'start', reason: 'start failed: no such kernel', held: 1 }],
    ]);
    expect(guest.stops).toBe(0);
  });

  it('passes a reset from the guest to the client, and from the client to the guest', async () => {
    const guestSaw: string[] = [];
    const guest = new FakeGuest(0, (s) => {
      s.on('data', (d: Buffer) => {
        if (d.toString() === 'reset me') s.resetAndDestroy();
      });
      s.on('error', (e: NodeJS.ErrnoException) => guestSaw.push(String(e.code)));
    });
    const { port } = await front(guest);
    expect(await exchange(port, 'reset me')).toBe('error ECONNRESET');

    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', () => {});
    s.write('hello');
    await until(() => guest.sockets.size === 1, 'the guest side of the connection');
    s.resetAndDestroy();
    await until(() => guestSaw.length > 0, 'the reset at the guest');
    expect(guestSaw).toEqual(['ECONNRESET']);
  });

  it('reads from the client no faster than the guest reads (backpressure)', async () => {
    let paused: Socket | undefined;
    let received = 0;
    const guest = new FakeGuest(0, (s) => {
      s.pause();
      paused = s;
      s.on('data', (d: Buffer) => {
        received += d.length;
      });
    });
    const { port } = await front(guest);
    const TOTAL = 96 << 20;
    const chunk = Buffer.alloc(1 << 20, 7);
    const s = connect({ port, host: '127.0.0.1' });
    s.on('error', () => {}); // the reset at close() after the test
    let written = 0;
    const writing = (async () => {
      while (written < TOTAL) {
        written += chunk.length;
        if (!s.write(chunk)) await once(s, 'drain');
      }
      s.end();
    })();
    await sleep(1000);
    // With the guest not reading, only what the sockets' kernel buffers hold has left the
    // client: far from all of it (the front itself keeps at most a stream's high-water mark).
    const flushed = s.bytesWritten;
    expect(flushed).toBeLessThan(TOTAL / 2);
    paused?.resume();
    await writing;
    while (received < TOTAL) await sleep(20);
    expect(received).toBe(TOTAL);
  });

  it('resets open connections when the guest ends, releases it, and summons again', async () => {
    const guest = new FakeGuest();
    const { port, events } = await front(guest);
    const s = connect({ port, host: '127.0.0.1' });
    const error = new Promise<string>((resolve) => {
      s.on('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
      s.on('end', () => resolve('end'));
    });
    s.write('ping');
    await once(s, 'data');
    guest.die();
    expect(await error).toBe('ECONNRESET');
    expect(events.find(([name]) => name === 'exited')?.[1]).toEqual({
      reason: 'the guest was killed by SIGKILL',
      open: 1,
    });
    expect(guest.stops).toBe(1); // released once
    expect(await exchange(port, 'again')).toBe('again');
    expect(guest.starts).toBe(2);
  });

  it('stops the guest after idleSeconds without a connection, and summons it on the next', async () => {
    const guest = new FakeGuest();
    const { f, port, events } = await front(guest, { idleSeconds: 0.3 });
    const before = performance.now();
    expect(await exchange(port, 'a')).toBe('a');
    expect(f.state).toBe('running');
    await until(() => guest.stops === 1 && f.state === 'waiting', 'the idle stop');
    // Not before idleSeconds: the timer started after `before`, when the connection closed.
    expect(guest.stoppedAt - before).toBeGreaterThanOrEqual(300);
    expect(events.map(([name]) => name)).toEqual(['summon', 'ready', 'idle-stop']);
    expect(await exchange(port, 'b')).toBe('b');
    expect(guest.starts).toBe(2);
  });

  it('keeps the guest while a connection stays open past idleSeconds', async () => {
    const guest = new FakeGuest();
    const { port } = await front(guest, { idleSeconds: 0.2 });
    const s = connect({ port, host: '127.0.0.1' });
    s.write('x');
    await once(s, 'data');
    await sleep(500); // over twice idleSeconds, with the connection open
    expect(guest.stops).toBe(0);
    s.destroy();
    await until(() => guest.stops === 1, 'the idle stop');
  });

  it('close() resets what it holds and stops a running guest', async () => {
    const guest = new FakeGuest();
    const { f, port } = await front(guest);
    expect(await exchange(port, 'a')).toBe('a');
    await f.close();
    expect(f.state).toBe('closed');
    expect(guest.stops).toBe(1);
    expect(await exchange(port, 'b')).toBe('error ECONNREFUSED');
  });

  it('listens on an IPv6 literal', async () => {
    const guest = new FakeGuest();
    const f = new SummonFront({
      listen: 'tcp:[::1]:0',
      idleSeconds: 30,
      start: guest.start,
      stop: guest.stop,
    });
    fronts.push(f);
    const bound = await f.listen();
    expect(bound.host).toBe('::1');
    expect(await exchange(bound.port, 'six', '::1')).toBe('six');
  });

  it('says which address is in use', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const f = new SummonFront({
      listen: `tcp:127.0.0.1:${port}`,
      idleSeconds: 1,
      start: () => Promise.reject(new Error('unused')),
      stop: async () => {},
    });
    const error = await f.listen().catch((e: unknown) => e);
    taken.close();
    expect(error).toBeInstanceOf(NablaError);
    expect((error as NablaError).message).toBe(
      `cannot listen on tcp:127.0.0.1:${port}: EADDRINUSE`,
    );
    expect((error as NablaError).code).toBe('EADDRINUSE');
  });

  it('refuses bad idleSeconds, maxHeld, readyTimeoutMs and listen values', () => {
    const options = {
      listen: 'tcp:1',
      start: async () => ({ address: '', port: 0, exited: new Promise(() => {}) }),
      stop: async () => {},
    };
    expect(() => new SummonFront({ ...options, idleSeconds: 0 })).toThrow(
      'Expected a number of seconds above 0 for idleSeconds but received 0',
    );
    expect(() => new SummonFront({ ...options, idleSeconds: 1, maxHeld: 0 })).toThrow(
      'Expected a whole number of connections, at least 1 for maxHeld but received 0',
    );
    expect(() => new SummonFront({ ...options, idleSeconds: 1, readyTimeoutMs: -1 })).toThrow(
      'Expected milliseconds from 1 to 2147483647 for readyTimeoutMs but received -1',
    );
    const text = '5' as unknown as number;
    expect(() => new SummonFront({ ...options, idleSeconds: text })).toThrow(
      'Expected a number of seconds above 0 for idleSeconds but received "5"',
    );
    expect(() => new SummonFront({ ...options, listen: 'tcp:x', idleSeconds: 1 })).toThrow(
      /for listen but received "tcp:x"/,
    );
  });
});
