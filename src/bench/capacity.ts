// capacity.ts: whether this machine can keep N more processes alive at once (pids, threads, RLIMIT_NPROC, cgroup, memory, descriptors), and why not.
import { readFileSync } from 'node:fs';

/*
 * The start scenario's largest point (10,000 idle guests) must not run where it cannot fit:
 * half-way it would fail with EAGAIN or ENOMEM, or push the machine into swap and time every
 * other variant wrongly. So before a point is run, the host's limits are read and compared
 * with what N guests take; a point that does not fit is skipped with the limit that stops it.
 */

/** What one idle guest is budgeted: twice its measured PSS + page tables + kernel task (~250 KiB). */
export const KIB_PER_GUEST = 512;
/** Memory left over for everything else while N guests run. */
const RESERVE_KIB = 1024 * 1024;
/** Processes and threads left over (this harness's, the system's, a margin for the rest). */
const SPARE_TASKS = 1000;
/** Descriptors this process keeps for itself besides the guests' pipes. */
const SPARE_FDS = 256;

/** The host's limits that decide how many processes can be alive at once (undefined: none found). */
export interface HostLimits {
  /** kernel.pid_max: every process and thread takes a pid below it. */
  pidMax: number;
  /** kernel.threads-max. */
  threadsMax: number;
  /** Threads (every task) alive now, system-wide: /proc/loadavg's fourth field. */
  tasks: number;
  /** RLIMIT_NPROC's soft limit (Infinity: unlimited). */
  nproc: number;
  /** RLIMIT_NOFILE's soft limit of this process (Node raises it to the hard limit at start-up). */
  nofile: number;
  /** This process's cgroup's pids.max and pids.current, when it has a limit. */
  cgroupPids?: { max: number; current: number };
  /** MemAvailable, KiB. */
  memAvailableKiB: number;
  /** Room left under this process's cgroup's memory limit, KiB, when it has one. */
  cgroupMemKiB?: number;
  /** vm.overcommit_memory = 2: the commit limit applies; then CommitLimit - Committed_AS, KiB. */
  strictCommitKiB?: number;
}

/** What N guests need: how many at once, each one's guest memory, how many pipes each holds. */
export interface GuestDemand {
  n: number;
  /** Guest memory per guest (--mem), MiB: counts only under strict overcommit. */
  guestMemMiB: number;
  /** Pipe ends this process holds for guests not yet ready: at most this many at once. */
  pipeEnds: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const gib = (kib: number) => `${(kib / 1024 / 1024).toFixed(1)} GiB`;

/** Why `demand` does not fit in `limits` (the first limit it exceeds), or undefined when it fits. */
export function capacityProblem(demand: GuestDemand, limits: HostLimits): string | undefined {
  const { n } = demand;
  const tasks = n + limits.tasks + SPARE_TASKS;
  if (tasks > limits.pidMax)
    return `${fmt(n)} guests need about ${fmt(tasks)} pids; kernel.pid_max is ${fmt(limits.pidMax)} (${fmt(limits.tasks)} tasks running)`;
  if (tasks > limits.threadsMax)
    return `${fmt(n)} guests need about ${fmt(tasks)} tasks; kernel.threads-max is ${fmt(limits.threadsMax)}`;
  if (tasks > limits.nproc)
    return `${fmt(n)} guests need about ${fmt(tasks)} processes; RLIMIT_NPROC is ${fmt(limits.nproc)}`;
  if (limits.cgroupPids && n + limits.cgroupPids.current + SPARE_TASKS > limits.cgroupPids.max)
    return `${fmt(n)} guests do not fit under this cgroup's pids.max of ${fmt(limits.cgroupPids.max)} (${fmt(limits.cgroupPids.current)} in use)`;
  const memory = n * KIB_PER_GUEST + RESERVE_KIB;
  if (memory > limits.memAvailableKiB)
    return `${fmt(n)} guests are budgeted ${gib(memory)} (${KIB_PER_GUEST} KiB each and 1 GiB spare); MemAvailable is ${gib(limits.memAvailableKiB)}`;
  if (limits.cgroupMemKiB !== undefined && memory > limits.cgroupMemKiB)
    return `${fmt(n)} guests are budgeted ${gib(memory)}; this cgroup's memory limit leaves ${gib(limits.cgroupMemKiB)}`;
  const commit = n * demand.guestMemMiB * 1024;
  if (limits.strictCommitKiB !== undefined && commit > limits.strictCommitKiB)
    return `${fmt(n)} guests of ${demand.guestMemMiB} MiB commit ${gib(commit)} under vm.overcommit_memory=2; ${gib(limits.strictCommitKiB)} is left`;
  const fds = demand.pipeEnds + SPARE_FDS;
  if (fds > limits.nofile)
    return `${fmt(n)} guests need up to ${fmt(fds)} descriptors here; RLIMIT_NOFILE is ${fmt(limits.nofile)}`;
  return undefined;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const number = (text: string | undefined): number | undefined => {
  const value = Number(text?.trim());
  return text === undefined || !Number.isFinite(value) ? undefined : value;
};

/** A soft limit from /proc/self/limits ("Max processes", "Max open files"). */
function softLimit(limits: string, name: string): number {
  const line = limits.split('\n').find((l) => l.startsWith(name));
  const soft = line?.slice(name.length).trim().split(/\s+/)[0];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

/** A field of /proc/meminfo in KiB. */
function meminfo(text: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
}

/** This process's cgroup directory for `controller` (v1) or the unified one (v2). */
function cgroupDir(controller: string): string | undefined {
  const lines = (read('/proc/self/cgroup') ?? '').split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
  if (v1 !== undefined) return `/sys/fs/cgroup/${controller}${v1.split(':')[2] ?? ''}`;
  const v2 = lines.find((l) => l.startsWith('0::'));
  return v2 === undefined ? undefined : `/sys/fs/cgroup${v2.slice(3)}`;
}

/** A cgroup limit and its current use, when the limit is set (not "max", not near 2^63). */
function cgroupLimit(
  controller: string,
  files: [limit: string, current: string][],
): { max: number; current: number } | undefined {
  const dir = cgroupDir(controller);
  if (dir === undefined) return undefined;
  for (const [limitFile, currentFile] of files) {
    const max = number(read(`${dir}/${limitFile}`));
    const current = number(read(`${dir}/${currentFile}`));
    if (max !== undefined && current !== undefined && max < 2 ** 60) return { max, current };
  }
  return undefined;
}

/** Reads the host's limits now. */
export function hostLimits(): HostLimits {
  const limits = read('/proc/self/limits') ?? '';
  const mem = read('/proc/meminfo') ?? '';
  const loadavg = read('/proc/loadavg') ?? '';
  const tasks = Number(/\d+\/(\d+)/.exec(loadavg)?.[1] ?? 0);
  const memory = cgroupLimit('memory', [
    ['memory.max', 'memory.current'],
    ['memory.limit_in_bytes', 'memory.usage_in_bytes'],
  ]);
  const pids = cgroupLimit('pids', [['pids.max', 'pids.current']]);
  const strict = number(read('/proc/sys/vm/overcommit_memory')) === 2;
  return {
    pidMax: number(read('/proc/sys/kernel/pid_max')) ?? 32768,
    threadsMax: number(read('/proc/sys/kernel/threads-max')) ?? Number.POSITIVE_INFINITY,
    tasks,
    nproc: softLimit(limits, 'Max processes'),
    nofile: softLimit(limits, 'Max open files'),
    ...(pids === undefined ? {} : { cgroupPids: pids }),
    memAvailableKiB: meminfo(mem, 'MemAvailable'),
    ...(memory === undefined ? {} : { cgroupMemKiB: (memory.max - memory.current) / 1024 }),
    ...(strict
      ? { strictCommitKiB: meminfo(mem, 'CommitLimit') - meminfo(mem, 'Committed_AS') }
      : {}),
  };
}
