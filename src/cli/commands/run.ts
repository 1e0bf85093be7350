// run.ts: `nabla run` — the same syntax and behaviour as nabla-run (solo5-spt's).
import { main } from '../nabla-run.js';

export const command = 'run';
export const describe =
  'Run a unikernel: `nabla run [--mem=MB] [--block:NAME=PATH ...] KERNEL [ARGS]` (see nabla-run --help)';

/** `run` takes solo5-spt's syntax verbatim, so it bypasses yargs' option parsing. */
export function runRaw(argv: readonly string[]): number {
  return main(argv, 'nabla run');
}
