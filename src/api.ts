// api.ts: the typed programmatic API: run(options) starts a guest and returns a handle; the CLI is a thin layer.
import type { Readable } from 'node:stream';
import type { DeviceRequest } from './devices/types.js';
import { NablaError } from './errors.js';
import { DEFAULT_MEM_MIB, memMiB, memSizeBytes } from './launch/memory.js';
import { type LaunchRequest, type PreparedLaunch, prepareLaunch } from './launch/prepare.js';
import { collect, type GuestExit, type StdioMode, spawnTender } from './launch/spawn.js';
import type { PolicyRule } from './policy/rules.js';

export interface RunOptions {
  /** Path of the unikernel (.nabla / .spt). */
  kernel: string;
  /** Guest arguments; the guest sees them joined by single spaces. */
  args?: string[];
  /** Guest memory in MiB (default 512). */
  memMiB?: number;
  /** Block devices: manifest name, backing file, optional sector size (default 512). */
  block?: Array<{ name: string; path: string; sectorSize?: number }>;
  /** Network devices: manifest name and a tap interface name or an open descriptor (made non-blocking). */
  net?: Array<{ name: string; iface?: string; fd?: number; mac?: string }>;
  /** Leave guest memory outside its segments executable (upstream's --x-exec-heap). */
  xExecHeap?: boolean;
  /** How the guest's stdout and stderr are handled (default 'pipe'). */
  stdio?: StdioMode;
  /**
   * The user the guest runs as: NAME or UID, optionally `:GROUP` or `:GID`. Default: nobody when
   * this process is root; otherwise the guest keeps this process's ids and a different user throws.
   */
  user?: string;
  /** Allow core dumps (RLIMIT_CORE up to the hard limit; the guest stays dumpable). Default false. */
  core?: boolean;
  /** The tender reports each sandboxing step, and each fallback, on the guest's stderr. */
  verbose?: boolean;
  /** Kill the guest (SIGKILL) after this many milliseconds; its exit then says `timedOut`. */
  timeoutMs?: number;
}

export interface GuestOutput extends GuestExit {
  stdout: string;
  stderr: string;
}

export interface GuestHandle {
  pid: number;
  /** Resolves when the guest has ended. */
  exited: Promise<GuestExit>;
  /** Resolves with the exit and everything the guest printed (empty unless stdio is 'pipe'). */
  output(): Promise<GuestOutput>;
  kill(signal?: NodeJS.Signals): boolean;
  /** The guest's console as it happens (null unless stdio is 'pipe'). */
  stdout: Readable | null;
  stderr: Readable | null;
  /** The rules and the exact BPF the tender installed. */
  policy: PolicyRule[];
  filter: { bpf: Buffer; pfc: string };
}

function expected(what: string, name: string, value: unknown): NablaError {
  return new NablaError(`Expected ${what} for ${name} but received ${JSON.stringify(value)}`);
}

function toRequest(options: RunOptions): LaunchRequest {
  if (typeof options?.kernel !== 'string' || options.kernel === '') {
    throw expected('a non-empty path', 'kernel', options?.kernel);
  }
  const args = options.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))
    throw expected('an array of strings', 'args', args);
  const devices: DeviceRequest[] = [];
  for (const [i, b] of (options.block ?? []).entries()) {
    if (typeof b?.name !== 'string' || typeof b.path !== 'string') {
      throw expected('{ name, path }', `block[${i}]`, b);
    }
    devices.push({ kind: 'block', name: b.name, path: b.path, sectorSize: b.sectorSize });
  }
  for (const [i, n] of (options.net ?? []).entries()) {
    const hasIface = typeof n?.iface === 'string';
    const hasFd = Number.isInteger(n?.fd);
    if (typeof n?.name !== 'string' || hasIface === hasFd) {
      throw expected('{ name, iface } or { name, fd }', `net[${i}]`, n);
    }
    const target = hasIface ? { iface: n.iface as string } : { fd: n.fd as number };
    devices.push({ kind: 'net', name: n.name, target, mac: n.mac });
  }
  if (options.user !== undefined && (typeof options.user !== 'string' || options.user === '')) {
    throw expected('a user name or uid[:gid]', 'user', options.user);
  }
  return {
    kernel: options.kernel,
    args,
    memSize: memSizeBytes(memMiB(options.memMiB ?? DEFAULT_MEM_MIB)),
    xExecHeap: options.xExecHeap ?? false,
    devices,
    ...(options.user === undefined ? {} : { user: options.user }),
    core: options.core === true,
    verbose: options.verbose === true,
  };
}

/** setTimeout's limit: a longer delay would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function checkTimeout(timeoutMs: unknown): number | undefined {
  if (timeoutMs === undefined) return undefined;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > MAX_TIMEOUT_MS
  ) {
    throw expected(
      `a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
      'timeoutMs',
      timeoutMs,
    );
  }
  return timeoutMs;
}

/** Validates, attaches and compiles everything a run needs, without starting it (for audits). */
export function prepare(options: RunOptions): PreparedLaunch {
  return prepareLaunch(toRequest(options));
}

/**
 * Starts a guest under the tender as a child process, which this process supervises: the guest
 * is killed (SIGKILL) if the thread that called run() (the main thread, usually) ends first.
 * Bad input throws NablaError before anything starts.
 */
export function run(options: RunOptions): GuestHandle {
  const timeoutMs = checkTimeout(options?.timeoutMs);
  const prepared = prepare(options);
  let spawned: ReturnType<typeof spawnTender>;
  try {
    spawned = spawnTender(prepared, options.stdio ?? 'pipe', undefined, timeoutMs);
  } finally {
    prepared.release(); // the child holds its own copies now
  }
  const { child, exited } = spawned;
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  return {
    pid: child.pid ?? -1,
    exited,
    output: async () => ({ ...(await exited), stdout: await stdout, stderr: await stderr }),
    kill: (signal = 'SIGKILL') => child.kill(signal),
    stdout: child.stdout,
    stderr: child.stderr,
    policy: prepared.policy,
    filter: prepared.filter,
  };
}
