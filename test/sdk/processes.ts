// processes.ts: runs hosted executables and nabla-run for the SDK tests, optionally with a descriptor 3.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { NABLA_RUN } from '../helpers/paths.js';
import type { CliResult } from '../helpers/run-cli.js';

/** An example built for the hosted target by `npm run build:guests`. */
export { hosted as hostedExample } from '../helpers/paths.js';

export interface RunOptions {
  /** Give the process a descriptor 3 (one end of a socket pair) to attach with @3. */
  fd3?: boolean;
  timeout?: number;
}

/** Runs `command args`; the status is what a shell would see (128 + signal when killed). */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): CliResult {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: options.timeout ?? 20_000,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.fd3 ? (['pipe'] as const) : [])],
  });
  if (result.error) throw result.error;
  const status = result.status ?? 128 + (result.signal ? constants.signals[result.signal] : 0);
  return { status, stdout: result.stdout, stderr: result.stderr };
}

/** `nabla-run args`, like the nablaRun helper, with the same options as runProcess. */
export function runSpt(args: readonly string[], options: RunOptions = {}): CliResult {
  return runProcess(process.execPath, [NABLA_RUN, ...args], options);
}
