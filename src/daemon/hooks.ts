// hooks.ts: where other parts of the daemon plug into an instance's life: limits (cgroups), summoning, and more stats.

import type { RunOptions, StartOptions } from '../api.js';
import type { GuestExit } from '../launch/spawn.js';
import type { InstanceConfig } from './schema.js';

/** What a hook is told of an instance. */
export interface InstanceView {
  readonly name: string;
  readonly config: InstanceConfig;
}

/**
 * Called by the supervisor at each step of an instance's life, in the order listed; every
 * function is optional, and one that throws (or rejects) fails the step it belongs to:
 * a failed `beforeStart` or `afterStart` fails the start (the guest, if started, is killed).
 * The cgroup limits (`config.limits`) and summoning (`config.summon`) plug in here.
 */
export interface InstanceHooks {
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
