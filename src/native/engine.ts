// engine.ts: the typed API over the addon's start-engine calls: messages with descriptors, pipes, pidfds.
import { native } from './binding.js';
import * as check from './check.js';
import { callNative } from './errors.js';

/** The most descriptors one engine message carries (nabla_engine.h, NABLA_ENGINE_MAX_FDS). */
const MAX_FDS = 66;

/** A connected AF_UNIX SOCK_SEQPACKET pair, both ends close-on-exec. */
export function seqpacketPair(): [number, number] {
  return callNative(() => native().seqpacketPair());
}

/** Sends one message with copies of `fds` (SCM_RIGHTS); the caller keeps its own. */
export function sendMessage(fd: number, data: Buffer, fds: readonly number[] = []): void {
  const sock = check.fd(fd, 'fd');
  if (!Buffer.isBuffer(data)) throw check.expected('a Buffer', 'data', data);
  if (fds.length > MAX_FDS) throw check.expected(`at most ${MAX_FDS} descriptors`, 'fds', fds);
  const list = fds.map((f, i) => check.fd(f, `fds[${i}]`));
  callNative(() => native().engineSend(sock, data, list));
}

export interface ReceivedMessage {
  data: Buffer;
  /** Descriptors that came with it, now this process's (close-on-exec). */
  fds: number[];
  /** The message or its descriptors did not fit (and were cut). */
  truncated: boolean;
}

/**
 * Waits up to timeoutMs for one message; null when the other end is closed. A wait that runs
 * out throws NativeError ETIMEDOUT.
 */
export function receiveMessage(fd: number, timeoutMs: number): ReceivedMessage | null {
  const sock = check.fd(fd, 'fd');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > 0x7fffffff)
    throw check.expected('milliseconds from 0 to 2147483647', 'timeoutMs', timeoutMs);
  return callNative(() => native().engineReceive(sock, timeoutMs));
}

/** A pipe, both ends close-on-exec: [read, write]. */
export function pipeCloexec(): [number, number] {
  return callNative(() => native().pipeCloexec());
}

/** Sends `signal` (a number) to the process of `pidfd`; false when it has ended. */
export function pidfdSignal(pidfd: number, signal: number): boolean {
  const f = check.fd(pidfd, 'pidfd');
  if (!Number.isInteger(signal) || signal < 0 || signal > 64)
    throw check.expected('a signal number from 0 to 64', 'signal', signal);
  return callNative(() => native().pidfdSignal(f, signal));
}

/** How one watched process ended. */
export interface ProcessExit {
  pidfd: number;
  /** -1 when it was not this process's to reap (someone else waited for it). */
  pid: number;
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal number that ended it, or 0. */
  signal: number;
}

/**
 * Sets the one function (per thread) told of watched processes' ends, in batches. Each pidfd is
 * closed before it is reported.
 */
export function watchExits(callback: (exits: ProcessExit[]) => void): void {
  callNative(() =>
    native().watchExits((flat) => {
      const exits: ProcessExit[] = [];
      for (let i = 0; i + 3 < flat.length; i += 4) {
        const code = flat[i + 2] as number;
        exits.push({
          pidfd: flat[i] as number,
          pid: flat[i + 1] as number,
          code: code < 0 ? null : code,
          signal: flat[i + 3] as number,
        });
      }
      callback(exits);
    }),
  );
}

/**
 * Watches the process of `pidfd`, a child of this process: when it ends it is reaped and
 * reported to the watchExits callback, and the pidfd is closed. Keeps the event loop alive
 * while any process is watched.
 */
export function watchPidfd(pidfd: number): void {
  const f = check.fd(pidfd, 'pidfd');
  callNative(() => native().watchPidfd(f));
}
