// restart-policy.ts: whether a guest that ended is started again, after how long, and when its failures count as a crash loop.
import type { Timings } from './config.js';
import type { InstanceConfig } from './schema.js';

/** What the supervisor does after a guest ended on its own. */
export type RestartDecision =
  | { restart: false }
  | { restart: true; delayMs: number; crashLoop: boolean };

/**
 * One instance's restart history: consecutive failed runs (which double the delay) and the
 * times of recent restarts (too many within the window is a crash loop). A run that lasted
 * `resetAfterMs` was good: both start over.
 */
export class RestartTracker {
  private failures = 0;
  private recent: number[] = [];

  constructor(private readonly timings: Timings) {}

  /** `status` is the exit status (0: success), `ranMs` how long the run lasted. */
  decide(
    policy: InstanceConfig['restart'],
    status: number,
    ranMs: number,
    now = Date.now(),
  ): RestartDecision {
    if (policy === 'no' || (policy === 'on-failure' && status === 0)) return { restart: false };
    if (ranMs >= this.timings.resetAfterMs) this.reset();
    const t = this.timings;
    const delayMs = Math.min(t.backoffMaxMs, t.backoffInitialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    this.recent = [...this.recent.filter((at) => now - at < t.crashLoopWindowMs), now];
    // In a crash loop the guest is still restarted, at the longest delay, until it runs well.
    const crashLoop = this.recent.length > t.crashLoopRestarts;
    return { restart: true, delayMs: crashLoop ? t.backoffMaxMs : delayMs, crashLoop };
  }

  /** A start asked for by a user begins a new history. */
  reset(): void {
    this.failures = 0;
    this.recent = [];
  }
}
