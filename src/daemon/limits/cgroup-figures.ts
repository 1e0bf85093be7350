// cgroup-figures.ts: what a guest's control groups counted: memory, OOM kills, CPU time and throttling, processes.
import { cgroupFileExists, readCgroupKeys, readCgroupNumber } from './cgroup-files.js';
import type { GuestCgroups } from './cgroups.js';

export interface CgroupFigures {
  memory: {
    /** memory.usage_in_bytes: charged now (the guest's pages, and page cache it caused). */
    usageBytes: number;
    /** memory.max_usage_in_bytes: the most ever charged. */
    maxUsageBytes: number;
    /** memory.limit_in_bytes; null: no limit. */
    limitBytes: number | null;
    /** memory.failcnt: how often a charge hit the limit (reclaim followed, or the OOM killer). */
    failcnt: number;
    /**
     * memory.memsw.failcnt: the same for memory and swap together, where the kernel accounts
     * swap (null: it does not). With both limits set (createGuestCgroups) a charge fails on
     * memsw first, and Linux 6.x counts that in neither failcnt: oomKills is the figure to watch.
     */
    memswFailcnt: number | null;
    /** memory.oom_control's oom_kill: tasks the OOM killer killed in the group (Linux 4.13+). */
    oomKills: number;
    /** memory.oom_control's under_oom. */
    underOom: boolean;
  };
  cpu: {
    /** cpuacct.usage: CPU time used, nanoseconds. */
    usageNs: number;
    /** cpu.cfs_quota_us and cpu.cfs_period_us; quota null: no limit. */
    quotaUs: number | null;
    periodUs: number;
    /** cpu.stat: periods with runnable tasks, periods in which the quota ran out, time throttled. */
    periods: number;
    throttledPeriods: number;
    throttledNs: number;
  };
  pids: {
    /** pids.current and pids.max (null: no limit). */
    current: number;
    max: number | null;
    /** pids.events' max: forks refused because of pids.max. */
    refusedForks: number;
  };
}

const n = (value: number | null) => value ?? 0;

/** Reads the figures of a guest's groups (NablaError CGROUP, naming the file, if one cannot be read). */
export function cgroupFigures(groups: GuestCgroups): CgroupFigures {
  const { memory, cpu, cpuacct, pids } = groups.of;
  const oom = readCgroupKeys('memory', memory, 'memory.oom_control');
  const cpuStat = readCgroupKeys('cpu', cpu, 'cpu.stat');
  const quota = readCgroupNumber('cpu', cpu, 'cpu.cfs_quota_us');
  return {
    memory: {
      usageBytes: n(readCgroupNumber('memory', memory, 'memory.usage_in_bytes')),
      maxUsageBytes: n(readCgroupNumber('memory', memory, 'memory.max_usage_in_bytes')),
      limitBytes: readCgroupNumber('memory', memory, 'memory.limit_in_bytes'),
      failcnt: n(readCgroupNumber('memory', memory, 'memory.failcnt')),
      memswFailcnt: cgroupFileExists(memory, 'memory.memsw.failcnt')
        ? n(readCgroupNumber('memory', memory, 'memory.memsw.failcnt'))
        : null,
      oomKills: oom.oom_kill ?? 0,
      underOom: (oom.under_oom ?? 0) !== 0,
    },
    cpu: {
      usageNs: n(readCgroupNumber('cpuacct', cpuacct, 'cpuacct.usage')),
      quotaUs: quota,
      periodUs: n(readCgroupNumber('cpu', cpu, 'cpu.cfs_period_us')),
      periods: cpuStat.nr_periods ?? 0,
      throttledPeriods: cpuStat.nr_throttled ?? 0,
      throttledNs: cpuStat.throttled_time ?? 0,
    },
    pids: {
      current: n(readCgroupNumber('pids', pids, 'pids.current')),
      max: readCgroupNumber('pids', pids, 'pids.max'),
      refusedForks: cgroupFileExists(pids, 'pids.events')
        ? (readCgroupKeys('pids', pids, 'pids.events').max ?? 0)
        : 0,
    },
  };
}
