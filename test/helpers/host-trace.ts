// host-trace.ts: what a sandboxed run may leave behind on the host: processes, files, descriptors.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  pgrp: number;
  session: number;
}

/** /proc/PID/stat; null when the process is gone. comm may hold spaces and ')'. */
function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  // After "comm)": state ppid pgrp session ...
  const [, ppid, pgrp, session] = text
    .slice(close + 2)
    .split(' ')
    .map(Number);
  return { pid, comm, ppid: ppid ?? 0, pgrp: pgrp ?? 0, session: session ?? 0 };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** Every process whose stat or command line `match` accepts, one line each. */
function scanProcesses(match: (stat: ProcStat, cmdline: string) => boolean): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const stat = procStat(pid);
    if (!stat) continue;
    const line = cmdline(pid);
    if (match(stat, line))
      found.push(
        `pid ${pid} (${stat.comm}) ppid ${stat.ppid} pgrp ${stat.pgrp} sid ${stat.session}: ${line}`,
      );
  }
  return found;
}

/**
 * Processes left by a finished run that launchGuest started (its own session and process
 * group, argv[0] = tag). A descendant cannot leave that group: setsid and setpgid are outside
 * the filter it inherits. So one kill(-pid, 0) answers, and finding no group (ESRCH) means
 * nothing is left; only otherwise (a member, or the number reused) is /proc scanned for
 * children, group and session members and command lines starting with the tag.
 * Returns one line per process; empty when nothing is left.
 */
export function leftoverProcesses(guestPid: number, tag: string): string[] {
  try {
    process.kill(-guestPid, 0); // signal 0: nothing is sent
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return [];
  }
  return scanProcesses(
    (stat, line) =>
      stat.ppid === guestPid ||
      stat.pgrp === guestPid ||
      stat.session === guestPid ||
      line.startsWith(tag),
  );
}

/** Processes whose command line starts with `prefix` (the tags of a whole series of runs). */
export function processesTagged(prefix: string): string[] {
  return scanProcesses((_, line) => line.startsWith(prefix));
}

/** A directory tree as path → "type mode size mtime ctime [sha256]", to compare before/after. */
export type DirSnapshot = Map<string, string>;

export function snapshotDir(dir: string): DirSnapshot {
  const snapshot: DirSnapshot = new Map();
  const walk = (rel: string): void => {
    const path = join(dir, rel);
    const st = lstatSync(path, { bigint: true });
    const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    let line = `${kind} ${st.mode.toString(8)} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
    if (kind === 'file')
      line += ` ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    snapshot.set(rel === '' ? '.' : rel, line);
    if (kind === 'dir') for (const name of readdirSync(path).sort()) walk(join(rel, name));
  };
  walk('');
  return snapshot;
}

/** Lines describing what differs; `skip` names paths whose change is expected. */
export function diffSnapshots(
  before: DirSnapshot,
  after: DirSnapshot,
  skip: ReadonlySet<string> = new Set(),
): string[] {
  const changes: string[] = [];
  for (const [path, line] of before) {
    if (skip.has(path)) continue;
    const now = after.get(path);
    if (now === undefined) changes.push(`${path}: removed (was ${line})`);
    else if (now !== line) changes.push(`${path}: ${line} -> ${now}`);
  }
  for (const [path, line] of after)
    if (!before.has(path)) changes.push(`${path}: appeared (${line})`);
  return changes;
}
