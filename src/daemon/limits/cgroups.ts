// cgroups.ts: a guest's control groups (cgroup v1): made with its limits, removed after it, swept after a crash.
import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expected } from '../../checks.js';
import { cgroupError, cgroupFileExists, readCgroupFile, writeCgroupFile } from './cgroup-files.js';
import type { CgroupLayout, Controller, Hierarchy } from './host-layout.js';

/** What a guest may use; a limit left out is not set (the parent's applies). */
export interface GuestLimits {
  /** Bytes of memory (memory.limit_in_bytes; memory.memsw.limit_in_bytes the same, where it exists). */
  memoryBytes?: number;
  /** CPUs' worth of time per 100 ms period: 0.5 is half of one CPU (cpu.cfs_quota_us). */
  cpus?: number;
  /** Processes and threads (pids.max); a guest is one. */
  pids?: number;
}

/** A guest's groups, one per hierarchy. */
export interface GuestCgroups {
  name: string;
  /** The directories, one per hierarchy: what run()'s StartOptions.cgroups takes. */
  dirs: string[];
  /** The directory of each controller's group. */
  of: Record<Controller, string>;
}

/** The CFS period: quotas are a share of it. 100 ms, the kernel's default. */
export const CPU_PERIOD_US = 100_000;
/** The kernel refuses a quota under 1 ms. */
const MIN_QUOTA_US = 1_000;
/** How long removal waits for a group's tasks to leave (a killed guest being reaped). */
const REMOVE_TIMEOUT_MS = 2_000;

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A group name: letters, digits, `_`, `.`, `-`, not starting with a dot. */
function checkName(value: string, what: string): string {
  if (!NAME.test(value))
    throw expected('a name of letters, digits, _ . - (at most 128)', what, value);
  return value;
}

/** `nabla/<daemon-id>`: names joined by slashes. */
function checkParent(parent: string): string[] {
  const parts = parent.split('/');
  for (const part of parts) checkName(part, 'the cgroup parent');
  return parts;
}

/** The quota for `cpus` CPUs per period, microseconds. */
export function cpuQuotaUs(cpus: number): number {
  if (typeof cpus !== 'number' || !Number.isFinite(cpus) || cpus <= 0 || cpus > 1024)
    throw expected('a number of CPUs above 0 and at most 1024', 'cpus', cpus);
  return Math.max(MIN_QUOTA_US, Math.round(cpus * CPU_PERIOD_US));
}

function checkLimits(limits: GuestLimits): void {
  const { memoryBytes, pids } = limits;
  if (memoryBytes !== undefined && (!Number.isSafeInteger(memoryBytes) || memoryBytes < 4096))
    throw expected('a whole number of bytes, at least 4096', 'memoryBytes', memoryBytes);
  if (pids !== undefined && (!Number.isSafeInteger(pids) || pids < 1))
    throw expected('a whole number of processes, at least 1', 'pids', pids);
  if (limits.cpus !== undefined) cpuQuotaUs(limits.cpus);
}

/** The directories under which `parent`'s groups are made, one per hierarchy. */
export function cgroupParentDirs(layout: CgroupLayout, parent: string): string[] {
  const parts = checkParent(parent);
  return layout.hierarchies.map((h) => join(h.base, ...parts));
}

/** The hierarchy's controllers, for messages: "cpu,cpuacct". */
const shown = (h: Hierarchy) => h.controllers.join(',');

function setLimits(of: Record<Controller, string>, limits: GuestLimits): void {
  if (limits.memoryBytes !== undefined) {
    const value = String(limits.memoryBytes);
    writeCgroupFile('memory', of.memory, 'memory.limit_in_bytes', value);
    // Swap counted with memory, where the kernel accounts it: no swapping past the limit.
    if (cgroupFileExists(of.memory, 'memory.memsw.limit_in_bytes'))
      writeCgroupFile('memory', of.memory, 'memory.memsw.limit_in_bytes', value);
  }
  if (limits.cpus !== undefined) {
    writeCgroupFile('cpu', of.cpu, 'cpu.cfs_period_us', String(CPU_PERIOD_US));
    writeCgroupFile('cpu', of.cpu, 'cpu.cfs_quota_us', String(cpuQuotaUs(limits.cpus)));
  }
  if (limits.pids !== undefined) writeCgroupFile('pids', of.pids, 'pids.max', String(limits.pids));
}

/**
 * Makes the groups of guest `name` under `parent` (e.g. `nabla/<daemon-id>`), below this
 * process's own group in each hierarchy, and sets `limits`. A leftover empty group of the
 * name is replaced (its counters would otherwise carry over). Throws NablaError CGROUP naming
 * the file and controller (nothing is left made), or OPTION_INVALID for a bad name or limit.
 */
export function createGuestCgroups(
  layout: CgroupLayout,
  parent: string,
  name: string,
  limits: GuestLimits = {},
): GuestCgroups {
  const parts = checkParent(parent);
  checkName(name, 'the instance name');
  checkLimits(limits);
  const made: string[] = [];
  const dirOf = new Map<Hierarchy, string>();
  try {
    for (const h of layout.hierarchies) {
      const dir = join(h.base, ...parts, name);
      try {
        mkdirSync(join(h.base, ...parts), { recursive: true });
        try {
          rmdirSync(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        mkdirSync(dir);
      } catch (error) {
        throw cgroupError(shown(h), dir, error);
      }
      made.push(dir);
      dirOf.set(h, dir);
    }
    const of = Object.fromEntries(
      Object.entries(layout.of).map(([c, h]) => [c, dirOf.get(h) as string]),
    ) as Record<Controller, string>;
    setLimits(of, limits);
    return { name, dirs: made, of };
  } catch (error) {
    // Nothing is left made (no task is in them yet); the first failure is the one reported.
    for (const dir of made) {
      try {
        rmdirSync(dir);
      } catch {
        // reported by the sweep, if ever
      }
    }
    throw error;
  }
}

/** The pids in a group (cgroup.procs). */
export function cgroupTasks(dir: string): number[] {
  return readCgroupFile('cgroup', dir, 'cgroup.procs')
    .split('\n')
    .filter((line) => line !== '')
    .map(Number);
}

/** Removes one group, waiting (bounded) for its tasks to leave when the kernel says EBUSY. */
async function removeDir(dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw cgroupError('cgroup', dir, error);
    }
    if (Date.now() >= deadline) {
      const left = cgroupTasks(dir);
      throw cgroupError(
        'cgroup',
        dir,
        `still holds ${left.length > 0 ? `pids ${left.join(', ')}` : 'tasks'} after ${timeoutMs} ms`,
      );
    }
    await sleep(10);
  }
}

/**
 * Removes a guest's groups once it has ended. A group whose tasks are still leaving (a guest
 * killed but not yet reaped) is waited for, up to `timeoutMs` (2 s), then NablaError CGROUP.
 */
export async function removeGuestCgroups(
  groups: GuestCgroups,
  timeoutMs = REMOVE_TIMEOUT_MS,
): Promise<void> {
  for (const dir of groups.dirs) await removeDir(dir, timeoutMs);
}

/**
 * After a crash: removes every group left under `parent` by an earlier run (SIGKILL to any
 * task still in one: a guest the daemon no longer supervises), and the parent's own
 * directories when `removeParent`. Returns the names of the groups it removed.
 */
export async function sweepCgroups(
  layout: CgroupLayout,
  parent: string,
  options: { removeParent?: boolean; timeoutMs?: number } = {},
): Promise<string[]> {
  const swept = new Set<string>();
  const parents = cgroupParentDirs(layout, parent);
  for (const dir of parents) {
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw cgroupError('cgroup', dir, error);
    }
    for (const name of entries) {
      const group = join(dir, name);
      for (const pid of cgroupTasks(group)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await removeDir(group, options.timeoutMs ?? REMOVE_TIMEOUT_MS);
      swept.add(name);
    }
    if (options.removeParent) await removeDir(dir, options.timeoutMs ?? REMOVE_TIMEOUT_MS);
  }
  return [...swept];
}
