// proc-state.ts: reads a process's namespaces, limits, liveness and children from /proc.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const NAMESPACES = ['user', 'mnt', 'ipc', 'uts', 'net', 'cgroup', 'pid'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** The namespace links of `pid` ("net:[4026531840]"), by name. */
export function namespaces(pid: number | 'self'): Record<Namespace, string> {
  return Object.fromEntries(
    NAMESPACES.map((ns) => [ns, readlinkSync(`/proc/${pid}/ns/${ns}`)]),
  ) as Record<Namespace, string>;
}

/** /proc/PID/limits as { "Max open files": { soft, hard } }. */
export function limits(pid: number): Record<string, { soft: string; hard: string }> {
  const rows: Record<string, { soft: string; hard: string }> = {};
  for (const line of readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').slice(1)) {
    const match = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (match) rows[match[1] as string] = { soft: match[2] as string, hard: match[3] as string };
  }
  return rows;
}

/** State letter and parent of `pid` from /proc/PID/stat, or null when there is no such process. */
export function stat(pid: number): { state: string; ppid: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] as string, ppid: Number(fields[1]) };
}

/** The processes whose parent is `ppid` (one that ends while listed is left out). */
export function children(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^[0-9]+$/.test(e))
    .map(Number)
    .filter((pid) => stat(pid)?.ppid === ppid);
}

/** Gone: no process, or one that has died and waits only to be reaped (zombie, dead). */
export function isGone(pid: number): boolean {
  const s = stat(pid);
  return s === null || s.state === 'Z' || s.state === 'X';
}

/** Children of `ppid` that have exited and were never reaped. */
export function zombieChildren(ppid: number): number[] {
  const zombies: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s.ppid === ppid && s.state === 'Z') zombies.push(Number(name));
  }
  return zombies;
}

/** This process's descriptors, number → target, without the one used to list them. */
export function ownDescriptors(): Map<number, string> {
  const fds = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      fds.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // the listing's own descriptor, closed by the time it is read
    }
  }
  const listing = `/proc/${process.pid}/fd`;
  for (const [fd, target] of fds) if (target === listing) fds.delete(fd);
  return fds;
}

/** Polls every millisecond until `done()` or `limitMs`; returns the milliseconds it took, or null. */
export async function pollFor(done: () => boolean, limitMs: number): Promise<number | null> {
  const start = performance.now();
  for (;;) {
    if (done()) return performance.now() - start;
    if (performance.now() - start > limitMs) return null;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
