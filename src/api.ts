// api.ts: the typed programmatic API: run(options) starts a guest and returns a handle; the CLI is a thin layer.
import type { Readable } from 'node:stream';
import { normalizeRunOptions } from './api-options.js';
import type { BytesInput } from './bytes.js';
import { checkKeys, object, optionalBoolean } from './checks.js';
import type { DeviceRunOptions } from './devices/registry.js';
import { defaultEngine } from './engine/engine.js';
import { launchCache } from './launch/cache.js';
import { checkCgroupDirs, closeCgroupProcs, openCgroupProcs } from './launch/cgroup-procs.js';
import { type PreparedLaunch, prepareLaunch } from './launch/prepare.js';
import { collect, type GuestExit, type StdioMode, spawnTender } from './launch/spawn.js';
import type { PolicyRule } from './policy/rules.js';

/**
 * What run(), prepare() and audit() take, and what nabla-run's command line is parsed into: the
 * one request. Paths and arguments are bytes: a string is taken as UTF-8 (as Node's fs takes
 * it), a Buffer or Uint8Array as the bytes it holds (a file name need not be UTF-8); none may
 * hold a NUL. Every bad value, and any key not listed here, throws NablaError. The devices are
 * one field per device kind (DeviceRunOptions): `block` (src/devices/block.ts, BlockOptions:
 * manifest name, backing file, optional sector size) and `net` (src/devices/net.ts,
 * NetOptions: manifest name and a tap interface or an open descriptor, optional MAC).
 */
export interface RunOptions extends DeviceRunOptions {
  /** Path of the unikernel (.nabla / .spt). */
  kernel: BytesInput;
  /** Guest arguments; the guest sees their bytes joined by single spaces (at most 8191 bytes). */
  args?: BytesInput[];
  /** Guest memory in MiB (default 512). */
  memMiB?: number;
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

/** Validates, attaches and compiles everything a run needs, without starting it (for audits). */
export function prepare(options: RunOptions): PreparedLaunch {
  return prepareLaunch(normalizeRunOptions(options));
}

/** How run() starts the guest; not part of the request (nabla-run always execs the tender). */
export interface StartOptions {
  /**
   * Through the start engine (default): a resident template of the image forks the guest
   * (docs/start-engine.md). false: spawn a tender for it, as before the engine; also the
   * default when the environment has NABLA_ENGINE=0.
   */
  engine?: boolean;
  /**
   * Control groups to start the guest in: each an absolute path of a group's directory (one
   * per hierarchy, at most 8), for example `/sys/fs/cgroup/memory/nabla/web`. The guest's
   * process joins each (writes itself to its cgroup.procs) before it drops privileges or maps
   * guest memory, so it runs, and is charged, in them from its start (docs/limits.md).
   */
  cgroups?: readonly string[];
  /**
   * Keep everything the guest prints for output() (default true). false: output() resolves
   * with empty stdout and stderr, and the caller reads handle.stdout and handle.stderr as they
   * come; for guests that run long (the daemon), whose console would otherwise be held whole.
   */
  keepOutput?: boolean;
}

/** The guest as started, whichever way: what the handle is built from. */
interface Started {
  readonly pid: number;
  exited: Promise<GuestExit>;
  stdout: Readable | null;
  stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
}

function spawned(prepared: PreparedLaunch, cgroupFds: readonly number[]): Started {
  const { request } = prepared;
  const { child, exited } = spawnTender(
    prepared,
    request.stdio,
    undefined,
    request.timeoutMs,
    cgroupFds,
  );
  return {
    pid: child.pid ?? -1,
    exited,
    stdout: child.stdout,
    stderr: child.stderr,
    kill: (signal = 'SIGKILL') => child.kill(signal),
  };
}

function startChoices(how: StartOptions): {
  engine: boolean;
  cgroups: string[];
  keepOutput: boolean;
} {
  const o = object(how, 'start options');
  checkKeys(o, ['engine', 'cgroups', 'keepOutput'], 'StartOptions');
  return {
    engine: optionalBoolean(o.engine, 'engine') ?? process.env.NABLA_ENGINE !== '0',
    cgroups: checkCgroupDirs(o.cgroups),
    keepOutput: optionalBoolean(o.keepOutput, 'keepOutput') ?? true,
  };
}

/**
 * Starts a guest as a child process, which this process supervises: the guest is killed
 * (SIGKILL) if the thread that called run() (the main thread, usually) ends first. By default
 * the start engine starts it (a template of the image, kept for the next run); `{ engine:
 * false }` spawns a tender instead. Either way the guest is its own process with the same plan,
 * filter and privileges. Bad input throws NablaError before anything starts.
 */
export function run(options: RunOptions, how: StartOptions = {}): GuestHandle {
  const { engine, cgroups, keepOutput } = startChoices(how);
  const request = normalizeRunOptions(options);
  // The ELF checks and the filter are done once per image and option set (launch/cache.ts).
  const prepared = prepareLaunch(request, launchCache);
  let started: Started;
  let cgroupFds: number[] = [];
  try {
    cgroupFds = openCgroupProcs(cgroups);
    started = engine
      ? defaultEngine().start(prepared, request.stdio, request.timeoutMs, cgroupFds)
      : spawned(prepared, cgroupFds);
  } finally {
    prepared.release(); // the guest holds its own copies now
    closeCgroupProcs(cgroupFds);
  }
  const { exited } = started;
  const stdout = collect(keepOutput ? started.stdout : null);
  const stderr = collect(keepOutput ? started.stderr : null);
  return {
    // A getter: the engine's answer with the pid may still be on its way.
    get pid() {
      return started.pid;
    },
    exited,
    output: async () => ({ ...(await exited), stdout: await stdout, stderr: await stderr }),
    kill: (signal) => started.kill(signal),
    stdout: started.stdout,
    stderr: started.stderr,
    policy: prepared.policy,
    filter: prepared.filter,
  };
}
