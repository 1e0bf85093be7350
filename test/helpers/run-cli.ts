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
