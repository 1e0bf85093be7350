// host-layout.ts: where this host's cgroup controllers are mounted and where this process sits in each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NablaError } from '../../errors.js';

/** The controllers limits and figures use: memory, CPU quota, CPU usage, process count. */
export const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
export type Controller = (typeof CONTROLLERS)[number];

/** One cgroup v1 hierarchy: its mount point and this process's group in it. */
export interface Hierarchy {
  /** The controllers mounted together here (for example `cpu` and `cpuacct`). */
  controllers: Controller[];
  /** Where it is mounted, from /proc/self/mountinfo. */
  mount: string;
  /** This process's group as a directory: new groups are made under it (docs/limits.md). */
  base: string;
}

/** The host's cgroup layout for limits: cgroup v1, one or more hierarchies for the four. */
export interface CgroupLayout {
  version: 1;
  hierarchies: Hierarchy[];
  /** The hierarchy of each controller. */
  of: Record<Controller, Hierarchy>;
}

interface Mount {
  root: string;
  point: string;
  fsType: string;
  superOptions: string[];
}

/** mountinfo's octal escapes (\040 for a space) undone. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}

/** The cgroup and cgroup2 mounts of a /proc/PID/mountinfo text. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    const fsType = fields[dash + 1] as string;
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({
      root: unescapeOctal(fields[3] as string),
      point: unescapeOctal(fields[4] as string),
      fsType,
      superOptions: (fields[dash + 3] as string).split(','),
    });
  }
  return mounts;
}

/** /proc/PID/cgroup: for each v1 controller its group's path; '' keys the v2 group. */
export function parseProcCgroup(text: string): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, list, path] = match as unknown as [string, string, string];
    if (list === '') groups.set('', path);
    for (const name of list.split(',')) if (name !== '') groups.set(name, path);
  }
  return groups;
}

/** The directory of `path` (a group path from /proc/self/cgroup) under a mount of `root`. */
function groupDir(mount: Mount, path: string): string {
  let dir = mount.point; // a group outside what is mounted: the mount's top is all we can see
  if (mount.root === '/') dir = join(mount.point, path);
  else if (path === mount.root || path.startsWith(`${mount.root}/`))
    dir = join(mount.point, path.slice(mount.root.length));
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

/**
 * The layout for limits from the two texts (read by hostCgroupLayout). Throws NablaError
 * CGROUP, one line, when a controller has no v1 hierarchy: on a host with only the unified
 * (v2) hierarchy, or with v2 holding the controller, limits are not available (docs/limits.md).
 */
export function cgroupLayout(mountinfo: string, procCgroup: string): CgroupLayout {
  const mounts = parseMountinfo(mountinfo);
  const groups = parseProcCgroup(procCgroup);
  const byPoint = new Map<string, Hierarchy>();
  const of: Partial<Record<Controller, Hierarchy>> = {};
  const missing: Controller[] = [];
  for (const controller of CONTROLLERS) {
    const mount = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));
    if (!mount) {
      missing.push(controller);
      continue;
    }
    let hierarchy = byPoint.get(mount.point);
    if (!hierarchy) {
      hierarchy = {
        controllers: [],
        mount: mount.point,
        base: groupDir(mount, groups.get(controller) ?? '/'),
      };
      byPoint.set(mount.point, hierarchy);
    }
    hierarchy.controllers.push(controller);
    of[controller] = hierarchy;
  }
  if (missing.length > 0) {
    const unified = mounts.some((m) => m.fsType === 'cgroup2');
    throw new NablaError(
      `limits need cgroup v1 hierarchies for the memory, cpu, cpuacct and pids controllers; this host has none for ${missing.join(', ')}${unified ? ' (cgroup v2, the unified hierarchy, is not supported yet)' : ''}`,
      { code: 'CGROUP' },
    );
  }
  return {
    version: 1,
    hierarchies: [...byPoint.values()],
    of: of as Record<Controller, Hierarchy>,
  };
}

/** This host's layout, from /proc/self/mountinfo and /proc/self/cgroup. */
export function hostCgroupLayout(): CgroupLayout {
  return cgroupLayout(
    readFileSync('/proc/self/mountinfo', 'utf8'),
    readFileSync('/proc/self/cgroup', 'utf8'),
  );
}

/**
 * The same hierarchies with new groups made at each one's root (its mount point) instead of
 * under this process's group: where an OCI runtime puts an absolute cgroupsPath, so that a
 * container lands in the groups kubelet made for its pod.
 */
export function atHierarchyRoots(layout: CgroupLayout): CgroupLayout {
  const moved = new Map(layout.hierarchies.map((h) => [h, { ...h, base: h.mount }]));
  const of = Object.fromEntries(
    Object.entries(layout.of).map(([c, h]) => [c, moved.get(h) as Hierarchy]),
  ) as Record<Controller, Hierarchy>;
  return { version: 1, hierarchies: [...moved.values()], of };
}
