// oci.ts: the OCI-runtime peers (gVisor's runsc, crun with Docker's profile): bundles the harness makes, and their command lines.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { hostedExample } from '../package/paths.js';
import { dockerCapabilities, dockerOciSeccomp } from '../policy/docker-profile.js';
import { Netns } from './netns.js';
import { type Command, capture, smokeCheck } from './procs.js';

/*
 * What `docker run` (or `docker run --runtime=runsc`) hands its runtime, made by hand: an OCI
 * bundle whose rootfs is the hosted build of the app plus what it needs (the host's /usr,
 * read-only, as an image's /usr; the hosted builds are glibc programs, dynamically linked), and
 * a config.json with Docker's defaults: mount, PID, network, IPC and UTS namespaces, its
 * default capabilities, its masked and read-only /proc paths, and its default seccomp profile
 * (src/policy/docker-profile.ts, in the spec's linux.seccomp form: default action errno
 * EPERM, one allow entry per name or per alternative of its argument conditions). Both
 * runtimes get the same bundle:
 *   crun    runs the app as a host process under that seccomp filter (Docker with crun).
 *   runsc   gVisor, `--platform=ptrace` (no KVM here), `--network=none` (or the sandbox's own
 *           netstack in http): the app runs on gVisor's Sentry, which ignores the spec's
 *           seccomp (it applies it inside the sandbox only with --oci-seccomp, which Docker
 *           does not pass) and installs its own filter on itself.
 * Cgroups are not configured by either (crun --cgroup-manager=disabled, runsc
 * --ignore-cgroups): nabla configures none, and Docker's limits are not what is compared.
 * crun 1.8 refuses a host whose cgroup2 hierarchy beside v1 ("hybrid") has controllers; there
 * each crun command runs in a mount namespace of its own where that hierarchy is unmounted
 * (`unshare --mount`, one more exec per start; the host's mounts are untouched).
 */

export const OCI_RUNTIMES = ['runsc', 'crun'] as const;
export type OciRuntime = (typeof OCI_RUNTIMES)[number];

/** What a reader types to get the runtime (Debian 12's packages). */
const INSTALL: Readonly<Record<OciRuntime, string>> = {
  runsc: 'apt-get install runsc',
  crun: 'apt-get install crun',
};

const UNIFIED = '/sys/fs/cgroup/unified/cgroup.controllers';

/** True on a hybrid cgroup host whose v2 hierarchy has controllers: crun 1.8 refuses to run there. */
export function crunNeedsUnshare(): boolean {
  try {
    return readFileSync(UNIFIED, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** The runtime's global options: its state directory (the run's scratch) and, for runsc, the platform. */
function globals(runtime: OciRuntime, state: string, network: 'none' | 'sandbox'): string[] {
  return runtime === 'runsc'
    ? [`--root=${state}`, '--platform=ptrace', `--network=${network}`, '--ignore-cgroups']
    : [`--root=${state}`, '--cgroup-manager=disabled'];
}

/** `runtime GLOBALS words...`, through the host workarounds where crun or runsc needs one. */
export function runtimeCommand(
  runtime: OciRuntime,
  state: string,
  words: readonly string[],
  network: 'none' | 'sandbox' = 'none',
): Command {
  const args = [...globals(runtime, state, network), ...words];
  if (runtime === 'runsc' && network === 'sandbox') {
    /*
     * runsc 20221219 takes a network namespace where /proc/sys/net/core/rmem_default exists
     * for the host's and refuses it ("cannot run with network enabled in root network
     * namespace"). On newer kernels (this VM's 6.18) that file exists in every namespace, so
     * it refuses the trial's own. With an empty /proc/sys/net it runs; the harness always
     * hands it the trial's namespace by path, never the host's.
     */
    const hideNet = 'mount -t tmpfs -o size=4k,mode=555 nabla-bench /proc/sys/net && exec "$@"';
    return inOwnMountNamespace(hideNet, 'runsc', args);
  }
  if (runtime !== 'crun' || !crunNeedsUnshare()) return { file: runtime, args };
  return inOwnMountNamespace('umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"', 'crun', args);
}

/** `file args...` exec'd by `script` in a mount namespace of its own (the host's mounts untouched). */
function inOwnMountNamespace(script: string, file: string, args: readonly string[]): Command {
  return { file: 'unshare', args: ['--mount', 'sh', '-c', script, 'sh', file, ...args] };
}

let counter = 0;
/** A container id no other container of this run has. */
export const containerId = (): string => `nabla-bench-${process.pid}-${++counter}`;

/** The command that runs the bundle's app in the foreground until it ends (`run`). */
export function ociRun(
  runtime: OciRuntime,
  bundle: Bundle,
  id = containerId(),
  network: 'none' | 'sandbox' = 'none',
): Command {
  return runtimeCommand(runtime, bundle.state, ['run', `--bundle=${bundle.dir}`, id], network);
}

/** Kills and removes container `id` (a no-op when it has ended and was removed already). */
export async function ociDelete(runtime: OciRuntime, bundle: Bundle, id: string): Promise<void> {
  const force = runtime === 'runsc' ? '-force' : '-f';
  await capture(runtimeCommand(runtime, bundle.state, ['delete', force, id]), 30_000);
}

const versions = new Map<OciRuntime, Promise<string | undefined>>();

/** The runtime's version line ("runsc version 0.0~20221219.0", "crun version 1.8.1"), or undefined when not installed. */
export function runtimeVersion(runtime: OciRuntime): Promise<string | undefined> {
  let version = versions.get(runtime);
  if (version === undefined) {
    version = capture({ file: runtime, args: ['--version'] }).then(
      (r) => (r.status === 0 ? r.stdout.split('\n')[0]?.trim() : undefined),
      () => undefined,
    );
    versions.set(runtime, version);
  }
  return version;
}

/** "runsc not installed (apt-get install runsc)" when it is not on PATH, or undefined. */
export async function runtimeMissing(runtime: OciRuntime): Promise<string | undefined> {
  if ((await runtimeVersion(runtime)) !== undefined) return undefined;
  return `${runtime} not installed (${INSTALL[runtime]})`;
}

export interface BundleSpec {
  /** The hosted program, bound read-only at /app/NAME. */
  program: string;
  args: readonly string[];
  /** More read-only bind mounts: [host path, path inside]. */
  binds?: ReadonlyArray<[string, string]>;
  /** Read-write bind mounts (a disk image the app writes). */
  writable?: ReadonlyArray<[string, string]>;
  /** A network namespace to join (its /proc or /run/netns path) instead of a new one. */
  netns?: string;
}

export interface Bundle {
  dir: string;
  /** The runtimes' state directory (--root). */
  state: string;
}

/** Docker's default capabilities (all sets but ambient and inheritable, as Docker gives them). */
function capabilities(): Record<string, string[]> {
  const caps = dockerCapabilities();
  return { bounding: caps, effective: caps, permitted: caps };
}

/** Docker's masked and read-only paths under /proc and /sys. */
const MASKED = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const bind = (source: string, destination: string, ro = true) => ({
  destination,
  type: 'bind',
  source,
  options: ['rbind', ro ? 'ro' : 'rw', 'nosuid', 'nodev'],
});

/** The config.json of `spec`'s container (Docker's defaults, see above). */
export function ociConfig(spec: BundleSpec): Record<string, unknown> {
  const inside = `/app/${basename(spec.program)}`;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [inside, ...spec.args],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      capabilities: capabilities(),
      noNewPrivileges: false,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'nabla-bench',
    mounts: [
      {
        destination: '/proc',
        type: 'proc',
        source: 'proc',
        options: ['nosuid', 'noexec', 'nodev'],
      },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      {
        destination: '/sys',
        type: 'sysfs',
        source: 'sysfs',
        options: ['nosuid', 'noexec', 'nodev', 'ro'],
      },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] },
      bind('/usr', '/usr'),
      bind(spec.program, inside),
      ...(spec.binds ?? []).map(([from, to]) => bind(from, to)),
      ...(spec.writable ?? []).map(([from, to]) => bind(from, to, false)),
    ],
    linux: {
      namespaces: [
        { type: 'pid' },
        spec.netns === undefined ? { type: 'network' } : { type: 'network', path: spec.netns },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
      ],
      maskedPaths: MASKED,
      readonlyPaths: READONLY,
      seccomp: dockerOciSeccomp(),
    },
  };
}

/** Makes the directories a bind mount lands on, inside the (read-only) rootfs. */
function mountPoint(rootfs: string, inside: string, file: boolean): void {
  const path = join(rootfs, inside);
  if (existsSync(path)) return;
  if (file) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
  } else mkdirSync(path, { recursive: true });
}

/**
 * Writes the bundle `name` under `root` (the rootfs: the mount points and the /lib, /bin
 * symlinks into /usr of a merged-/usr image; config.json) and returns it. The state directory
 * is shared by the run's containers.
 */
export function makeBundle(root: string, name: string, spec: BundleSpec): Bundle {
  const dir = join(root, name);
  const rootfs = join(dir, 'rootfs');
  for (const d of ['usr', 'proc', 'dev', 'sys', 'tmp', 'etc', 'app'])
    mkdirSync(join(rootfs, d), { recursive: true });
  // lstat: the links dangle outside the container.
  for (const link of ['lib', 'lib64', 'bin', 'sbin'])
    if (lstatSync(join(rootfs, link), { throwIfNoEntry: false }) === undefined)
      symlinkSync(`usr/${link}`, join(rootfs, link));
  mountPoint(rootfs, `/app/${basename(spec.program)}`, true);
  for (const [from, to] of [...(spec.binds ?? []), ...(spec.writable ?? [])]) {
    mountPoint(rootfs, to, !statSync(from).isDirectory());
  }
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(ociConfig(spec), null, 1)}\n`);
  const state = join(root, 'oci-state');
  mkdirSync(state, { recursive: true });
  return { dir, state };
}

/**
 * Why `runtime` cannot run `bundle` here (not installed, refused), or undefined: runs it once
 * and expects `expect` on stdout (`staysUp`: and that it keeps running, then removes it).
 */
export async function ociUnavailable(
  runtime: OciRuntime,
  bundle: Bundle,
  expect: string,
  staysUp = false,
): Promise<string | undefined> {
  const missing = await runtimeMissing(runtime);
  if (missing) return missing;
  const id = containerId();
  try {
    return await smokeCheck(ociRun(runtime, bundle, id), expect, staysUp, 30_000);
  } finally {
    await ociDelete(runtime, bundle, id);
  }
}

/**
 * Why `runtime` cannot run a container in a network namespace the harness made, or undefined:
 * runs the hosted hello there once. (runsc 20221219's --network=sandbox refuses some hosts
 * with "cannot run with network enabled in root network namespace".)
 */
export async function ociNetworkProblem(
  root: string,
  runtime: OciRuntime,
  prefix: string,
): Promise<string | undefined> {
  const ns = new Netns(prefix);
  const id = containerId();
  const bundle = makeBundle(root, `${runtime}-net-check`, {
    program: hostedExample('hello'),
    args: ['--solo5:quiet'],
    netns: `/run/netns/${ns.name}`,
  });
  try {
    const c = ociRun(runtime, bundle, id, 'sandbox');
    const r = await ns.spawn(c.file, c.args, 30_000, [], true).exited;
    if (r.status === 0 && r.stdout.includes('Hello, world!')) return undefined;
    const said = `${r.stderr}${r.stdout}`.trim().split('\n').pop() ?? '';
    return `${runtime} cannot run a container in a network namespace here (status ${r.status}): ${said}`;
  } finally {
    await ociDelete(runtime, bundle, id);
    await ns.destroy();
  }
}
