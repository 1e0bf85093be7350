// index.ts: per-guest limits (cgroup v1) and counters, as the daemon uses them (docs/limits.md).
export { type CgroupFigures, cgroupFigures } from './cgroup-figures.js';
export {
  CPU_PERIOD_US,
  cgroupParentDirs,
  cgroupTasks,
  cpuQuotaUs,
  createGuestCgroups,
  type GuestCgroups,
  type GuestLimits,
  removeGuestCgroups,
  sweepCgroups,
} from './cgroups.js';
export {
  type GuestStats,
  type GuestStatsOptions,
  guestStats,
  type TapCounters,
  tapCounters,
} from './guest-stats.js';
export {
  atHierarchyRoots,
  type CgroupLayout,
  CONTROLLERS,
  type Controller,
  cgroupLayout,
  type Hierarchy,
  hostCgroupLayout,
} from './host-layout.js';
