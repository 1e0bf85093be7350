// conformance.ts: runs conformance guests the way upstream's tests.bats runs solo5-spt.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BUILT } from './paths.js';
import { type CliResult, nablaRun } from './run-cli.js';

/** A guest from test/conformance/guests, built by `npm run build:guests`. */
export function conformanceGuest(name: string): string {
  const path = join(BUILT.conformance, `${name}.nabla`);
  // The global setup only checks the core build; say plainly what is missing here.
  if (!existsSync(path)) throw new Error(`not built: ${path} — run \`npm run build:guests\``);
  return path;
}

/**
 * Upstream's `spt_run`: `solo5-spt --mem=2 "$@"`. Its guests run in 2 MiB, so ours do
 * too: a guest or tender that needs more memory than upstream's would show up here.
 */
export function sptRun(args: readonly string[], options: { timeout?: number } = {}): CliResult {
  return nablaRun(['--mem=2', ...args], options);
}

/** Upstream's `expect_success`: status 0 and SUCCESS in the output. */
export function expectSuccess(r: CliResult): void {
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain('SUCCESS');
}

/** Upstream's `expect_abort`: status 255 and ABORT in the output. */
export function expectAbort(r: CliResult): void {
  expect(r.status, r.stdout + r.stderr).toBe(255);
  expect(r.stdout + r.stderr).toContain('ABORT');
}
