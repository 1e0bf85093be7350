// summon-hook.ts: the daemon's summoning: a tap per summoned instance, a front listening for it, the guest woken by a connection and put to sleep when idle.

import type { RunOptions } from '../api.js';
import { asNablaError } from '../errors.js';
import type { InstanceHooks, InstanceView } from './hooks.js';
import {
  parseSummonAddress,
  SummonFront,
  type TapLease,
  type TapPool,
  withTap,
} from './summon/index.js';
import type { Supervisor } from './supervisor.js';

/** The manifest name of the net device a summoned guest gets (examples/http's, tcp-echo's). */
export const SUMMON_NET = 'service';
/** The front's events, forwarded to the daemon's event stream under the same names. */
const FORWARDED = ['summon', 'ready', 'idle-stop', 'failed'] as const;

export interface SummonHookOptions {
  supervisor: Supervisor;
  pool: TapPool;
  log: (message: string) => void;
}

/**
 * An instance with `summon` gets a tap from the daemon's pool when it is recorded (kept while
 * its guest is stopped: a summon does not pay for it) and, while it should run, a front on its
 * `listen` address. Its guest is deferred (`summonable`) until a connection arrives; then the
 * front wakes it, carries the connections to `port` on the tap's guest address, and puts it to
 * sleep after `idleSeconds` without one.
 */
export class SummonHook implements InstanceHooks {
  private readonly leases = new Map<string, TapLease>();
  private readonly fronts = new Map<string, SummonFront>();
  /** A front being opened (listen() under way), per instance. */
  private readonly opening = new Map<string, Promise<void>>();

  constructor(private readonly options: SummonHookOptions) {}

  /** The daemon's start: taps a killed daemon with this pool's prefix left. */
  async sweep(): Promise<string[]> {
    return this.options.pool.sweep();
  }

  /** The create's checks are made with the instance's tap: its lease is taken here. */
  async prepare(instance: InstanceView, options: RunOptions): Promise<RunOptions | undefined> {
    const summon = instance.config.summon;
    if (summon === undefined) return undefined;
    parseSummonAddress(summon.listen, 'summon.listen');
    return withTap(options, await this.lease(instance.name), SUMMON_NET);
  }

  async created(instance: InstanceView): Promise<void> {
    if (instance.config.summon === undefined) return;
    await this.lease(instance.name);
    if (instance.desired !== 'running') return;
    await this.open(instance); // a failed create is removed: the tap goes then
  }

  /** The instance's tap, made when it has none. */
  private async lease(name: string): Promise<TapLease> {
    let lease = this.leases.get(name);
    if (lease === undefined) {
      lease = await this.options.pool.create(name);
      this.leases.set(name, lease);
    }
    return lease;
  }

  /** Summoned instances wait for a connection; the front is (re)opened if a stop closed it. */
  defer(instance: InstanceView): boolean {
    if (instance.config.summon === undefined) return false;
    if (!this.fronts.has(instance.name) && !this.opening.has(instance.name)) {
      this.open(instance).catch((error: unknown) => {
        const reason = asNablaError(error).message;
        this.options.log(`${instance.name}: ${reason}`);
        this.options.supervisor.events.emit('failed', instance.name, {
          phase: 'listen',
          reason,
          held: 0,
        });
      });
    }
    return true;
  }

  async beforeStart(instance: InstanceView, options: RunOptions): Promise<RunOptions | undefined> {
    if (instance.config.summon === undefined) return undefined;
    return withTap(options, await this.lease(instance.name), SUMMON_NET);
  }

  async stopped(instance: InstanceView): Promise<void> {
    await this.closeFront(instance.name);
  }

  async removed(instance: InstanceView): Promise<void> {
    await this.closeFront(instance.name);
    const lease = this.leases.get(instance.name);
    this.leases.delete(instance.name);
    if (lease !== undefined) await this.options.pool.remove(lease);
  }

  /** The tap the daemon gave the instance, for its stats. */
  tapsOf(name: string): string[] {
    const lease = this.leases.get(name);
    return lease === undefined ? [] : [lease.name];
  }

  /** The front's state (`waiting`, `running`...), or undefined without one. */
  frontState(name: string): string | undefined {
    return this.fronts.get(name)?.state;
  }

  /** The daemon's stop, first step: every front closed (their guests put to sleep). */
  async closeFronts(): Promise<void> {
    await Promise.all([...this.opening.values()].map((p) => p.catch(() => {})));
    await Promise.all([...this.fronts.keys()].map((name) => this.closeFront(name)));
  }

  /** The daemon's stop, last step (the guests have ended): every tap removed. */
  async removeTaps(): Promise<void> {
    for (const [name, lease] of this.leases) {
      this.leases.delete(name);
      await this.options.pool
        .remove(lease)
        .catch((error: unknown) => this.options.log(asNablaError(error).message));
    }
  }

  private async closeFront(name: string): Promise<void> {
    await this.opening.get(name)?.catch(() => {});
    const front = this.fronts.get(name);
    this.fronts.delete(name);
    await front?.close();
  }

  private open(instance: InstanceView): Promise<void> {
    const opening = this.listen(instance).finally(() => this.opening.delete(instance.name));
    this.opening.set(instance.name, opening);
    return opening;
  }

  private async listen(instance: InstanceView): Promise<void> {
    const { name } = instance;
    const summon = instance.config.summon;
    if (summon === undefined) return;
    const { supervisor } = this.options;
    const front = new SummonFront({
      listen: parseSummonAddress(summon.listen, 'summon.listen'),
      idleSeconds: summon.idleSeconds,
      start: async () => {
        // A stop or remove under way: the connection is refused rather than the guest revived.
        if (supervisor.get(name).desired !== 'running') throw new Error(`${name} is stopped`);
        const lease = await this.lease(name); // made now if the daemon's start could not
        const guest = await supervisor.wake(name);
        return { address: lease.guest, port: summon.port, exited: guest.exited };
      },
      stop: async () => {
        // Removed meanwhile: its guest has ended already.
        if (supervisor.list().some((i) => i.name === name)) await supervisor.sleep(name);
      },
    });
    const forward = (type: (typeof FORWARDED)[number]) => (data: object) =>
      supervisor.events.emit(type, name, { ...data });
    front.on('summon', forward('summon'));
    front.on('ready', forward('ready'));
    front.on('idle-stop', forward('idle-stop'));
    front.on('failed', forward('failed'));
    await front.listen();
    this.fronts.set(name, front);
  }
}
