// starters.ts: starting guests from this one process, through run() or child_process.spawn, and knowing when each is ready or has ended.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { type RunOptions, run, type StartOptions } from '../api.js';
import type { Command } from './procs.js';
import { trackGuest } from './procs.js';

/*
 * The start scenario compares ways of starting the same guests from one resident Node process:
 * the public run() (whatever path it takes by default), and child_process.spawn of a program
 * (upstream's tender with the .nabla, or the hosted build). Both are given the same stdio
 * (nothing for a hello; stdout and stderr pipes for an idle guest, whose "ready" is read
 * from stdout) and an empty environment, as run() gives the tender. Every guest is tracked
 * (procs.ts), so that an interrupted run kills it.
 */

/** What an idle guest prints once it is up (benchmarks/guests/idle). */
export const READY = 'ready';

/** One started guest. */
export interface Started {
  /** The exit status as a shell reports it (128 + signal); rejects if it could not start. */
  exited: Promise<number>;
  /** SIGKILL (nothing if it has ended). */
  kill(): void;
}

export interface StartedIdle extends Started {
  /** Resolves once it printed READY (its pipes are closed then); rejects if it ends first. */
  ready: Promise<void>;
}

/** A way of starting guests: a hello that runs to its end, and an idle guest that stays up. */
export interface Starter {
  hello(): Started;
  idle(): StartedIdle;
}

/** What went to stderr, kept for a message (a few KiB at most). */
function keepStderr(stream: Readable | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    if (text.length < 2048) text += chunk.toString('utf8');
  });
  return () => text.trim();
}

/**
 * Resolves once READY has appeared on `stdout`, then closes both pipes: an idle guest prints
 * nothing more, and thousands of them must not hold thousands of descriptors here. Reads
 * Buffers, not text (run() also collects the stream, as Buffers).
 */
function watchReady(
  label: string,
  stdout: Readable | null,
  stderr: Readable | null,
  exited: Promise<number>,
): Promise<void> {
  const said = keepStderr(stderr);
  return new Promise((resolve, reject) => {
    if (stdout === null) {
      reject(new Error(`${label}: no stdout to read "${READY}" from`));
      return;
    }
    let seen = '';
    let done = false;
    const onData = (chunk: Buffer) => {
      // READY may arrive split over two reads: keep a tail long enough to join it.
      seen = (seen + chunk.toString('latin1')).slice(-1024);
      if (!seen.includes(READY)) return;
      done = true;
      stdout.off('data', onData);
      stdout.destroy();
      stderr?.destroy();
      resolve();
    };
    stdout.on('data', onData);
    exited.then(
      (status) => {
        if (done) return;
        const why = said();
        reject(
          new Error(`${label}: ended before "${READY}", status ${status}${why ? `: ${why}` : ''}`),
        );
      },
      (error: unknown) => {
        if (!done) reject(error);
      },
    );
  });
}

/** Starts guests with the public run(), on the start path `how` chooses (its default: the engine). */
export function runStarter(hello: RunOptions, idle: RunOptions, how: StartOptions = {}): Starter {
  const start = (options: RunOptions) => {
    const guest = run(options, how);
    const exited = guest.exited.then((exit) => exit.status);
    const kill = () => {
      guest.kill('SIGKILL');
    };
    trackGuest(kill, exited);
    return { guest, exited, kill };
  };
  return {
    hello() {
      const { exited, kill } = start({ ...hello, stdio: 'ignore' });
      return { exited, kill };
    },
    idle() {
      const { guest, exited, kill } = start({ ...idle, stdio: 'pipe' });
      const ready = watchReady(`run(${String(idle.kernel)})`, guest.stdout, guest.stderr, exited);
      return { exited, kill, ready };
    },
  };
}

/** Starts `command` with child_process.spawn: stdio as run() gives the tender, an empty environment. */
function spawnGuest(command: Command, pipes: boolean) {
  const child = spawn(command.file, [...command.args], {
    env: {},
    stdio: pipes ? ['ignore', 'pipe', 'pipe'] : 'ignore',
  });
  // 'close' as run() does: the process has ended and its pipes are drained.
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)),
    );
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  trackGuest(kill, exited);
  return { child, exited, kill };
}

/** Starts guests by spawning programs: `hello` runs to its end, `idle` prints READY and stays. */
export function spawnStarter(hello: Command, idle: Command): Starter {
  return {
    hello() {
      const { exited, kill } = spawnGuest(hello, false);
      return { exited, kill };
    },
    idle() {
      const { child, exited, kill } = spawnGuest(idle, true);
      const ready = watchReady(idle.file, child.stdout, child.stderr, exited);
      return { exited, kill, ready };
    },
  };
}
