// guest-figures.ts: the stats the daemon adds to /proc's: descriptor I/O, the counters of the guest's taps, and its groups' figures.
import type { StatsCollector } from './hooks.js';
import { cgroupFigures, type GuestCgroups, guestStats } from './limits/index.js';

export interface GuestFiguresOptions {
  /** The instance's groups, while it has them (LimitsHook.groupsOf). */
  groupsOf(name: string): GuestCgroups | undefined;
  /** Taps the daemon gave it (summoning's), besides those of its config's `net`. */
  tapsOf(name: string): string[];
}

/**
 * `io` (/proc/PID/io), `net` (per tap, from the guest's side) and `cgroup` (null without
 * limits); `io` and `net` are null when the guest does not run. The taps are read in the
 * daemon's network namespace, where they were made or named.
 */
export function guestFigures(options: GuestFiguresOptions): StatsCollector {
  return (instance, pid) => {
    const groups = options.groupsOf(instance.name);
    const taps = [...Object.values(instance.config.net ?? {}), ...options.tapsOf(instance.name)];
    let stats: ReturnType<typeof guestStats> = null;
    if (pid !== null) {
      // A tap gone from under it: the figures without the taps. A daemon that is not root
      // cannot read a guest's /proc/PID/io (it is not dumpable): null, as PSS is then.
      for (const tapsAsked of [taps, []]) {
        try {
          stats = guestStats(pid, { taps: tapsAsked, netnsPid: process.pid });
          break;
        } catch {
          stats = null;
        }
      }
    }
    return {
      io: stats?.io ?? null,
      net: stats?.net ?? null,
      cgroup: groups === undefined ? null : cgroupFigures(groups),
    };
  };
}
