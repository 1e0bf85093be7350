// bundle.ts: an OCI bundle (config.json and rootfs) mapped onto one guest: kernel, arguments, memory, devices, limits.
import { realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import type { GuestLimits } from '../daemon/limits/index.js';
import type { BlockOptions } from '../devices/block.js';
import { BUILT } from '../package/paths.js';
import type { OciMount, OciSpec } from './config.js';
import { mapEnvironment } from './environment.js';
import { ociError } from './errors.js';

/** What create starts: everything decided from the bundle, before any file is opened. */
export interface GuestSpec {
  /** The unikernel: rootfs/<process.args[0]>, or nabla-oci's pause guest for a pod sandbox. */
  kernel: string;
  /** The guest's command line: process.args after the first. */
  args: string[];
  memMiB: number;
  /** NAME|UID:GID for the tender; undefined: its default (nobody, when started as root). */
  user?: string;
  blocks: BlockOptions[];
  terminal: boolean;
  /** The pod's sandbox ("pause") container: a guest that only holds the pod network namespace. */
  sandbox: boolean;
  /** The network namespace config.json names (linux.namespaces[type=network].path). */
  netns?: string;
  /** cgroupsPath split into names: ["k8s.io", ID]. */
  cgroupNames: string[];
  /**
   * Whether those names start at each hierarchy's root (an absolute cgroupsPath, as runc takes
   * it and as kubelet's pod groups expect) rather than under this process's own group.
   */
  cgroupsFromRoot: boolean;
  limits: GuestLimits;
  /** What was ignored, said in the log (warning) rather than dropped silently. */
  warnings: string[];
}

const MIB = 2 ** 20;
/** Guest memory without a memory limit: nabla-run's default. */
export const DEFAULT_GUEST_MIB = 512;
/**
 * The memory limit counts the tender too (its own pages and the guest's page tables): the guest
 * gets the limit less this much. A limit under MIN_LIMIT_MIB leaves a guest too small to boot.
 */
export const TENDER_RESERVE_MIB = 8;
export const MIN_LIMIT_MIB = 16;
/** The pause guest needs only its own pages. */
const SANDBOX_MIB = 8;

export const BLOCK_ANNOTATION = 'org.nabla.block.';
const CONTAINER_TYPE = 'io.kubernetes.cri.container-type';

/** A path inside `root` after following links; anything that leaves it is refused. */
function inside(root: string, path: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(join(root, path));
  } catch (error) {
    throw ociError(`${what} ${path}: not found in the container (${(error as Error).message})`);
  }
  const rel = relative(realpathSync(root), real);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw ociError(`${what} ${path}: leads outside the container's root file system`);
  return real;
}

function guestMemory(spec: OciSpec): number {
  const limit = spec.linux?.resources?.memory?.limit;
  // CRI writes 0 for "no limit", runc -1.
  if (limit === undefined || limit <= 0) return DEFAULT_GUEST_MIB;
  const mib = Math.floor(limit / MIB);
  if (mib < MIN_LIMIT_MIB)
    throw ociError(
      `linux.resources.memory.limit: ${limit} bytes is below nabla-oci's minimum of ${MIN_LIMIT_MIB} MiB (the guest gets the limit less ${TENDER_RESERVE_MIB} MiB)`,
    );
  return mib - TENDER_RESERVE_MIB;
}

function guestLimits(spec: OciSpec): GuestLimits {
  const r = spec.linux?.resources;
  const limits: GuestLimits = {};
  const memory = r?.memory?.limit;
  if (memory !== undefined && memory > 0) limits.memoryBytes = memory;
  const quota = r?.cpu?.quota;
  const period = r?.cpu?.period ?? 100_000;
  if (quota !== undefined && quota > 0 && period > 0) limits.cpus = quota / period;
  const pids = r?.pids?.limit;
  if (pids !== undefined && pids > 0) limits.pids = pids;
  return limits;
}

/** The mount whose destination holds `path` (the longest), if any. */
function mountOf(mounts: readonly OciMount[], path: string): OciMount | undefined {
  let best: OciMount | undefined;
  for (const m of mounts) {
    const dest = posix.normalize(m.destination);
    if (path === dest || path.startsWith(dest.endsWith('/') ? dest : `${dest}/`))
      if (!best || dest.length > posix.normalize(best.destination).length) best = m;
  }
  return best;
}

/** The entry, read-only when its mount (or the root file system) is. */
const withMode = (entry: BlockOptions, readOnly: boolean): BlockOptions =>
  readOnly ? { ...entry, readOnly: true } : entry;

/** org.nabla.block.NAME=PATH: PATH in the container, inside the rootfs or a bind mount's source. */
function blockDevices(spec: OciSpec, rootfs: string): BlockOptions[] {
  const blocks: BlockOptions[] = [];
  for (const [key, value] of Object.entries(spec.annotations ?? {})) {
    if (!key.startsWith(BLOCK_ANNOTATION)) continue;
    const name = key.slice(BLOCK_ANNOTATION.length);
    const what = `annotation ${key}:`;
    if (!value.startsWith('/')) throw ociError(`${what} ${value} is not an absolute path`);
    const path = posix.normalize(value);
    const m = mountOf(spec.mounts ?? [], path);
    if (m) {
      const bind =
        m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
      if (!bind || m.source === undefined)
        throw ociError(`${what} ${path} is on a ${m.type ?? 'non-bind'} mount (only bind mounts)`);
      const rest = posix.relative(posix.normalize(m.destination), path);
      const source = rest === '' ? m.source : join(m.source, rest);
      // A read-only mount gives a read-only device: the guest's writes fail, its reads work.
      blocks.push(withMode({ name, path: source }, (m.options ?? []).includes('ro')));
    } else {
      blocks.push(
        withMode({ name, path: inside(rootfs, path, what) }, spec.root.readonly === true),
      );
    }
  }
  return blocks;
}

function cgroupNames(spec: OciSpec, id: string): string[] {
  const path = spec.linux?.cgroupsPath;
  if (path === undefined || path === '') return ['nabla-oci', id];
  if (path.includes(':'))
    throw ociError(
      `linux.cgroupsPath ${path}: a systemd slice path; nabla-oci uses cgroupfs paths (set SystemdCgroup = false)`,
    );
  const names = path.split('/').filter((p) => p !== '');
  if (names.length === 0) throw ociError(`linux.cgroupsPath ${path}: names no group`);
  return names;
}

/** The whole mapping (docs/oci.md §2); every refusal is one line naming the field. */
export function mapBundle(bundle: string, spec: OciSpec, id: string): GuestSpec {
  const rootfs = resolve(bundle, spec.root.path);
  const annotations = spec.annotations ?? {};
  const [first = '', ...rest] = spec.process.args;
  const sandbox =
    annotations[CONTAINER_TYPE] === 'sandbox' ||
    (spec.process.args.length === 1 && posix.basename(first) === 'pause');
  const warnings: string[] = [];
  const netns = spec.linux?.namespaces?.find((n) => n.type === 'network')?.path;
  const common = {
    terminal: spec.process.terminal === true,
    cgroupNames: cgroupNames(spec, id),
    cgroupsFromRoot: spec.linux?.cgroupsPath?.startsWith('/') ?? false,
    limits: guestLimits(spec),
    warnings,
    ...(netns ? { netns } : {}),
  };
  if (sandbox) {
    // The image's own pause binary is a Linux program: the sandbox is nabla's pause guest.
    return {
      ...common,
      kernel: join(BUILT.oci, 'pause.nabla'),
      args: [],
      memMiB: SANDBOX_MIB,
      blocks: [],
      sandbox: true,
    };
  }
  if (!/\.(nabla|spt)$/.test(first))
    throw ociError(
      `process.args[0] ${JSON.stringify(first)} is not a unikernel: nabla-oci runs a .nabla or .spt file of the image (its entrypoint)`,
    );
  const kernel = inside(rootfs, first, 'process.args[0]');
  const env = mapEnvironment(spec.process.env ?? []);
  warnings.push(...env.warnings);
  if (spec.process.cwd !== undefined && spec.process.cwd !== '/')
    warnings.push(`process.cwd ${spec.process.cwd} ignored: a unikernel has no working directory`);
  const uid = spec.process.user?.uid ?? 0;
  return {
    ...common,
    kernel,
    args: [...env.args, ...rest],
    memMiB: guestMemory(spec),
    // uid 0 is containerd's default, not a wish: the guest then runs as nobody, as under nabla-run.
    ...(uid !== 0 ? { user: `${uid}:${spec.process.user?.gid ?? uid}` } : {}),
    blocks: blockDevices(spec, rootfs),
    sandbox: false,
  };
}
