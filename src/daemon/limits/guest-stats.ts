// guest-stats.ts: one guest's counters for the daemon's stats: CPU time, RSS and PSS, descriptor I/O, its taps, its cgroups.
import { readFileSync } from 'node:fs';
import { NablaError } from '../../errors.js';
import { systemErrorText } from '../../os-errors.js';
import { type CgroupFigures, cgroupFigures } from './cgroup-figures.js';
import type { GuestCgroups } from './cgroups.js';

/** A tap's counters, from the guest's side: tx is what it wrote, rx what was delivered to it. */
export interface TapCounters {
  txBytes: number;
  txPackets: number;
  /** Frames the guest wrote that the host dropped (the tap's rx_dropped). */
  txDropped: number;
  rxBytes: number;
  rxPackets: number;
  /** Frames for the guest dropped because its queue was full (the tap's tx_dropped). */
  rxDropped: number;
}

export interface GuestStats {
  pid: number;
  /** /proc/PID/stat utime and stime. */
  cpu: { userSeconds: number; systemSeconds: number };
  /** /proc/PID/smaps_rollup: resident, and proportional (shared pages divided among sharers). */
  memory: { rssBytes: number; pssBytes: number };
  /**
   * /proc/PID/io rchar, wchar, syscr, syscw: every read and write on a descriptor, so block
   * reads and writes, and also the net devices' frames and the console's lines (docs/limits.md).
   */
  io: { readBytes: number; writeBytes: number; readOps: number; writeOps: number };
  /** Each tap asked for, by name. */
  net: Record<string, TapCounters>;
  /** The figures of its control groups, when asked for. */
  cgroup?: CgroupFigures;
}

export interface GuestStatsOptions {
  /** Tap names whose counters to read, from /proc/NETNS_PID/net/dev. */
  taps?: readonly string[];
  /** A process in the taps' network namespace (default: the guest, which is in the taps' one). */
  netnsPid?: number;
  /** The guest's groups (createGuestCgroups): their figures are added. */
  cgroup?: GuestCgroups;
}

/** USER_HZ: what /proc's clock ticks count, 100 on every Linux architecture nabla runs on. */
const TICKS_PER_SECOND = 100;

/** Reads a /proc file; null when the process is gone. */
function proc(pid: number, name: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw new NablaError(`/proc/${pid}/${name}: ${systemErrorText(error)}`, { code: 'INTERNAL' });
  }
}

/** "key: value" lines as numbers (value's first word). */
function keyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_]+):\s+(\d+)/.exec(line);
    if (match) out.set(match[1] as string, Number(match[2]));
  }
  return out;
}

/** utime and stime: fields 14 and 15, counted after the command name's closing parenthesis. */
function cpuTimes(stat: string): GuestStats['cpu'] {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    userSeconds: Number(fields[11]) / TICKS_PER_SECOND,
    systemSeconds: Number(fields[12]) / TICKS_PER_SECOND,
  };
}

/** The named interfaces' counters in a /proc/PID/net/dev text. */
export function tapCounters(netDev: string, taps: readonly string[]): Record<string, TapCounters> {
  const out: Record<string, TapCounters> = {};
  for (const line of netDev.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!taps.includes(name)) continue;
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes packets errs drop ...
    out[name] = {
      txBytes: v[0] ?? 0,
      txPackets: v[1] ?? 0,
      txDropped: v[3] ?? 0,
      rxBytes: v[8] ?? 0,
      rxPackets: v[9] ?? 0,
      rxDropped: v[11] ?? 0,
    };
  }
  for (const tap of taps) {
    if (!out[tap])
      throw new NablaError(`no interface ${tap} in the guest's network namespace`, {
        code: 'NET_ATTACH',
      });
  }
  return out;
}

/**
 * The counters of the guest with process id `pid`, or null once it has ended. The daemon's
 * GET /v1/instances/{name}/stats. Reading another user's /proc files needs root (or the
 * guest's uid and it dumpable, which it is not by default).
 */
export function guestStats(pid: number, options: GuestStatsOptions = {}): GuestStats | null {
  const stat = proc(pid, 'stat');
  const rollup = proc(pid, 'smaps_rollup');
  const io = proc(pid, 'io');
  if (stat === null || rollup === null || io === null) return null;
  const mem = keyed(rollup);
  const ioKeys = keyed(io);
  let net: Record<string, TapCounters> = {};
  if (options.taps && options.taps.length > 0) {
    const netDev = proc(options.netnsPid ?? pid, 'net/dev');
    if (netDev === null) return null;
    net = tapCounters(netDev, options.taps);
  }
  return {
    pid,
    cpu: cpuTimes(stat),
    memory: { rssBytes: (mem.get('Rss') ?? 0) * 1024, pssBytes: (mem.get('Pss') ?? 0) * 1024 },
    io: {
      readBytes: ioKeys.get('rchar') ?? 0,
      writeBytes: ioKeys.get('wchar') ?? 0,
      readOps: ioKeys.get('syscr') ?? 0,
      writeOps: ioKeys.get('syscw') ?? 0,
    },
    net,
    ...(options.cgroup ? { cgroup: cgroupFigures(options.cgroup) } : {}),
  };
}
