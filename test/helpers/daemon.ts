// daemon.ts: a real `nabla daemon` process on a socket in a scratch directory, and requests to it over that socket, for the daemon's tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Timings } from '../../src/daemon/config.js';
import { NABLA } from './paths.js';
import { children, isGone } from './proc-state.js';

export interface Answer {
  status: number;
  type: string;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field in the tests
  json: any;
}

/** One request over the unix socket `socket`; resolves once the whole answer is read. */
export function api(socket: string, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request({ socketPath: socket, method, path }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        const type = String(res.headers['content-type'] ?? '');
        resolve({
          status: res.statusCode ?? 0,
          type,
          text,
          json: type.startsWith('application/json') ? JSON.parse(text) : undefined,
        });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A stream (logs?follow, events): the text so far, and a way to end it. */
export interface OpenStream {
  text(): string;
  /** Resolves once the text holds something `match` accepts (rejects after `ms`). */
  until(match: (text: string) => boolean, ms?: number): Promise<string>;
  ended: Promise<void>;
  close(): void;
}

export function openStream(socket: string, path: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    let text = '';
    const waiters = new Set<() => void>();
    let ended!: () => void;
    const endedP = new Promise<void>((r) => {
      ended = r;
    });
    const req = request({ socketPath: socket, method: 'GET', path }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
        for (const w of waiters) w();
      });
      res.on('close', ended);
      resolve({
        text: () => text,
        until: (match, ms = 15_000) =>
          new Promise((ok, fail) => {
            const check = () => {
              if (!match(text)) return;
              waiters.delete(check);
              clearTimeout(timer);
              ok(text);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`stream ${path}: not seen in ${ms} ms; got:\n${text}`));
            }, ms);
            waiters.add(check);
            check();
          }),
        ended: endedP,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface DaemonProcess {
  socket: string;
  stateDir: string;
  child: ChildProcess;
  pid: number;
  stderr(): string;
  api(method: string, path: string, body?: unknown): Promise<Answer>;
  /** SIGTERM (or `signal`), and the exit status or signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Short timings, so that restarts and crash loops happen within a test. */
export const TEST_TIMINGS: Partial<Timings> = {
  backoffInitialMs: 20,
  backoffMaxMs: 200,
  resetAfterMs: 5_000,
  crashLoopRestarts: 3,
  crashLoopWindowMs: 10_000,
  stopTimeoutMs: 2_000,
  logFlushMs: 50,
};

/** Starts `nabla daemon` on DIR/nabla.sock with its state in DIR/state; resolves once it answers. */
export async function startDaemon(
  dir: string,
  options: { timings?: Partial<Timings>; args?: string[]; stateDir?: string } = {},
): Promise<DaemonProcess> {
  const socket = join(dir, 'nabla.sock');
  const stateDir = options.stateDir ?? join(dir, 'state');
  const child = spawn(
    process.execPath,
    [NABLA, 'daemon', '--socket', socket, '--state-dir', stateDir, ...(options.args ?? [])],
    {
      env: {
        ...process.env,
        NABLA_DAEMON_TIMINGS: JSON.stringify(options.timings ?? TEST_TIMINGS),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the daemon ended: ${stderr}`);
    if (/listening on/.test(stderr)) break;
    if (Date.now() > deadline) throw new Error(`the daemon did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    socket,
    stateDir,
    child,
    pid: child.pid as number,
    stderr: () => stderr,
    api: (method, path, body) => api(socket, method, path, body),
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** True while process `pid` exists and has not died (not a zombie). */
export const alive = (pid: number): boolean => !isGone(pid);

export { children };

/** Open descriptors of `pid`. */
export function fdCount(pid: number): number {
  return existsSync(`/proc/${pid}/fd`) ? readdirSync(`/proc/${pid}/fd`).length : 0;
}

/** Polls `check` until it holds (or throws after `ms`). */
export async function eventually<T>(
  check: () => T | Promise<T>,
  ms = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
