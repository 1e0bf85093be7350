// guest.ts: what run() hands back for a guest the engine starts: its output streams, its exit, kill().
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { GuestExit } from '../launch/spawn.js';
import { type ProcessExit, pidfdSignal } from '../native/engine.js';
import type { LaunchReply, StartedGuest } from './template.js';
import { onExit } from './watch.js';

export interface EngineGuest {
  /** The guest's pid (-1 if the template could not start it); waits for the answer if need be. */
  readonly pid: number;
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
 * A guest whose LAUNCH has been sent: the template's answer (its pid and pidfd, or why not)
 * comes later, through settle(); `wait` reads it at once when the pid or kill() is wanted first.
 * `output` holds the read ends of its stdout and stderr pipes (when piped). With timeoutMs it
 * is killed (SIGKILL) when its time is up, its exit then saying timedOut.
 */
export class PendingGuest implements EngineGuest {
  readonly exited: Promise<GuestExit>;
  readonly stdout: Socket | null;
  readonly stderr: Socket | null;
  private started: StartedGuest | undefined;
  private answered = false;
  private ended = false;
  private timedOut = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private resolveExit!: (exit: ProcessExit) => void;
  private rejectExit!: (error: Error) => void;

  constructor(
    output: { stdout: number; stderr: number } | null,
    timeoutMs: number | undefined,
    private readonly wait: () => void,
  ) {
    this.stdout = readStream(output?.stdout);
    this.stderr = readStream(output?.stderr);
    const exit = new Promise<ProcessExit>((resolve, reject) => {
      this.resolveExit = resolve;
      this.rejectExit = reject;
    });
    this.exited = Promise.all([exit, closed(this.stdout), closed(this.stderr)]).then(([e]) =>
      guestExit(e, this.timedOut),
    );
    if (timeoutMs !== undefined)
      this.timer = setTimeout(() => {
        this.timedOut = this.kill('SIGKILL');
      }, timeoutMs);
  }

  /** Its LAUNCH was never sent: the streams (and their descriptors) closed, the timer stopped. */
  abandon(): void {
    clearTimeout(this.timer);
    this.stdout?.destroy();
    this.stderr?.destroy();
  }

  get pid(): number {
    if (!this.answered) this.wait();
    return this.started?.pid ?? -1;
  }

  /** The template's answer: watch the guest, or fail its exit. */
  settle(reply: LaunchReply): void {
    this.answered = true;
    if ('failed' in reply) {
      this.ended = true;
      clearTimeout(this.timer);
      this.rejectExit(reply.failed);
      return;
    }
    this.started = reply.started;
    onExit(reply.started.pidfd, reply.started.pid, (exit) => {
      this.ended = true;
      clearTimeout(this.timer);
      this.resolveExit(exit);
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const number = constants.signals[signal];
    if (number === undefined) throw new TypeError(`Unknown signal: ${String(signal)}`);
    if (!this.answered) this.wait();
    // Once ended, the pidfd is closed (and its number may be another descriptor's).
    return !this.ended && this.started !== undefined && pidfdSignal(this.started.pidfd, number);
  }
}
