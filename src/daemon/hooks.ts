// hooks.ts: where other parts of the daemon plug into an instance's life: limits (cgroups), summoning, and more stats.

import type { RunOptions, StartOptions } from '../api.js';
import type { GuestExit } from '../launch/spawn.js';
import type { InstanceConfig } from './schema.js';

/** What a hook is told of an instance. */
export interface InstanceView {
  readonly name: string;
  readonly config: InstanceConfig;
  /** Whether it should run (a create with `start: false`, or a stop, make it `stopped`). */
  readonly desired: 'running' | 'stopped';
}

/**
 * Called by the supervisor at each step of an instance's life, in the order listed; every
 * function is optional, and one that throws (or rejects) fails the step it belongs to:
 * a failed `beforeStart` or `afterStart` fails the start (the guest, if started, is killed).
 * The cgroup limits (`config.limits`) and summoning (`config.summon`) plug in here.
 */
export interface InstanceHooks {
  /**
   * Before a create records anything: throws when the config cannot work here (limits on a
   * host without the cgroup controllers), and may return the RunOptions the create's checks
   * are made with (summoning leases the instance's tap here and adds it). If the create then
   * fails, `removed` is called with the same view, to release what was taken.
   */
  prepare?(
    instance: InstanceView,
    options: RunOptions,
  ): RunOptions | undefined | Promise<RunOptions | undefined>;
  /** The instance was recorded (create, or found at the daemon's start). */
  created?(instance: InstanceView): void | Promise<void>;
  /**
   * True: do not start the guest now, but leave the instance `summonable`. Asked whenever the
   * instance is to run (create, start, the daemon's start) and when its guest ends by itself;
   * the summoning front (re)arms itself here, starts the guest with `Supervisor.wake(name)` when
   * a connection arrives and ends it with `Supervisor.sleep(name)` when idle.
   */
  defer?(instance: InstanceView): boolean;
  /**
   * Before the guest starts: may return other RunOptions (a tap for summoning: withTap) and set
   * the StartOptions run() gets (the cgroups the guest starts in).
   */
  beforeStart?(
    instance: InstanceView,
    options: RunOptions,
    how: StartOptions,
  ): RunOptions | undefined | Promise<RunOptions | undefined>;
  /** The guest runs as `pid` (place it into its cgroup). */
  afterStart?(instance: InstanceView, pid: number): void | Promise<void>;
  /**
   * The guest ended: keys to add to its exit (recorded, the exit event's and inspect's), read
   * before anything is released (`oomKilled` from its memory group).
   */
  exitDetail?(instance: InstanceView, exit: GuestExit): Record<string, unknown> | undefined;
  /** The guest ended (it may be started again). */
  afterExit?(instance: InstanceView, exit: GuestExit): void | Promise<void>;
  /** A user stopped the instance (its guest, if any, has ended): disarm what defer() armed. */
  stopped?(instance: InstanceView): void | Promise<void>;
  /** The instance is being removed; its guest has ended. */
  removed?(instance: InstanceView): void | Promise<void>;
}

/**
 * Adds figures to GET /v1/instances/{name}/stats: the keys it returns are merged into the
 * answer (`pid` is null when the guest is not running).
 */
export type StatsCollector = (
  instance: InstanceView,
  pid: number | null,
) => Record<string, unknown> | Promise<Record<string, unknown>>;
