// lifecycle.ts: start, state, kill, delete, ps, list, pause and resume of a created container.
import { rmdirSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeGuestCgroups } from '../daemon/limits/index.js';
import { ociError } from './errors.js';
import { releaseHolder } from './fifo.js';
import { isFrozen, removeFreezer, setFrozen } from './freezer.js';
import type { RuntimeLog } from './log.js';
import { removePodNetwork } from './pod-network.js';
import {
  alive,
  type ContainerRecord,
  fifoPath,
  listIds,
  loadRecord,
  mustLoad,
  removeRecord,
  type Status,
  saveRecord,
  statusOf,
} from './state.js';

const status = (r: ContainerRecord): Status => statusOf(r, isFrozen(r.freezer));

export async function start(root: string, id: string): Promise<void> {
  const record = mustLoad(root, id);
  const now = status(record);
  if (now !== 'created') throw ociError(`cannot start a container that is ${now}`);
  await releaseHolder(fifoPath(root, id), () => alive(record));
  saveRecord(root, { ...record, started: true });
}

/** The runtime spec's state, with runc's extra fields (rootfs, created, owner). */
export function stateOf(record: ContainerRecord) {
  const now = status(record);
  return {
    ociVersion: record.ociVersion,
    id: record.id,
    pid: now === 'stopped' ? 0 : record.pid,
    status: now,
    bundle: record.bundle,
    rootfs: record.rootfs,
    created: record.created,
    owner: '',
    annotations: record.annotations,
  };
}

export function state(root: string, id: string): string {
  return `${JSON.stringify(stateOf(mustLoad(root, id)), null, 2)}\n`;
}

/** 15, TERM, SIGTERM: a signal as runc takes it. */
export function signalNumber(text: string): number {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= 64) return n;
  } else {
    const name = (
      text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`
    ) as keyof typeof constants.signals;
    const n = constants.signals[name];
    if (n !== undefined) return n;
  }
  throw ociError(`invalid signal ${JSON.stringify(text)}`);
}

export function kill(root: string, id: string, signal: string, all: boolean): void {
  const record = mustLoad(root, id);
  const sig = signalNumber(signal);
  // The shim sends `kill --all` after the container has exited: runc says yes then.
  if (!alive(record)) {
    if (all) return;
    throw ociError('container not running');
  }
  try {
    process.kill(all ? -record.pid : record.pid, sig);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') {
      if (all) return;
      throw ociError('container not running');
    }
    throw ociError(`kill ${record.pid}: ${code}`);
  }
}

/** Waits (bounded) until the process has exited, zombie or gone. */
async function waitEnded(record: ContainerRecord, ms: number): Promise<void> {
  for (let waited = 0; waited < ms && alive(record); waited += 10) await sleep(10);
}

export async function remove(
  root: string,
  id: string,
  force: boolean,
  log: RuntimeLog,
): Promise<void> {
  const record = loadRecord(root, id);
  if (!record) {
    // The shim's cleanup runs `delete --force` again: nothing to do is success.
    if (force) return;
    throw ociError(`container "${id}" does not exist`);
  }
  const now = status(record);
  if (now !== 'stopped' && now !== 'created' && !force)
    throw ociError(`cannot delete container ${id} that is not stopped: ${now}`);
  if (alive(record)) {
    // A frozen task takes SIGKILL only once thawed.
    if (isFrozen(record.freezer)) await setFrozen(record.freezer, false).catch(() => {});
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
    await waitEnded(record, 2000);
  }
  if (record.network) removePodNetwork(record.network);
  try {
    await removeGuestCgroups({ name: id, dirs: record.cgroups, of: {} as never });
  } catch (error) {
    log.write('warning', `delete ${id}: ${(error as Error).message}`);
  }
  removeFreezer(record.freezer);
  removeEmptyParents(
    [...record.cgroups, ...(record.freezer ? [record.freezer] : [])],
    record.cgroupDepth,
  );
  removeRecord(root, id);
}

/** The parents create made for cgroupsPath (`/k8s.io/ID`: k8s.io), once nothing else is in them. */
function removeEmptyParents(dirs: readonly string[], depth: number): void {
  for (const dir of dirs) {
    let parent = dir;
    for (let i = 0; i < depth; i++) {
      parent = dirname(parent);
      try {
        rmdirSync(parent);
      } catch {
        break; // another container's, or the host's: kept
      }
    }
  }
}

export function ps(root: string, id: string, format: string): string {
  const record = mustLoad(root, id);
  const pids = alive(record) ? [record.pid] : [];
  if (format === 'json') return `${JSON.stringify(pids)}\n`;
  return `PID\n${pids.map((p) => `${p}\n`).join('')}`;
}

export function list(root: string, format: string): string {
  const states = listIds(root).flatMap((id) => {
    const record = loadRecord(root, id);
    return record ? [stateOf(record)] : [];
  });
  if (format === 'json') return `${JSON.stringify(states)}\n`;
  if (format === 'quiet') return states.map((s) => `${s.id}\n`).join('');
  const rows = states.map(
    (s) => `${s.id}\t${s.pid}\t${s.status}\t${s.bundle}\t${s.created}\t${s.owner}`,
  );
  return `${['ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER', ...rows].join('\n')}\n`;
}

export async function pause(root: string, id: string, frozen: boolean): Promise<void> {
  const record = mustLoad(root, id);
  const now = status(record);
  if (frozen && now !== 'running') throw ociError(`cannot pause a container that is ${now}`);
  if (!frozen && now !== 'paused') throw ociError(`cannot resume a container that is ${now}`);
  await setFrozen(record.freezer, frozen);
}
