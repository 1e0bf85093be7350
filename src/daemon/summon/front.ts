// front.ts: SummonFront, a listening socket that starts a guest on the first connection, carries connections to it, and stops it when idle.
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { expected } from '../../checks.js';
import { NablaError } from '../../errors.js';
import { formatSummonAddress, parseSummonAddress, type SummonAddress } from './address.js';
import { dial, type GuestAddress } from './dial.js';
import type { SummonEventMap } from './events.js';
import { splice } from './splice.js';

/** What start() resolves with: where the guest's stack listens, and when it ends. */
export interface SummonTarget extends GuestAddress {
  /** Resolves (with anything; a string or an Error's message is reported) when the guest ends. */
  exited: Promise<unknown>;
}

export interface SummonFrontOptions {
  /** `tcp:[HOST:]PORT` (parseSummonAddress), or the parsed form; port 0 picks a free port. */
  listen: string | SummonAddress;
  /** Stop the guest after this many seconds with no open connection (> 0). */
  idleSeconds: number;
  /** Starts the guest; resolves once its process exists (it may still be booting). */
  start: () => Promise<SummonTarget>;
  /**
   * Stops the guest. Called exactly once for every start() that resolved: after idleSeconds,
   * when it never accepted, after it ended on its own (to release what start() took), at close().
   */
  stop: () => Promise<void>;
  /** How long the guest may take to accept its first connection (default 10,000 ms). */
  readyTimeoutMs?: number;
  /** Connections held while the guest boots; more are reset (default 1,024). */
  maxHeld?: number;
}

export type SummonState = 'waiting' | 'starting' | 'running' | 'stopping' | 'closed';

const DEFAULT_READY_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_HELD = 1024;
/**
 * TCP keepalive on client connections, first probe after this long idle: a client that vanished
 * without a FIN or a reset would otherwise keep its connection, and so the guest, forever.
 */
const KEEPALIVE_MS = 60_000;

/** One summoned guest, from start() to stop(). */
interface Run {
  target?: SummonTarget;
  /** Aborted when the guest ends (or the front closes): a dial in progress gives up. */
  ended: AbortController;
  /** Set once stop() has been called for it. */
  stopped: boolean;
}

/** Words for why something ended: an Error's message, a string, or a GuestExit's status. */
function reasonOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  const exit = value as { signal?: unknown; code?: unknown } | null;
  if (typeof exit?.signal === 'string') return `the guest was killed by ${exit.signal}`;
  if (typeof exit?.code === 'number') return `the guest exited with status ${exit.code}`;
  return 'the guest ended';
}

/**
 * The summoning front of one instance. While the guest is not running it owns the listening
 * socket; the first connection calls start(), and that connection and any arriving meanwhile are
 * held, unread (the kernel keeps their early bytes in the socket's receive buffer, which
 * bounds them), until the guest accepts a connection. Then each is carried to the guest over a
 * connection of its own (splice.ts). With no open connection for idleSeconds the front calls
 * stop() and waits again. The guest has its own TCP/IP stack behind a tap, so an accepted
 * socket cannot be handed to it: the front proxies (docs/summon.md).
 */
export class SummonFront extends EventEmitter<SummonEventMap> {
  readonly address: SummonAddress;
  private readonly options: Required<Omit<SummonFrontOptions, 'listen'>>;
  private readonly server: Server;
  private readonly held: Socket[] = [];
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Connections accepted and not yet closed, held or carried (dials in progress included). */
  private open = 0;
  private current: Run | undefined;
  private stateNow: SummonState = 'waiting';
  private idleTimer: NodeJS.Timeout | undefined;
  private readyAt = 0;
  /** The lifecycle step in progress (start, stop), awaited by close(). */
  private step: Promise<void> = Promise.resolve();

  constructor(options: SummonFrontOptions) {
    super();
    this.address =
      typeof options.listen === 'string'
        ? parseSummonAddress(options.listen, 'listen', true)
        : options.listen;
    const idle: unknown = options.idleSeconds;
    if (!(typeof idle === 'number' && idle > 0 && Number.isFinite(idle))) {
      throw expected('a number of seconds above 0', 'idleSeconds', idle);
    }
    const readyTimeoutMs: unknown = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    if (
      !(typeof readyTimeoutMs === 'number' && readyTimeoutMs > 0 && readyTimeoutMs <= 2 ** 31 - 1)
    ) {
      throw expected('milliseconds from 1 to 2147483647', 'readyTimeoutMs', readyTimeoutMs);
    }
    const maxHeld: unknown = options.maxHeld ?? DEFAULT_MAX_HELD;
    if (!(typeof maxHeld === 'number' && Number.isInteger(maxHeld) && maxHeld >= 1)) {
      throw expected('a whole number of connections, at least 1', 'maxHeld', maxHeld);
    }
    this.options = {
      idleSeconds: idle,
      start: options.start,
      stop: options.stop,
      readyTimeoutMs,
      maxHeld,
    };
    // pauseOnConnect: nothing is read from a connection until it is carried to the guest.
    this.server = createServer(
      { pauseOnConnect: true, allowHalfOpen: true, noDelay: true },
      (socket) => this.accept(socket),
    );
    // After listen(): accept() failing (EMFILE...) is reported, and the front keeps listening.
    this.server.on('error', (error: NodeJS.ErrnoException) => {
      if (this.server.listening) {
        this.emit('failed', { phase: 'accept', reason: error.code ?? error.message, held: 0 });
      }
    });
  }

  get state(): SummonState {
    return this.stateNow;
  }

  /** Connections open now (held or carried). */
  get connections(): number {
    return this.open;
  }

  /** Starts listening; resolves with the address bound (the port chosen when it was 0). */
  listen(): Promise<SummonAddress> {
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        const errno = error.code?.startsWith('E') ? (error.code as `E${string}`) : 'INTERNAL';
        reject(
          new NablaError(
            `cannot listen on ${formatSummonAddress(this.address)}: ${error.code ?? error.message}`,
            { code: errno, cause: error },
          ),
        );
      };
      this.server.once('error', failed);
      this.server.listen({ host: this.address.host, port: this.address.port }, () => {
        this.server.off('error', failed);
        const bound = this.server.address();
        resolve(
          typeof bound === 'object' && bound !== null
            ? { host: bound.address, port: bound.port }
            : this.address,
        );
      });
    });
  }

  /** Stops listening, resets every connection, stops the guest if it runs; resolves when done. */
  async close(): Promise<void> {
    if (this.stateNow === 'closed') return;
    this.stateNow = 'closed';
    this.clearIdle();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.resetAll();
    this.current?.ended.abort(new Error('the front was closed'));
    await this.step;
    await this.stopRun(this.current);
    this.current = undefined;
    await closing;
  }

  private accept(socket: Socket): void {
    // An error on a socket with no listener would end the process: one is always there.
    socket.on('error', () => {});
    if (this.stateNow === 'closed') {
      socket.destroy();
      return;
    }
    socket.setKeepAlive(true, KEEPALIVE_MS);
    this.open++;
    this.clearIdle();
    socket.once('close', () => this.closed());
    if (this.stateNow === 'running') {
      this.carry(socket);
      return;
    }
    if (this.held.length >= this.options.maxHeld) {
      socket.resetAndDestroy();
      return;
    }
    this.held.push(socket);
    if (this.stateNow === 'waiting') this.step = this.summon();
  }

  /** A client connection closed. */
  private closed(): void {
    this.open--;
    this.armIdle();
  }

  /** With no connection open while running, the idle clock starts. */
  private armIdle(): void {
    if (this.open > 0 || this.stateNow !== 'running' || this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.step = this.idleStop();
    }, this.options.idleSeconds * 1000);
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private async summon(): Promise<void> {
    const run: Run = { ended: new AbortController(), stopped: false };
    this.current = run;
    this.stateNow = 'starting';
    const begun = performance.now();
    this.emit('summon', { held: this.held.length });
    try {
      run.target = await this.options.start();
    } catch (error) {
      this.current = undefined;
      return this.fail(run, 'start', `start failed: ${reasonOf(error)}`);
    }
    const startMs = performance.now() - begun;
    const { target } = run;
    target.exited.then(
      (why) => this.guestEnded(run, why),
      (why) => this.guestEnded(run, why),
    );
    let first: Socket;
    try {
      first = await dial(target, {
        deadline: Date.now() + this.options.readyTimeoutMs,
        signal: run.ended.signal,
      });
    } catch (error) {
      return this.fail(run, 'ready', reasonOf(error));
    }
    if (this.current !== run || this.stateNow !== 'starting') {
      first.destroy(); // closed meanwhile
      return;
    }
    this.stateNow = 'running';
    this.readyAt = performance.now();
    const held = this.held.splice(0);
    this.emit('ready', {
      bootMs: Math.round(this.readyAt - begun),
      startMs: Math.round(startMs),
      address: target.address,
      port: target.port,
      held: held.length,
    });
    held.forEach((client, i) => {
      void this.carry(client, i === 0 ? first : undefined);
    });
    if (held.length === 0) first.destroy();
    this.armIdle();
  }

  /** Carries one client to the running guest (over `dialled`, or a new connection). */
  private async carry(client: Socket, dialled?: Socket): Promise<void> {
    const run = this.current;
    const target = run?.target;
    if (run === undefined || target === undefined || client.destroyed) {
      dialled?.destroy();
      client.resetAndDestroy();
      return;
    }
    let guest: Socket;
    try {
      guest =
        dialled ??
        (await dial(target, {
          deadline: Date.now() + this.options.readyTimeoutMs,
          signal: run.ended.signal,
        }));
    } catch {
      client.resetAndDestroy();
      return;
    }
    if (client.destroyed || this.current !== run) {
      guest.destroy();
      client.resetAndDestroy();
      return;
    }
    const pair: [Socket, Socket] = [client, guest];
    this.pairs.add(pair);
    await splice(client, guest);
    this.pairs.delete(pair);
  }

  private async idleStop(): Promise<void> {
    if (this.stateNow !== 'running' || this.open > 0) return;
    this.stateNow = 'stopping';
    this.emit('idle-stop', {
      idleSeconds: this.options.idleSeconds,
      ranMs: Math.round(performance.now() - this.readyAt),
    });
    const run = this.current;
    this.current = undefined;
    // Every client has gone; a guest side still open (its FIN never came) goes now, or it would
    // outlive the guest.
    this.resetPairs();
    await this.stopRun(run);
    this.again();
  }

  /** The guest ended: expected after stop(); otherwise its connections go and it is released. */
  private guestEnded(run: Run, why: unknown): void {
    run.ended.abort(new Error(`the guest ended while booting (${reasonOf(why)})`));
    if (run.stopped || this.current !== run || this.stateNow !== 'running') return;
    this.clearIdle();
    this.current = undefined;
    this.stateNow = 'stopping';
    const open = this.pairs.size;
    this.resetPairs();
    this.emit('exited', { reason: reasonOf(why), open });
    this.step = this.stopRun(run).then(() => this.again());
  }

  /** Start or readiness failed: the held connections are reset, the guest (if any) released. */
  private async fail(run: Run, phase: 'start' | 'ready', reason: string): Promise<void> {
    if (this.stateNow === 'closed') return;
    const held = this.held.splice(0);
    for (const socket of held) socket.resetAndDestroy();
    this.emit('failed', { phase, reason, held: held.length });
    this.stateNow = 'stopping';
    if (this.current === run) this.current = undefined;
    await this.stopRun(run);
    this.again();
  }

  /** Calls stop() once for a run whose start() resolved. */
  private async stopRun(run: Run | undefined): Promise<void> {
    if (run?.target === undefined || run.stopped) return;
    run.stopped = true;
    try {
      await this.options.stop();
    } catch (error) {
      this.emit('failed', { phase: 'stop', reason: `stop failed: ${reasonOf(error)}`, held: 0 });
    }
  }

  /** Back to waiting; connections that arrived meanwhile summon the guest again at once. */
  private again(): void {
    if (this.stateNow === 'closed') return;
    this.stateNow = 'waiting';
    if (this.held.length > 0) this.step = this.summon();
  }

  private resetPairs(): void {
    for (const [client, guest] of this.pairs) {
      client.resetAndDestroy();
      guest.destroy();
    }
    this.pairs.clear();
  }

  private resetAll(): void {
    for (const socket of this.held.splice(0)) socket.resetAndDestroy();
    this.resetPairs();
  }
}
