// observe.ts: records the syscalls a guest (or any program) really makes, by running it under syscall-trace.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import type { Readable } from 'node:stream';
import { NablaError } from '../errors.js';
import type { PreparedLaunch } from '../launch/prepare.js';
import { collect, spawnTender } from '../launch/spawn.js';
import { syscallName } from '../native/index.js';
import { tool } from '../package/paths.js';
import { PLAN_RLIM_INFINITY } from '../plan/format.js';
import type { Observation } from './observation.js';

export type { Observation } from './observation.js';

export interface ObserveOptions {
  /** Kill the program (SIGKILL) after this many milliseconds; the report then says timedOut. */
  timeoutMs?: number;
  /** 'pipe' (default) captures the program's stdout and stderr; 'ignore' discards them. */
  stdio?: 'pipe' | 'ignore';
  /** observeGuest only: also read back the filter the kernel installed (needs CAP_SYS_ADMIN). */
  readFilter?: boolean;
}

/**
 * What a program run by traceProcess gives up before its exec (tenders/tools/confine.c),
 * decided by the caller (for the audit's hosted run: hosted.ts).
 */
export interface Confinement {
  /** The ids to switch to (started as root), or 'keep'. */
  user: { uid: number; gid: number } | 'keep';
  /** CLONE_NEW* flags, unshared where the host allows. */
  namespaces: number;
  /** Soft and hard limits (PLAN_RLIM_INFINITY: unlimited). */
  rlimits: { nofile: bigint; nproc: bigint; core: bigint };
  /** Exec an execute-only copy, so that the program stays non-dumpable. */
  execOnly: boolean;
}

export interface ProcessOptions extends ObserveOptions {
  /** Descriptors of this process the program gets as 3, 4, ... in this order. */
  fds?: readonly number[];
  /** Give up privileges before the exec (also: no_new_privs, no capabilities, no environment). */
  confine?: Confinement;
}

/** What a confined program held at its exec, read from /proc by the tracer (inspect.c). */
export interface ConfinedProcess {
  /** /proc/PID/status values: Uid, Gid, Groups, CapInh, CapPrm, CapEff, CapBnd, CapAmb, NoNewPrivs. */
  status: Record<string, string>;
  /** 'new' or 'shared' with the tracer's, by name (user, mnt, ipc, uts, net, cgroup, pid, time). */
  namespaces: Record<string, 'new' | 'shared' | null>;
  /** [soft, hard], decimal or "unlimited". */
  limits: Record<'nofile' | 'nproc' | 'core', [string, string] | null>;
  descriptors: number[] | null;
  environment: number | null;
  dumpable: boolean | null;
}

/** What the recorder reports beyond the shared Observation. */
export interface RecordedObservation extends Observation {
  /** The traced process (gone by the time this resolves). */
  pid: number;
  stderr: string;
  /** Calls outside the x86_64 table (x32 numbers, int $0x80), which have no name; counted, not named. */
  otherCalls: number;
  /** The program forked or made a thread: refused, the process was killed (calls may be missing). */
  forked: boolean;
  /** observeGuest: whether the tender got as far as installing its filter. */
  filterInstalled?: boolean;
  /** With readFilter: the BPF the kernel held once the filter was installed, byte for byte. */
  installedFilter?: Buffer;
  /** With readFilter: why it could not be read (strerror, e.g. without CAP_SYS_ADMIN). */
  installedFilterError?: string;
  /** observeGuest: /proc/PID/maps when the filter went in (the address space the guest starts with). */
  maps?: string;
  /** Why the maps could not be read (strerror). */
  mapsError?: string;
  /** With confine: what the program held at its exec, and the namespaces the host refused. */
  confinement?: { process: ConfinedProcess | null; refused: Record<string, string> };
}

/** A started observation: the tracer and, once it has ended, what it recorded. */
export interface TracedRun {
  tracer: ChildProcess;
  observation: Promise<RecordedObservation>;
}

/** The report syscall-trace writes (see tenders/tools/syscall_trace.c). */
interface TraceReport {
  error?: string;
  pid: number;
  filterInstalled?: boolean;
  calls: Record<string, number>;
  setup?: Record<string, number>;
  callsOther?: number;
  setupOther?: number;
  denied: Array<{ nr: number; args: string[] }>;
  exit: { code?: number; signal?: string; number?: number };
  filter?: string;
  filterError?: string;
  maps?: string;
  mapsError?: string;
  timedOut: boolean;
  forked: boolean;
  confinement?: { process: ConfinedProcess | null; refused: Record<string, string> };
}

/** If the tracer itself outlives its own deadline by this much, it is killed from here. */
const BACKSTOP_GRACE_MS = 5_000;

function syscallTracePath(): string {
  const path = tool('syscall-trace');
  try {
    accessSync(path, fsConstants.X_OK);
  } catch {
    throw new NablaError(
      `syscall-trace not found or not executable: ${path} (run \`npm run build:tender\`)`,
      { code: 'AUDIT_OBSERVE_FAILED' },
    );
  }
  return path;
}

function timeoutArgs(timeoutMs: number | undefined): string[] {
  if (timeoutMs === undefined) return [];
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new NablaError(
      `Expected a positive integer for timeoutMs but received ${JSON.stringify(timeoutMs)}`,
      { code: 'OPTION_INVALID' },
    );
  }
  return ['--timeout-ms', String(timeoutMs)];
}

const nameOf = (nr: number) => syscallName(nr) ?? `unknown_${nr}`;

function named(counts: Record<string, number>): Observation['calls'] {
  return Object.entries(counts)
    .map(([nr, count]) => ({ nr: Number(nr), name: nameOf(Number(nr)), count }))
    .sort((a, b) => a.nr - b.nr);
}

function toObservation(report: TraceReport, stdout: string, stderr: string): RecordedObservation {
  const { code, signal, number } = report.exit;
  return {
    mechanism: 'ptrace',
    calls: named(report.calls),
    ...(report.setup ? { setupCalls: named(report.setup) } : {}),
    denied: report.denied.map((d) => ({ nr: d.nr, name: nameOf(d.nr), args: d.args })),
    exit: {
      status: code ?? 128 + (number ?? 0), // as a shell reports a signal death
      code: code ?? null,
      signal: signal ?? null,
    },
    timedOut: report.timedOut,
    stdout,
    pid: report.pid,
    stderr,
    otherCalls: (report.callsOther ?? 0) + (report.setupOther ?? 0),
    forked: report.forked,
    ...(report.filterInstalled === undefined ? {} : { filterInstalled: report.filterInstalled }),
    ...(report.filter === undefined ? {} : { installedFilter: Buffer.from(report.filter, 'hex') }),
    ...(report.filterError === undefined ? {} : { installedFilterError: report.filterError }),
    ...(report.maps === undefined ? {} : { maps: report.maps }),
    ...(report.mapsError === undefined ? {} : { mapsError: report.mapsError }),
    ...(report.confinement === undefined ? {} : { confinement: report.confinement }),
  };
}

/**
 * Waits for the tracer and turns its report (read from `reportFd` in the child) into an
 * Observation. Rejects with NablaError when the tracer failed, quoting its reason.
 */
function finish(
  tracer: ChildProcess,
  reportFd: number,
  timeoutMs: number | undefined,
): Promise<RecordedObservation> {
  const report = collect(tracer.stdio[reportFd] as Readable);
  const stdout = collect(tracer.stdout);
  const stderr = collect(tracer.stderr);
  // The tracer enforces the deadline itself; this only catches a tracer that hangs.
  const backstop =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => tracer.kill('SIGKILL'), timeoutMs + BACKSTOP_GRACE_MS);
  return new Promise<RecordedObservation>((resolve, reject) => {
    tracer.once('error', (error) => {
      clearTimeout(backstop);
      reject(
        new NablaError(`Could not start syscall-trace: ${error.message}`, {
          code: 'AUDIT_OBSERVE_FAILED',
        }),
      );
    });
    tracer.once('close', async (code, signal) => {
      clearTimeout(backstop);
      const [text, out, err] = await Promise.all([report, stdout, stderr]);
      let parsed: TraceReport | undefined;
      try {
        parsed = JSON.parse(text) as TraceReport;
      } catch {
        parsed = undefined;
      }
      if (code === 0 && parsed && parsed.error === undefined) {
        resolve(toObservation(parsed, out, err));
        return;
      }
      const why = parsed?.error ?? (signal ? `killed by ${signal}` : `exited with status ${code}`);
      reject(new NablaError(`syscall-trace: ${why}`, { code: 'AUDIT_OBSERVE_FAILED' }));
    });
  });
}

/**
 * Starts a prepared guest exactly as run() does (same plan, same BPF, same descriptors) but
 * under syscall-trace: calls from the tender's successful seccomp() on are the guest's, the
 * ones before are the tender's setup. The caller still owns `prepared` (release it after).
 */
export function traceGuest(prepared: PreparedLaunch, options: ObserveOptions = {}): TracedRun {
  const extra = [
    '--after-seccomp',
    ...timeoutArgs(options.timeoutMs),
    ...(options.readFilter ? ['--read-filter'] : []),
  ];
  let reportFd = -1;
  const { child } = spawnTender(prepared, options.stdio ?? 'pipe', {
    pipes: 1,
    command: (tender, [fd]) => {
      reportFd = fd as number;
      return {
        path: syscallTracePath(),
        argv0: 'syscall-trace',
        args: [
          ...extra,
          '--out-fd',
          String(fd),
          '--argv0',
          tender.argv0,
          '--',
          tender.path,
          ...tender.args,
        ],
      };
    },
  });
  return { tracer: child, observation: finish(child, reportFd, options.timeoutMs) };
}

export function observeGuest(
  prepared: PreparedLaunch,
  options: ObserveOptions = {},
): Promise<RecordedObservation> {
  return traceGuest(prepared, options).observation;
}

const limit = (v: bigint) => (v === PLAN_RLIM_INFINITY ? 'unlimited' : v.toString());

/** syscall-trace's CONFINEMENT options; `fds`: descriptors kept, 0 .. fds-1. */
function confineArgs(c: Confinement, fds: number): string[] {
  return [
    '--confine',
    '--fds',
    String(fds),
    ...(c.user === 'keep' ? [] : ['--user', `${c.user.uid}:${c.user.gid}`]),
    '--namespaces',
    String(c.namespaces),
    '--rlimit-nofile',
    limit(c.rlimits.nofile),
    '--rlimit-nproc',
    limit(c.rlimits.nproc),
    '--rlimit-core',
    limit(c.rlimits.core),
    ...(c.execOnly ? ['--exec-only'] : []),
  ];
}

/**
 * Runs a normal program under syscall-trace, counting every call from its exec on. `fds` go to
 * the program as 3, 4, ...; the report comes on the descriptor after them.
 */
function traceProcess(
  path: string,
  args: readonly string[],
  options: ProcessOptions = {},
): TracedRun {
  // A caller's mistake inside nabla, never the user's.
  if (options.readFilter)
    throw new NablaError('readFilter applies to guests only (observeGuest)', { code: 'INTERNAL' });
  const stdio = options.stdio ?? 'pipe';
  const fds = options.fds ?? [];
  const reportFd = 3 + fds.length;
  const tracer = spawn(
    syscallTracePath(),
    [
      ...timeoutArgs(options.timeoutMs),
      '--out-fd',
      String(reportFd),
      ...(options.confine ? confineArgs(options.confine, reportFd) : []),
      '--',
      path,
      ...args,
    ],
    { argv0: 'syscall-trace', stdio: ['ignore', stdio, stdio, ...fds, 'pipe'] },
  );
  return { tracer, observation: finish(tracer, reportFd, options.timeoutMs) };
}

export function observeProcess(
  path: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<RecordedObservation> {
  return traceProcess(path, args, options).observation;
}
