// paths.ts: where the benchmark scenarios find nabla-run, the built guests, their hosted twins and the peers.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../launch/tender-path.js';

export const ROOT = PACKAGE_ROOT;
export const NABLA_RUN = join(ROOT, 'bin/nabla-run.js');
export const EXAMPLE = (name: string): string => join(ROOT, 'build/examples', `${name}.nabla`);
export const EXAMPLE_HOSTED = (name: string): string => join(ROOT, 'build/hosted', name);
export const BENCH_GUEST = (name: string): string => join(ROOT, 'build/bench', `${name}.nabla`);
export const BENCH_HOSTED = (name: string): string => join(ROOT, 'build/bench-hosted', name);
/** Peers the harness builds itself (the static C hello) go beside the benchmark guests. */
export const BENCH_BUILD = join(ROOT, 'build/bench');
export const PEER_SOURCES = join(ROOT, 'benchmarks/peers');

/** "not built: PATH (...)" for the first of `paths` that is missing, or undefined. */
export function notBuilt(...paths: string[]): string | undefined {
  const missing = paths.find((p) => !existsSync(p));
  return missing === undefined ? undefined : `not built: ${missing} (run \`npm run build\`)`;
}
