// config.ts: the daemon's settings: socket and state directory (and their defaults for root and others), its group, and the supervision timings.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { NablaError } from '../errors.js';

/** How restarts, stops and log persistence are paced; tests shorten them (NABLA_DAEMON_TIMINGS). */
export interface Timings {
  /** The first restart's delay; each failed run doubles it. */
  backoffInitialMs: number;
  /** The longest delay between restarts. */
  backoffMaxMs: number;
  /** A run at least this long counts as good: the delay starts again from backoffInitialMs. */
  resetAfterMs: number;
  /** This many restarts within crashLoopWindowMs make the instance a crash loop. */
  crashLoopRestarts: number;
  crashLoopWindowMs: number;
  /** Between SIGTERM and SIGKILL when a stop names no timeout, and at the daemon's own stop. */
  stopTimeoutMs: number;
  /** How often new console lines are written to the database (one transaction each time). */
  logFlushMs: number;
}

export const DEFAULT_TIMINGS: Timings = {
  backoffInitialMs: 100,
  backoffMaxMs: 30_000,
  resetAfterMs: 10_000,
  crashLoopRestarts: 5,
  crashLoopWindowMs: 60_000,
  stopTimeoutMs: 10_000,
  logFlushMs: 200,
};

const TimingsOverride = z.strictObject(
  Object.fromEntries(
    Object.keys(DEFAULT_TIMINGS).map((k) => [k, z.number().int().min(1).optional()]),
  ) as Record<keyof Timings, z.ZodOptional<z.ZodNumber>>,
);

/** DEFAULT_TIMINGS, with what NABLA_DAEMON_TIMINGS (a JSON object) overrides. */
export function timingsFromEnv(text = process.env.NABLA_DAEMON_TIMINGS): Timings {
  if (text === undefined || text === '') return DEFAULT_TIMINGS;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  const parsed = TimingsOverride.safeParse(value);
  if (!parsed.success)
    throw new NablaError(
      `NABLA_DAEMON_TIMINGS: expected a JSON object of whole milliseconds (${Object.keys(DEFAULT_TIMINGS).join(', ')})`,
      { code: 'OPTION_INVALID' },
    );
  const given = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_TIMINGS, ...given };
}

export interface DaemonConfig {
  socket: string;
  stateDir: string;
  /** Members of this group may use the socket (mode 0660); without it, mode 0600. */
  group?: string;
  timings: Timings;
}

const isRoot = () => process.getuid?.() === 0;

/** An environment variable that holds an absolute path, or undefined (the XDG rule). */
function absoluteEnv(name: string): string | undefined {
  const value = process.env[name];
  return value !== undefined && isAbsolute(value) ? value : undefined;
}

/** root: /run/nabla/nabla.sock; others: $XDG_RUNTIME_DIR/nabla/nabla.sock. */
export function defaultSocket(): string {
  if (isRoot()) return '/run/nabla/nabla.sock';
  const runtime = absoluteEnv('XDG_RUNTIME_DIR');
  if (runtime === undefined)
    throw new NablaError(
      'no default socket: XDG_RUNTIME_DIR is not set to an absolute path (give --socket PATH)',
      { code: 'DAEMON_SOCKET' },
    );
  return join(runtime, 'nabla', 'nabla.sock');
}

/** root: /var/lib/nabla; others: $XDG_STATE_HOME/nabla, else ~/.local/state/nabla. */
export function defaultStateDir(): string {
  if (isRoot()) return '/var/lib/nabla';
  return join(absoluteEnv('XDG_STATE_HOME') ?? join(homedir(), '.local', 'state'), 'nabla');
}
