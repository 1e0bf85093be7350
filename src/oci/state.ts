// state.ts: a container's record under --root: <root>/<id>/state.json, written atomically, and its status from its pid.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ociError } from './errors.js';

/** What create decided and start, kill, delete and state read back. */
export interface ContainerRecord {
  ociVersion: string;
  id: string;
  /** The holder's pid, which becomes the tender's and so the guest's (exec keeps it). */
  pid: number;
  /** The pid's start time (field 22 of /proc/PID/stat): a reused pid is not our process. */
  pidStart: string;
  bundle: string;
  rootfs: string;
  created: string;
  annotations: Record<string, string>;
  /** `start` has been called: the fifo was opened for writing. */
  started: boolean;
  /** Control group directories made for it (removed by delete). */
  cgroups: string[];
  /** How many parents of each group cgroupsPath named (removed by delete once empty). */
  cgroupDepth: number;
  /** The freezer group, for pause and resume (empty: none). */
  freezer: string;
  /** The pod network this container set up: its namespace and tap (removed by delete). */
  network?: { netns: string; tap: string; iface: string };
}

export type Status = 'created' | 'running' | 'paused' | 'stopped';

/** Container ids as runc takes them: no path separators, no dot names. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_+.-]{0,1023}$/;

export function checkId(id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id) || id.includes('..'))
    throw ociError(`invalid container id ${JSON.stringify(id)}: letters, digits, _ + . - only`);
  return id;
}

export const containerDir = (root: string, id: string) => join(root, checkId(id));
export const fifoPath = (root: string, id: string) => join(containerDir(root, id), 'exec.fifo');

/** Writes the record with rename(2): a reader sees the old record or the new one, never part. */
export function saveRecord(root: string, record: ContainerRecord): void {
  const dir = containerDir(root, record.id);
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const tmp = join(dir, `.state.json.${process.pid}`);
  writeFileSync(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  renameSync(tmp, join(dir, 'state.json'));
}

/** The record, or undefined when no container of that id exists under root. */
export function loadRecord(root: string, id: string): ContainerRecord | undefined {
  let text: string;
  try {
    text = readFileSync(join(containerDir(root, id), 'state.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as ContainerRecord;
}

/** Like loadRecord, with the error text the shim matches ("does not exist": NotFound). */
export function mustLoad(root: string, id: string): ContainerRecord {
  const record = loadRecord(root, id);
  if (!record) throw ociError(`container "${id}" does not exist`);
  return record;
}

export function removeRecord(root: string, id: string): void {
  rmSync(containerDir(root, id), { recursive: true, force: true });
}

export function listIds(root: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && ID.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** /proc/PID/stat's state and start time, or undefined once the process is gone. */
export function procStat(pid: number): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', start: fields[19] ?? '' };
}

/** Our process still exists and is not a zombie (a zombie has exited: stopped). */
export function alive(record: ContainerRecord): boolean {
  const stat = procStat(record.pid);
  return stat !== undefined && stat.start === record.pidStart && stat.state !== 'Z';
}

export function statusOf(record: ContainerRecord, frozen: boolean): Status {
  if (!alive(record)) return 'stopped';
  if (frozen) return 'paused';
  return record.started ? 'running' : 'created';
}
