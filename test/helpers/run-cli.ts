// run-cli.ts: runs nabla-run like a shell would and reports the status a shell would see.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { NABLA_RUN } from './paths.js';

export interface CliResult {
  /** As a shell sees it: the exit code, or 128 + the signal number. */
  status: number;
  stdout: string;
  stderr: string;
}

export function nablaRun(args: readonly string[], options: { timeout?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [NABLA_RUN, ...args], {
    encoding: 'utf8',
    timeout: options.timeout ?? 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) throw result.error;
  const status = result.status ?? 128 + (result.signal ? constants.signals[result.signal] : 0);
  return { status, stdout: result.stdout, stderr: result.stderr };
}

export interface BytesResult {
  status: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** `$'\xHH...'`: bash turns each escape into exactly that byte, whatever the locale. */
function bashQuoted(arg: Buffer | string): string {
  const hex = [...Buffer.from(arg)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`);
  return `$'${hex.join('')}'`;
}

/**
 * Runs `program args...` with arguments as raw bytes, which need not be UTF-8: Node's spawn
 * takes only text (and would encode it as UTF-8), so bash execs the program with each byte
 * written as an escape.
 */
export function runWithBytes(
  program: string,
  args: ReadonlyArray<Buffer | string>,
  options: { timeout?: number } = {},
): BytesResult {
  const command = `exec ${[program, ...args].map(bashQuoted).join(' ')}`;
  const result = spawnSync('bash', ['-c', command], {
    timeout: options.timeout ?? 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) throw result.error;
  const status = result.status ?? 128 + (result.signal ? constants.signals[result.signal] : 0);
  return { status, stdout: result.stdout, stderr: result.stderr };
}

/** nabla-run with arguments as raw bytes. */
export function nablaRunBytes(args: ReadonlyArray<Buffer | string>): BytesResult {
  return runWithBytes(process.execPath, [NABLA_RUN, ...args]);
}
