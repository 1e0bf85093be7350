// spawn.ts: starts the tender as a child process (the programmatic API's path) and tracks its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { bytesToText } from '../bytes.js';
import { STARTED_ELF_FD, STARTED_PLAN_FD } from '../plan/layout.js';
import { planMemfd } from './exec.js';
import type { PreparedLaunch } from './prepare.js';
import { tenderPath } from './tender-path.js';

export interface GuestExit {
  /** Exit status as a shell reports it: the guest's code, or 128 + signal number. */
  status: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The supervisor killed the guest (SIGKILL) because its time was up. */
  timedOut: boolean;
}

export interface SpawnedGuest {
  child: ChildProcess;
  exited: Promise<GuestExit>;
}

export type StdioMode = 'pipe' | 'inherit' | 'ignore';

/** A program and its arguments as exec sees them. */
export interface TenderCommand {
  path: string;
  argv0: string;
  args: string[];
}

/**
 * Runs the tender under another program (the audit's syscall-trace), which must exec it with
 * every descriptor unchanged: same plan, same BPF, same descriptors and environment as run().
 */
export interface TenderWrapper {
  /** How many pipes to this process to open after the tender's descriptors (for reports). */
  pipes: number;
  /** The command to start instead, given the tender's and the child numbers of those pipes. */
  command(tender: TenderCommand, pipeFds: readonly number[]): TenderCommand;
}

/** In the child: 3 is the plan, 4 the ELF, 5.. the devices (the tender then moves them). */
const PLAN_CHILD_FD = STARTED_PLAN_FD;
const ELF_CHILD_FD = STARTED_ELF_FD;

/**
 * Starts the tender as a child of this process, which supervises it: the plan asks for SIGKILL
 * when this process (or the wrapper, when there is one) exits, and with `timeoutMs` the child is
 * killed (SIGKILL) when its time is up, its exit then saying `timedOut`.
 */
export function spawnTender(
  prepared: PreparedLaunch,
  stdio: StdioMode,
  wrapper?: TenderWrapper,
  timeoutMs?: number,
  cgroupFds: readonly number[] = [],
): SpawnedGuest {
  const tender: TenderCommand = {
    path: tenderPath(),
    argv0: 'nabla-run',
    // Only for `ps` (the plan decides); spawn takes text, so bytes that are not UTF-8 show as U+FFFD.
    args: [
      String(PLAN_CHILD_FD),
      ...[prepared.request.kernel, ...prepared.request.args].map(bytesToText),
    ],
  };
  const deviceChildFds = prepared.devices.map((_, i) => ELF_CHILD_FD + 1 + i);
  // The cgroup.procs files (plan v3) follow the devices; the tender joins them first.
  const firstCgroupFd = ELF_CHILD_FD + 1 + deviceChildFds.length;
  const pipeFds = Array.from(
    { length: wrapper?.pipes ?? 0 },
    (_, i) => firstCgroupFd + cgroupFds.length + i,
  );
  const command = wrapper ? wrapper.command(tender, pipeFds) : tender;
  const planFd = planMemfd(
    prepared.encodePlan({
      elfFd: ELF_CHILD_FD,
      deviceFds: deviceChildFds,
      // A wrapper is the tender's parent: "the parent it starts with" is the one to outlive.
      supervisor: { pid: wrapper ? 0 : process.pid },
      cgroups: { firstFd: firstCgroupFd, count: cgroupFds.length },
    }),
  );
  try {
    const child = spawn(command.path, command.args, {
      argv0: command.argv0,
      env: {},
      stdio: [
        stdio === 'inherit' ? 'inherit' : 'ignore',
        stdio,
        stdio,
        planFd,
        prepared.unikernel.fd,
        ...prepared.devices.map((d) => d.fd),
        ...cgroupFds,
        ...pipeFds.map(() => 'pipe' as const),
      ],
    });
    let timedOut = false;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = child.exitCode === null && child.signalCode === null;
            child.kill('SIGKILL');
          }, timeoutMs);
    const exited = new Promise<GuestExit>((resolve, reject) => {
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        const signalNumber = signal ? constants.signals[signal] : 0;
        resolve({ status: code ?? 128 + signalNumber, code, signal, timedOut });
      });
    });
    return { child, exited };
  } finally {
    closeSync(planFd);
  }
}

export function collect(stream: Readable | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) =>
    stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))),
  );
}
