// supervisor.ts: every instance of one daemon: create (checked before anything is recorded), start, stop, remove, reconcile at start, and the console's persistence.

import { type GuestHandle, type RunOptions, run, type StartOptions } from '../api.js';
import { normalizeRunOptions } from '../api-options.js';
import { asNablaError, NablaError } from '../errors.js';
import { launchCache } from '../launch/cache.js';
import { prepareLaunch } from '../launch/prepare.js';
import type { Timings } from './config.js';
import { EventBus } from './events.js';
import type { InstanceHooks, StatsCollector } from './hooks.js';
import { Instance } from './instance.js';
import { LogRing, RING_LINES } from './log-ring.js';
import { runOptionsOf } from './run-options.js';
import type { InstanceConfig } from './schema.js';
import { instanceStats } from './stats.js';
import type { InstanceRecord, LogLine, Store } from './store.js';

/** Console lines held for the database at most, before they are written at once. */
const PENDING_MAX = 4 * RING_LINES;

/** States only a live daemon can vouch for. */
const LIVE_STATES = ['starting', 'running', 'backoff', 'crash-loop'];

export interface SupervisorOptions {
  store: Store;
  timings: Timings;
  hooks?: InstanceHooks[];
  collectors?: StatsCollector[];
  log?: (message: string) => void;
  /** How guests start (default: run() on the start engine, the console left to the ring). */
  start?: (options: RunOptions, how: StartOptions) => GuestHandle;
}

export class Supervisor {
  readonly events = new EventBus();
  private readonly instances = new Map<string, Instance>();
  /** Names whose create is being checked (plug-ins may take a while). */
  private readonly creating = new Set<string>();
  private readonly store: Store;
  private readonly timings: Timings;
  private readonly hooks: InstanceHooks[];
  private readonly collectors: StatsCollector[];
  private readonly log: (message: string) => void;
  private readonly startGuest: (options: RunOptions, how: StartOptions) => GuestHandle;
  /** Console lines not yet written to the database, and how far each ring was trimmed. */
  private pending: LogLine[] = [];
  private readonly trimmed = new Map<string, number>();
  private readonly flusher: NodeJS.Timeout;

  constructor(options: SupervisorOptions) {
    this.store = options.store;
    this.timings = options.timings;
    this.hooks = options.hooks ?? [];
    this.collectors = options.collectors ?? [];
    this.log = options.log ?? (() => {});
    this.startGuest = options.start ?? ((o, how) => run(o, { ...how, keepOutput: false }));
    this.flusher = setInterval(() => this.flushLogs(), this.timings.logFlushMs);
    this.flusher.unref();
  }

  /** Adds a plug-in (cgroup limits, summoning) before the daemon takes requests. */
  use(hooks: InstanceHooks): void {
    this.hooks.push(hooks);
  }

  /** Adds figures to the stats answer. */
  addStats(collector: StatsCollector): void {
    this.collectors.push(collector);
  }

  private track(record: InstanceRecord, recorded: string[] = [], lastSeq = 0): Instance {
    const ring = new LogRing(recorded, lastSeq);
    ring.onLine = (entry) => {
      this.pending.push({ instance: record.name, seq: entry.seq, line: entry.line });
      this.trimmed.set(record.name, ring.firstSeq - 1);
      // A guest printing flat out: write now rather than hold more than a few rings' worth.
      if (this.pending.length >= PENDING_MAX) this.flushLogs();
    };
    const instance = new Instance(record, ring, {
      store: this.store,
      events: this.events,
      hooks: this.hooks,
      timings: this.timings,
      start: this.startGuest,
      log: this.log,
    });
    this.instances.set(record.name, instance);
    return instance;
  }

  /**
   * The daemon's start: every recorded instance comes back with its state and last console
   * lines; those that should run are started (a failure is logged and recorded, not fatal).
   */
  async reconcile(): Promise<void> {
    const records = this.store.all().map((record) => {
      // Killed while ending a guest that should not run: its recorded live state is history.
      if (record.desired === 'stopped' && LIVE_STATES.includes(record.state)) {
        this.store.update(record.name, { state: 'stopped' });
        return { ...record, state: 'stopped' };
      }
      return record;
    });
    for (const record of records) {
      const instance = this.track(
        record,
        this.store.logs(record.name, RING_LINES),
        this.store.lastSeq(record.name),
      );
      try {
        for (const hook of this.hooks) await hook.created?.(instance);
      } catch (error) {
        this.log(`${instance.name}: ${asNablaError(error).message}`);
      }
    }
    for (const instance of this.instances.values()) {
      if (instance.desired !== 'running') continue;
      await instance.begin().catch((error: unknown) => {
        this.log(`${instance.name}: cannot start again: ${asNablaError(error).message}`);
      });
    }
    this.log(`reconciled ${records.length} instance(s)`);
  }

  /**
   * Checks the kernel and devices as run() does (nothing is started or recorded when they
   * fail), records the instance in one statement, then starts it unless told not to.
   */
  async create(config: InstanceConfig, start: boolean): Promise<Instance> {
    if (this.instances.has(config.name) || this.creating.has(config.name))
      throw new NablaError(`${config.name}: an instance of that name exists`, {
        code: 'INSTANCE_EXISTS',
      });
    this.creating.add(config.name);
    try {
      await this.prepare(config, start);
    } finally {
      this.creating.delete(config.name);
    }
    const record: InstanceRecord = {
      name: config.name,
      config,
      desired: start ? 'running' : 'stopped',
      state: 'created',
      restarts: 0,
      exit: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
    };
    this.store.insert(record);
    const instance = this.track(record);
    try {
      for (const hook of this.hooks) await hook.created?.(instance);
    } catch (error) {
      // A plug-in could not take it (no tap, the summon address in use): no trace is left.
      await this.forget(instance);
      throw error;
    }
    this.events.emit('create', config.name);
    if (start) await instance.begin();
    return instance;
  }

  /** The plug-ins' preparation, then run()'s checks; on a failure what they took is released. */
  private async prepare(config: InstanceConfig, start: boolean): Promise<void> {
    const view = { name: config.name, config, desired: start ? 'running' : 'stopped' } as const;
    let options = runOptionsOf(config);
    try {
      for (const hook of this.hooks) options = (await hook.prepare?.(view, options)) ?? options;
      prepareLaunch(normalizeRunOptions(options), launchCache).release();
    } catch (error) {
      for (const hook of this.hooks)
        await Promise.resolve(hook.removed?.(view)).catch((e: unknown) =>
          this.log(`${config.name}: ${asNablaError(e).message}`),
        );
      throw error;
    }
  }

  get(name: string): Instance {
    const instance = this.instances.get(name);
    if (instance === undefined)
      throw new NablaError(`${name}: no such instance`, { code: 'INSTANCE_NOT_FOUND' });
    return instance;
  }

  list(): Instance[] {
    return [...this.instances.values()];
  }

  /** A user's start: the guest runs now, or, for a summoned instance, waits `summonable`. */
  async start(name: string): Promise<Instance> {
    const instance = this.get(name);
    await instance.begin();
    return instance;
  }

  async stop(name: string, timeoutMs = this.timings.stopTimeoutMs): Promise<Instance> {
    const instance = this.get(name);
    await instance.end('stop', timeoutMs);
    for (const hook of this.hooks) await hook.stopped?.(instance);
    this.events.emit('stop', name);
    return instance;
  }

  /** Summoning: the guest of `name` running (started if it was not), as its handle. */
  wake(name: string): Promise<GuestHandle> {
    return this.get(name).wake();
  }

  /** Summoning: ends the guest of `name`, which stays `summonable`. */
  async sleep(name: string, timeoutMs = this.timings.stopTimeoutMs): Promise<void> {
    await this.get(name).sleep(timeoutMs);
  }

  /** Removes an instance, its record and its console; a running one only with `force` (SIGKILL). */
  async remove(name: string, force: boolean): Promise<void> {
    const instance = this.get(name);
    if (instance.active && !force)
      throw new NablaError(`${name}: is ${instance.state}; stop it first, or remove with force`, {
        code: 'INSTANCE_STATE',
      });
    await instance.end('remove', 0);
    if (this.instances.get(name) !== instance) return; // removed meanwhile by another request
    await this.forget(instance);
    this.events.emit('remove', name);
  }

  /** The hooks' `removed`, then the instance, its record and its console are gone. */
  private async forget(instance: Instance): Promise<void> {
    const name = instance.name;
    this.instances.delete(name);
    try {
      for (const hook of this.hooks) await hook.removed?.(instance);
    } finally {
      this.pending = this.pending.filter((l) => l.instance !== name);
      this.trimmed.delete(name);
      this.store.remove(name);
      instance.ring.close();
    }
  }

  async stats(name: string): Promise<Record<string, unknown>> {
    const instance = this.get(name);
    return instanceStats(instance, instance.pid, this.collectors);
  }

  /** Writes the console lines gathered since the last time, in one transaction. */
  flushLogs(): void {
    if (this.pending.length === 0) return;
    const trimTo = new Map(this.trimmed);
    // Lines that already fell out of their ring are not worth writing.
    const lines = this.pending.filter((l) => l.seq > (trimTo.get(l.instance) ?? 0));
    this.pending = [];
    this.trimmed.clear();
    try {
      this.store.appendLogs(lines, trimTo);
    } catch (error) {
      this.log(`cannot record console lines: ${asNablaError(error).message}`);
    }
  }

  /**
   * The daemon's stop: every guest ended (SIGTERM, then SIGKILL after the stop timeout),
   * their desired state left as it is (they run again at the next start), the console flushed.
   */
  async close(): Promise<void> {
    clearInterval(this.flusher);
    await Promise.all(
      [...this.instances.values()].map((i) => i.end('shutdown', this.timings.stopTimeoutMs)),
    );
    this.flushLogs();
    for (const instance of this.instances.values()) instance.ring.close();
  }
}
