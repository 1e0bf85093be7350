// guest.ts: what run() hands back for a guest the engine started: its output streams, its exit, kill().
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { GuestExit } from '../launch/spawn.js';
import { type ProcessExit, pidfdSignal } from '../native/engine.js';
import { onExit } from './exits.js';
import type { StartedGuest } from './template.js';

export interface EngineGuest {
  pid: number;
  /** Resolves once the guest has ended and its output streams have closed (as a child's 'close'). */
  exited: Promise<GuestExit>;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Sends the signal to exactly this guest (through its pidfd); false once it has ended. */
  kill(signal?: NodeJS.Signals): boolean;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/** A pipe's read end as a stream, polled by the event loop like a spawned child's. */
function readStream(fd: number | undefined): Socket | null {
  return fd === undefined ? null : new Socket({ fd, readable: true, writable: false });
}

function closed(stream: Socket | null): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

function guestExit(exit: ProcessExit, timedOut: boolean): GuestExit {
  const signal = exit.signal === 0 ? null : (SIGNAL_NAMES.get(exit.signal) ?? null);
  return { status: exit.code ?? 128 + exit.signal, code: exit.code, signal, timedOut };
}

/**
 * Watches a guest the template started: `output` holds the read ends of its stdout and
 * stderr pipes (when piped). With timeoutMs it is killed (SIGKILL) when its time is up, its
 * exit then saying timedOut.
 */
export function watchGuest(
  started: StartedGuest,
  output: { stdout: number; stderr: number } | null,
  timeoutMs?: number,
): EngineGuest {
  const stdout = readStream(output?.stdout);
  const stderr = readStream(output?.stderr);
  let ended = false;
  let timedOut = false;
  const kill = (signal: NodeJS.Signals = 'SIGKILL'): boolean => {
    const number = constants.signals[signal];
    if (number === undefined) throw new TypeError(`Unknown signal: ${String(signal)}`);
    // Once ended, the pidfd is closed (and its number may be another descriptor's).
    return !ended && pidfdSignal(started.pidfd, number);
  };
  let timer: NodeJS.Timeout | undefined;
  const exit = new Promise<ProcessExit>((resolve) =>
    onExit(started.pidfd, (e) => {
      ended = true;
      clearTimeout(timer);
      resolve(e);
    }),
  );
  if (timeoutMs !== undefined)
    timer = setTimeout(() => {
      timedOut = kill('SIGKILL');
    }, timeoutMs);
  const exited = Promise.all([exit, closed(stdout), closed(stderr)]).then(([e]) =>
    guestExit(e, timedOut),
  );
  return { pid: started.pid, exited, stdout, stderr, kill };
}
