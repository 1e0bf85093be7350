// engine.ts: the typed API over the addon's start-engine calls: messages with descriptors, pipes, pidfds.
import { native } from './binding.js';
import * as check from './check.js';
import { callNative } from './errors.js';

/** The most descriptors one engine message carries (nabla_engine.h, NABLA_ENGINE_MAX_FDS). */
const MAX_FDS = 66;

function milliseconds(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff)
    throw check.expected('milliseconds from 0 to 2147483647', name, value);
  return value;
}

/** A connected AF_UNIX SOCK_SEQPACKET pair, both ends close-on-exec. */
export function seqpacketPair(): [number, number] {
  return callNative(() => native().seqpacketPair());
}

/**
 * Sends one message with copies of `fds` (SCM_RIGHTS); the caller keeps its own. Never blocks:
 * false when the socket is full (read the other side's replies, or waitWritable, then again).
 */
export function sendMessage(fd: number, data: Buffer, fds: readonly number[] = []): boolean {
  const sock = check.fd(fd, 'fd');
  if (!Buffer.isBuffer(data)) throw check.expected('a Buffer', 'data', data);
  if (fds.length > MAX_FDS) throw check.expected(`at most ${MAX_FDS} descriptors`, 'fds', fds);
  const list = fds.map((f, i) => check.fd(f, `fds[${i}]`));
  return callNative(() => native().engineSend(sock, data, list));
}

/** Waits up to timeoutMs for room to send on `fd`; false when there was none. */
export function waitWritable(fd: number, timeoutMs: number): boolean {
  const sock = check.fd(fd, 'fd');
  const ms = milliseconds(timeoutMs, 'timeoutMs');
  return callNative(() => native().waitWritable(sock, ms));
}

export interface ReceivedMessage {
  data: Buffer;
  /** Descriptors that came with it, now this process's (close-on-exec). */
  fds: number[];
  /** The message or its descriptors did not fit (and were cut). */
  truncated: boolean;
}

/**
 * Waits up to timeoutMs (0: not at all) for one message: null when the other end is closed,
 * undefined when nothing came in time.
 */
export function receiveMessage(fd: number, timeoutMs: number): ReceivedMessage | null | undefined {
  const sock = check.fd(fd, 'fd');
  const ms = milliseconds(timeoutMs, 'timeoutMs');
  return callNative(() => native().engineReceive(sock, ms));
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
 * Sets the one pair of functions (per thread) told of watched processes' ends and of watched
 * descriptors that can be read, in batches. Each pidfd is closed before its exit is reported.
 */
export function watchEvents(
  onExits: (exits: ProcessExit[]) => void,
  onReadable: (fds: number[]) => void,
): void {
  callNative(() =>
    native().watchExits((flat) => {
      const exits: ProcessExit[] = [];
      const readable: number[] = [];
      for (let i = 0; i + 4 < flat.length; i += 5) {
        const fd = flat[i + 1] as number;
        if (flat[i] === 1) {
          readable.push(fd);
          continue;
        }
        const code = flat[i + 3] as number;
        exits.push({
          pidfd: fd,
          pid: flat[i + 2] as number,
          code: code < 0 ? null : code,
          signal: flat[i + 4] as number,
        });
      }
      // Exits first: their pidfds are closed already, and a reply read from a readable socket
      // may bring a new guest's pidfd under one of their numbers.
      if (exits.length > 0) onExits(exits);
      if (readable.length > 0) onReadable(readable);
    }),
  );
}

/**
 * Watches the process of `pidfd`, a child of this process: when it ends it is reaped and
 * reported to watchEvents' onExits, and the pidfd is closed. Keeps the event loop alive while
 * any process is watched.
 */
export function watchPidfd(pidfd: number): void {
  const f = check.fd(pidfd, 'pidfd');
  callNative(() => native().watchPidfd(f));
}

/** Reports `fd` to watchEvents' onReadable whenever it can be read, until turned off. */
export function watchReadable(fd: number, on: boolean): void {
  const f = check.fd(fd, 'fd');
  callNative(() => native().watchReadable(f, on));
}
