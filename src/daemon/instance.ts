// instance.ts: one supervised guest: starts it through run(), follows its exit, restarts it by its policy, stops it, and records each change.
import type { GuestHandle, RunOptions, StartOptions } from '../api.js';
import { asNablaError, NablaError } from '../errors.js';
import type { GuestExit } from '../launch/spawn.js';
import type { Timings } from './config.js';
import type { EventBus } from './events.js';
import type { InstanceHooks, InstanceView } from './hooks.js';
import type { LogRing } from './log-ring.js';
import { RestartTracker } from './restart-policy.js';
import { runOptionsOf } from './run-options.js';
import type { Instance as InstanceJson } from './schema.js';
import type { InstanceRecord, RecordChange, Store } from './store.js';

/** What every instance of one daemon shares. */
export interface InstanceDeps {
  store: Store;
  events: EventBus;
  hooks: readonly InstanceHooks[];
  timings: Timings;
  /** Starts a guest: run() on the start engine, its console left to the caller. */
  start(options: RunOptions, how: StartOptions): GuestHandle;
  /** One line for the daemon's own log (stderr). */
  log(message: string): void;
}

/**
 * Why a guest is being ended, if the daemon is ending it: a user's stop, the daemon's own stop,
 * a remove, or `sleep` (a summoned guest gone idle: it waits `summonable` for the next one).
 */
type Ending = 'stop' | 'shutdown' | 'remove' | 'sleep';

export class Instance implements InstanceView {
  readonly name: string;
  readonly config: InstanceRecord['config'];
  private record: InstanceRecord;
  private handle: GuestHandle | null = null;
  private pidNow: number | null = null;
  private startedMs = 0;
  /** Counts starts, so that the exit of an earlier run is never taken for the current one's. */
  private run = 0;
  private ending: Ending | null = null;
  /** Between the decision to start and the guest's pid (hooks may take a while). */
  private launching = false;
  private exitWaiters: Array<() => void> = [];
  private restartTimer: NodeJS.Timeout | null = null;
  /** In a crash loop: the event was sent. */
  private looping = false;
  private readonly tracker: RestartTracker;

  constructor(
    record: InstanceRecord,
    readonly ring: LogRing,
    private readonly deps: InstanceDeps,
  ) {
    this.name = record.name;
    this.config = record.config;
    this.record = record;
    this.tracker = new RestartTracker(deps.timings);
  }

  get state(): string {
    return this.record.state;
  }

  get desired(): InstanceRecord['desired'] {
    return this.record.desired;
  }

  get pid(): number | null {
    return this.pidNow;
  }

  /**
   * Running or on its way: what `rm` without force refuses. Known from this process alone: a
   * state recorded by a daemon that was killed (`starting`, `running`) is history.
   */
  get active(): boolean {
    return this.handle !== null || this.launching;
  }

  /** The API's view (GET /v1/instances/{name}). */
  toJSON(): InstanceJson {
    const r = this.record;
    return {
      name: r.name,
      state: r.state as InstanceJson['state'],
      pid: this.pidNow,
      exit: r.exit,
      restarts: r.restarts,
      config: r.config,
      createdAt: r.createdAt,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
    };
  }

  private change(change: RecordChange): void {
    this.record = { ...this.record, ...change };
    this.deps.store.update(this.name, change);
  }

  private cancelRestart(): void {
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  /** Asked for by a user (or by summoning): a new restart history; refused while running. */
  async start(): Promise<void> {
    if (this.active)
      throw new NablaError(`${this.name}: is ${this.record.state} already`, {
        code: 'INSTANCE_STATE',
      });
    this.tracker.reset();
    this.looping = false;
    await this.launch(false);
  }

  /** Create, a user's start, the daemon's start: as start(), unless a hook defers it (summoning). */
  async begin(): Promise<void> {
    if (this.active)
      throw new NablaError(`${this.name}: is ${this.record.state} already`, {
        code: 'INSTANCE_STATE',
      });
    this.change({ desired: 'running' });
    if (this.deferred()) {
      this.change({ state: 'summonable' });
      return;
    }
    await this.start();
  }

  /** A hook (summoning) starts this guest on demand instead of now. */
  private deferred(): boolean {
    return this.deps.hooks.some((h) => h.defer?.(this));
  }

  /**
   * Summoning's start: the running guest's handle, starting it first if it is not running
   * (a failure to start throws, as start() does).
   */
  async wake(): Promise<GuestHandle> {
    if (this.handle === null) {
      this.tracker.reset();
      await this.launch(false);
    }
    if (this.handle === null)
      throw new NablaError(`${this.name}: the guest did not start`, { code: 'TENDER_FAILED' });
    return this.handle;
  }

  /** Summoning's stop: ends the guest as stop() does, but it stays `summonable`. */
  sleep(timeoutMs: number): Promise<void> {
    return this.end('sleep', timeoutMs);
  }

  /**
   * Starts the guest. A failure to start is an exit with status 1: a restart (`restarting`)
   * follows the policy; any other start throws it to the caller.
   */
  private async launch(restarting: boolean): Promise<void> {
    this.cancelRestart();
    this.ending = null;
    const run = ++this.run;
    this.change({ desired: 'running', state: 'starting' });
    let handle: GuestHandle | undefined;
    this.launching = true;
    try {
      let options = runOptionsOf(this.config);
      const how: StartOptions = {};
      for (const hook of this.deps.hooks)
        options = (await hook.beforeStart?.(this, options, how)) ?? options;
      handle = this.deps.start(options, how);
      const pid = handle.pid;
      if (!(pid > 0)) {
        await handle.exited; // the engine refused it: exited rejects with why
        throw new NablaError(`${this.name}: the guest did not start`, { code: 'TENDER_FAILED' });
      }
      this.handle = handle;
      this.pidNow = pid;
      this.startedMs = Date.now();
      if (handle.stdout) this.ring.attach(handle.stdout);
      if (handle.stderr) this.ring.attach(handle.stderr);
      handle.exited.then(
        (exit) => this.exited(run, exit),
        (error: unknown) => this.exited(run, failedRun(error, this.ring)),
      );
      this.change({ state: 'running', startedAt: new Date().toISOString(), finishedAt: null });
      this.deps.events.emit('start', this.name, { pid });
      for (const hook of this.deps.hooks) await hook.afterStart?.(this, pid);
    } catch (error) {
      if (this.run !== run) return;
      if (handle !== undefined && this.handle === handle) {
        handle.kill('SIGKILL'); // its exit follows the policy like any other
        if (restarting) return;
        throw error;
      }
      const exit = failedRun(error, this.ring);
      if (restarting) {
        this.exited(run, exit);
        return;
      }
      this.change({
        state: 'exited',
        desired: 'stopped',
        exit: { status: exit.status, signal: null },
        finishedAt: new Date().toISOString(),
      });
      this.deps.events.emit('exit', this.name, { status: 1, signal: null, error: exit.message });
      throw error;
    } finally {
      if (this.run === run) this.launching = false;
    }
  }

  private exited(run: number, exit: GuestExit | FailedRun): void {
    if (run !== this.run) return;
    const ranMs = Date.now() - this.startedMs;
    this.handle = null;
    this.pidNow = null;
    let result: NonNullable<InstanceRecord['exit']> = { status: exit.status, signal: exit.signal };
    for (const hook of this.deps.hooks) {
      try {
        result = { ...result, ...hook.exitDetail?.(this, exit as GuestExit) };
      } catch (error) {
        this.deps.log(`${this.name}: exitDetail: ${asNablaError(error).message}`);
      }
    }
    this.change({ exit: result, finishedAt: new Date().toISOString() });
    this.deps.events.emit('exit', this.name, result);
    for (const hook of this.deps.hooks)
      Promise.resolve(hook.afterExit?.(this, exit as GuestExit)).catch((error: unknown) =>
        this.deps.log(`${this.name}: afterExit: ${asNablaError(error).message}`),
      );
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    if (this.ending !== null) {
      // Ended by the daemon: stop and remove record it; a shutdown leaves desired as it was.
      this.change({ state: this.ending === 'sleep' ? 'summonable' : 'stopped' });
    } else if (this.deferred()) {
      // A summoned guest that ended waits for the next connection; no restart policy.
      this.change({ state: 'summonable' });
    } else {
      this.afterOwnExit(exit.status, ranMs);
    }
    for (const resolve of waiters) resolve();
  }

  /** The guest ended by itself: the policy says whether, and when, it starts again. */
  private afterOwnExit(status: number, ranMs: number): void {
    const decision = this.tracker.decide(this.config.restart, status, ranMs);
    if (!decision.restart) {
      this.change({ state: 'exited', desired: 'stopped' });
      return;
    }
    this.change({ state: decision.crashLoop ? 'crash-loop' : 'backoff' });
    // Said once, when the loop begins; it ends with a good run or a user's start.
    if (decision.crashLoop && !this.looping)
      this.deps.events.emit('crash-loop', this.name, { restarts: this.record.restarts });
    this.looping = decision.crashLoop;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.change({ restarts: this.record.restarts + 1 });
      this.deps.events.emit('restart', this.name, {
        restarts: this.record.restarts,
        delayMs: decision.delayMs,
      });
      this.launch(true).catch((error: unknown) =>
        this.deps.log(`${this.name}: restart failed: ${asNablaError(error).message}`),
      );
    }, decision.delayMs);
  }

  /** Resolves once the running guest (if any) has ended and been recorded. */
  private untilExit(): Promise<void> {
    if (this.handle === null) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /**
   * Ends the guest: SIGTERM, then SIGKILL after `timeoutMs` (0: SIGKILL at once). `why` says
   * what is recorded: a stop makes it `stopped` for good, a shutdown leaves it to run again
   * when the daemon starts again.
   */
  async end(why: Ending, timeoutMs: number): Promise<void> {
    this.cancelRestart();
    const keepsDesired = why === 'shutdown' || why === 'sleep';
    if (!keepsDesired) this.change({ desired: 'stopped' });
    const handle = this.handle;
    if (handle === null) {
      if (this.record.state !== 'stopped' && !keepsDesired) this.change({ state: 'stopped' });
      return;
    }
    this.ending = why;
    const exited = this.untilExit();
    if (timeoutMs === 0) handle.kill('SIGKILL');
    else handle.kill('SIGTERM');
    const timer = setTimeout(() => handle.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** A start that failed, as an exit: status 1, and its reason in the console. */
interface FailedRun {
  status: number;
  signal: null;
  message: string;
}

function failedRun(error: unknown, ring: LogRing): FailedRun {
  const message = asNablaError(error).message;
  for (const line of message.split('\n')) ring.push(`nabla: ${line}`);
  return { status: 1, signal: null, message };
}
