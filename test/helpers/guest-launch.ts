// guest-launch.ts: starts a guest like run() does, but in its own session, with a tag and a cwd, for trace checks.
import { spawn } from 'node:child_process';
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { prepare, type RunOptions } from '../../src/api.js';
import { bytesToText } from '../../src/bytes.js';
import { planMemfd } from '../../src/launch/exec.js';
import { tenderPath } from '../../src/launch/tender-path.js';

/**
 * What run() does (prepare, the plan on a sealed memfd, spawn the tender), with three
 * differences a containment check needs and run() has no options for:
 *   - the tender starts a new session (setsid), so its process group and session are its pid
 *     and any process it created can be found by them after it is gone;
 *   - argv[0] is a tag unique to the run: a descendant shares the guest's command line, since
 *     the filter it inherits refuses execve, so the tag finds it even after reparenting;
 *   - the working directory is the directory being watched, so relative paths land there.
 * The plan names every descriptor, so only its own number is a convention: argv[1].
 */
const PLAN_CHILD_FD = 3;
const ELF_CHILD_FD = 4;

export interface LaunchSpec extends RunOptions {
  /** argv[0] of the tender: find its descendants by it. */
  tag: string;
  cwd: string;
  /** The guest and its process group are killed (SIGKILL) after this long. */
  timeoutMs: number;
  /**
   * A command that puts something in place and then execs `PROGRAM ARGV0 ARGS...` (its last
   * arguments) with the same pid and descriptors, e.g. fd-exec: the tender runs through it.
   */
  wrap?: readonly string[];
}

export interface GuestRun {
  pid: number;
  /** As a shell sees it: the exit code, or 128 + the signal number. */
  status: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface LaunchedGuest {
  pid: number;
  /** Descriptors this process opened for the run and still holds (the output pipes). */
  held: Set<number>;
  done: Promise<GuestRun>;
}

/**
 * This process's open descriptors, number → target. The directory handle that lists them
 * is left out: it exists only while listing.
 */
export function ownDescriptors(): Map<number, string> {
  const self = `/proc/${process.pid}/fd`;
  const fds = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue; // the listing's own handle, closed by now
    }
    if (target !== self) fds.set(Number(name), target);
  }
  return fds;
}

/** A stream's whole text, once it has closed. */
export function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) =>
    stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))),
  );
}

/**
 * Starts the guest. Everything up to the spawn is synchronous, so the descriptors open after
 * it minus those open before are exactly this run's, even with other runs in flight.
 * Bad options throw (NablaError) before anything starts.
 */
export function launchGuest(spec: LaunchSpec): LaunchedGuest {
  const before = ownDescriptors();
  const { tag, cwd, timeoutMs, wrap = [], ...options } = spec;
  const prepared = prepare(options);
  let child: ReturnType<typeof spawn>;
  try {
    const deviceFds = prepared.devices.map((_, i) => ELF_CHILD_FD + 1 + i);
    const planFd = planMemfd(prepared.encodePlan({ elfFd: ELF_CHILD_FD, deviceFds }));
    try {
      // KERNEL and ARGS only name the run for `ps`: the plan decides.
      const shown = [prepared.request.kernel, ...prepared.request.args].map(bytesToText);
      const tender = [tenderPath(), String(PLAN_CHILD_FD), ...shown];
      const [command, ...args] =
        wrap.length > 0 ? [...wrap, tender[0] as string, tag, ...tender.slice(1)] : tender;
      child = spawn(command as string, args, {
        argv0: tag,
        cwd,
        detached: true,
        env: {},
        stdio: [
          'ignore',
          'pipe',
          'pipe',
          planFd,
          prepared.unikernel.fd,
          ...prepared.devices.map((d) => d.fd),
        ],
      });
    } finally {
      closeSync(planFd);
    }
  } finally {
    prepared.release(); // the child holds its own copies now
  }
  const held = new Set([...ownDescriptors().keys()].filter((fd) => !before.has(fd)));
  const pid = child.pid ?? -1;
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-pid, 'SIGKILL'); // its own process group: the guest and anything it made
    } catch {
      // already gone
    }
  }, timeoutMs);
  const done = new Promise<GuestRun>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', async (code, signal) => {
      clearTimeout(timer);
      const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
      resolve({ pid, status, signal, stdout: await stdout, stderr: await stderr, timedOut });
    });
  });
  return { pid, held, done };
}
