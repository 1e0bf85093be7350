// paths.ts: the benchmark's own sources (the peers it builds), and the check that what a scenario runs is built.
import { existsSync } from 'node:fs';
import { packagePath } from '../package/paths.js';

/** Peers the harness builds itself (the static C hello, into BUILT.bench beside the benchmark guests). */
export const PEER_SOURCES = packagePath('benchmarks/peers');

/** "not built: PATH (...)" for the first of `paths` that is missing, or undefined. */
export function notBuilt(...paths: string[]): string | undefined {
  const missing = paths.find((p) => !existsSync(p));
  return missing === undefined ? undefined : `not built: ${missing} (run \`npm run build\`)`;
}
