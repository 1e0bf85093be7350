// hooks.ts: where other parts of the daemon plug into an instance's life: limits (cgroups), summoning, and more stats.

import type { RunOptions } from '../api.js';
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
   * True: do not start the guest now, but leave the instance `summonable` (the summoning
   * front starts it with `Supervisor.start` when a connection arrives).
   */
  defer?(instance: InstanceView): boolean;
  /** Before the guest starts: may add to the RunOptions (a tap for summoning). */
  beforeStart?(instance: InstanceView, options: RunOptions): void | Promise<void>;
  /** The guest runs as `pid` (place it into its cgroup). */
  afterStart?(instance: InstanceView, pid: number): void | Promise<void>;
  /** The guest ended (it may be started again). */
  afterExit?(instance: InstanceView, exit: GuestExit): void | Promise<void>;
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
