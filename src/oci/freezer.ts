// freezer.ts: pause and resume through the cgroup v1 freezer: a group per container, FROZEN and THAWED.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseMountinfo, parseProcCgroup } from '../daemon/limits/host-layout.js';
import { ociError } from './errors.js';

/**
 * Where a container's freezer group goes: under this process's own group, or at the hierarchy's
 * root (`fromRoot`, an absolute cgroupsPath); undefined without a freezer.
 */
export function freezerBase(fromRoot = false): string | undefined {
  const mount = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).find(
    (m) => m.fsType === 'cgroup' && m.superOptions.includes('freezer'),
  );
  if (!mount) return undefined;
  if (fromRoot) return mount.point;
  const own = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8')).get('freezer') ?? '/';
  // A group outside what is mounted (another root): the mount's top is all that can be seen.
  return mount.root === '/' ? join(mount.point, own) : mount.point;
}

/** Makes the container's freezer group (a leftover empty one is replaced); '' without a freezer. */
export function createFreezer(names: readonly string[], fromRoot = false): string {
  const base = freezerBase(fromRoot);
  if (base === undefined) return '';
  const dir = join(base, ...names);
  try {
    rmdirSync(dir);
  } catch {
    // not there: the usual case
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function isFrozen(dir: string): boolean {
  if (dir === '') return false;
  try {
    return readFileSync(join(dir, 'freezer.state'), 'utf8').trim() !== 'THAWED';
  } catch {
    return false;
  }
}

/**
 * Writes FROZEN or THAWED and waits (up to 2 s) until the kernel says it is so: FREEZING
 * becomes FROZEN once every task has stopped.
 */
export async function setFrozen(dir: string, frozen: boolean): Promise<void> {
  if (dir === '')
    throw ociError('pause and resume need the cgroup v1 freezer, which this host lacks');
  const want = frozen ? 'FROZEN' : 'THAWED';
  const file = join(dir, 'freezer.state');
  for (let i = 0; i < 200; i++) {
    writeFileSync(file, want);
    if (readFileSync(file, 'utf8').trim() === want) return;
    await sleep(10);
  }
  throw ociError(`${file}: still not ${want} after 2 s`);
}

export function removeFreezer(dir: string): void {
  if (dir === '') return;
  try {
    rmdirSync(dir);
  } catch {
    // gone already, or still busy: delete reports the state, not the freezer
  }
}
