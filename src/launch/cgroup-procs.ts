// cgroup-procs.ts: opens the cgroup.procs file of each group a guest is to start in (StartOptions.cgroups).
import { closeSync, constants, openSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { expected } from '../checks.js';
import { NablaError } from '../errors.js';
import { systemErrorText } from '../os-errors.js';
import { PLAN_MAX_CGROUPS } from '../plan/format.js';

/** statfs f_type of cgroup v1 and cgroup v2 (linux/magic.h). */
const CGROUP_MAGIC = 0x27e0eb;
const CGROUP2_MAGIC = 0x63677270;

/** StartOptions.cgroups, checked: absolute paths of group directories, at most 8. */
export function checkCgroupDirs(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > PLAN_MAX_CGROUPS)
    throw expected(`an array of at most ${PLAN_MAX_CGROUPS} cgroup directories`, 'cgroups', value);
  return value.map((dir, i) => {
    if (typeof dir !== 'string' || !dir.startsWith('/') || dir.includes('\0'))
      throw expected('an absolute path of a cgroup directory', `cgroups[${i}]`, dir);
    return dir;
  });
}

function cgroupError(file: string, why: string): NablaError {
  return new NablaError(`${file}: ${why}`, { code: 'CGROUP' });
}

/**
 * Opens each directory's cgroup.procs for writing, after checking that the directory is on a
 * cgroup file system (the tender checks the descriptor again). The tender writes "0" to each
 * before the guest exists (tenders/spt/cgroup_join.c). The caller closes them once sent.
 */
export function openCgroupProcs(dirs: readonly string[]): number[] {
  const fds: number[] = [];
  try {
    for (const dir of dirs) {
      const file = join(dir, 'cgroup.procs');
      let type: number;
      try {
        type = statfsSync(dir).type;
      } catch (error) {
        throw cgroupError(dir, systemErrorText(error));
      }
      if (type !== CGROUP_MAGIC && type !== CGROUP2_MAGIC)
        throw cgroupError(dir, 'not a control group (not on a cgroup file system)');
      try {
        // libuv opens every file with O_CLOEXEC.
        fds.push(openSync(file, constants.O_WRONLY));
      } catch (error) {
        throw cgroupError(file, `cannot open: ${systemErrorText(error)}`);
      }
    }
    return fds;
  } catch (error) {
    closeCgroupProcs(fds);
    throw error;
  }
}

export function closeCgroupProcs(fds: readonly number[]): void {
  for (const fd of fds) closeSync(fd);
}
