// build-all.ts: builds every example, test, conformance and benchmark guest into build/ (examples and benchmarks hosted too).

import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../package/paths.js';
import { type BuildTarget, buildUnikernel } from './build.js';

export interface GuestTarget {
  name: string;
  dir: string;
  output: string;
  target: BuildTarget;
}

/**
 * Where guests live (a directory with manifest.json and .c files each) and where they go.
 * The examples are also built for the hosted target, as plain executables named after them,
 * so that each can be compared with "the same app as a normal process".
 */
const GROUPS: ReadonlyArray<{ from: string; to: string; target: BuildTarget }> = [
  { from: 'examples', to: join('build', 'examples'), target: 'spt' },
  { from: join('test', 'guests'), to: join('build', 'test-guests'), target: 'spt' },
  { from: join('test', 'conformance', 'guests'), to: join('build', 'conformance'), target: 'spt' },
  { from: join('test', 'security', 'guests'), to: join('build', 'security'), target: 'spt' },
  { from: 'examples', to: join('build', 'hosted'), target: 'hosted' },
  // Benchmark guests, both ways: the harness compares each unikernel with its hosted twin.
  { from: join('benchmarks', 'guests'), to: join('build', 'bench'), target: 'spt' },
  { from: join('benchmarks', 'guests'), to: join('build', 'bench-hosted'), target: 'hosted' },
];

/** Every guest directory of every group, once per target, resolved from the package root. */
export async function findGuests(root: string = PACKAGE_ROOT): Promise<GuestTarget[]> {
  const guests: GuestTarget[] = [];
  for (const group of GROUPS) {
    let names: string[];
    try {
      names = await readdir(join(root, group.from));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const dir = join(root, group.from, name);
      if (!(await stat(dir)).isDirectory()) continue;
      const hasManifest = await stat(join(dir, 'manifest.json')).then(
        () => true,
        () => false,
      );
      if (!hasManifest) continue;
      const file = group.target === 'hosted' ? name : `${name}.nabla`;
      guests.push({ name, dir, output: join(root, group.to, file), target: group.target });
    }
  }
  return guests;
}

async function buildGuest(guest: GuestTarget): Promise<void> {
  const sources = (await readdir(guest.dir))
    .filter((n) => n.endsWith('.c'))
    .sort()
    .map((n) => join(guest.dir, n));
  if (sources.length === 0) throw new Error(`${guest.dir}: no .c sources`);
  await buildUnikernel({
    sources,
    manifest: join(guest.dir, 'manifest.json'),
    output: guest.output,
    target: guest.target,
  });
}

/**
 * Builds all guests, a few at a time. Reports one line per guest through `log` and returns
 * the number of failures (each failure's error is logged, the others still build).
 */
export async function buildAllGuests(
  root: string = PACKAGE_ROOT,
  log: (line: string) => void = console.log,
): Promise<number> {
  const queue = await findGuests(root);
  let failures = 0;
  const worker = async (): Promise<void> => {
    for (let guest = queue.shift(); guest !== undefined; guest = queue.shift()) {
      const shown = relative(root, guest.output);
      try {
        await buildGuest(guest);
        log(`built ${shown}`);
      } catch (error) {
        failures++;
        log(`FAILED ${shown}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  await Promise.all(Array.from({ length: workers }, worker));
  return failures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildAllGuests().then(
    (failures) => {
      if (failures > 0) process.exitCode = 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
