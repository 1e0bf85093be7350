// build-guests.mjs: builds every example, test, conformance and benchmark guest into build/ (examples and benchmarks hosted too); `npm run build:guests`, after `npm run build:ts`.

import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { BUILT, packagePath } from '../dist/package/paths.js';
import { buildUnikernel } from '../dist/toolchain/build.js';
import { readBuildSettings } from '../dist/toolchain/build-settings.js';

/**
 * Where guests live (a directory with manifest.json and .c files each) and where they go.
 * The examples are also built for the hosted target, as plain executables named after them,
 * so that each can be compared with "the same app as a normal process".
 */
const GROUPS = [
  { from: 'examples', to: BUILT.examples, target: 'spt' },
  { from: join('test', 'guests'), to: BUILT.testGuests, target: 'spt' },
  { from: join('test', 'conformance', 'guests'), to: BUILT.conformance, target: 'spt' },
  { from: join('test', 'security', 'guests'), to: BUILT.security, target: 'spt' },
  { from: 'examples', to: BUILT.hosted, target: 'hosted' },
  // Benchmark guests, both ways: the harness compares each unikernel with its hosted twin.
  { from: join('benchmarks', 'guests'), to: BUILT.bench, target: 'spt' },
  { from: join('benchmarks', 'guests'), to: BUILT.benchHosted, target: 'hosted' },
  // nabla-oci's pod sandbox (the "pause" container): a guest that only waits.
  { from: join('src', 'oci', 'guests'), to: BUILT.oci, target: 'spt' },
];

/** Every guest directory of every group, once per target: { name, dir, output, target }. */
async function findGuests() {
  const guests = [];
  for (const group of GROUPS) {
    let names;
    try {
      names = await readdir(packagePath(group.from));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const dir = packagePath(group.from, name);
      if (!(await stat(dir)).isDirectory()) continue;
      const hasManifest = await stat(join(dir, 'manifest.json')).then(
        () => true,
        () => false,
      );
      if (!hasManifest) continue;
      const file = group.target === 'hosted' ? name : `${name}.nabla`;
      guests.push({ name, dir, output: join(group.to, file), target: group.target });
    }
  }
  return guests;
}

async function buildGuest(guest) {
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
    // nabla-build.json beside the manifest, as `nabla build DIR` reads it ("tcpip": true).
    tcpip: (await readBuildSettings(guest.dir)).tcpip,
  });
}

/**
 * Builds all guests, a few at a time, one line per guest; returns the number of failures
 * (each failure's error is printed, the others still build).
 */
async function buildAllGuests() {
  const queue = await findGuests();
  let failures = 0;
  const worker = async () => {
    for (let guest = queue.shift(); guest !== undefined; guest = queue.shift()) {
      const shown = relative(packagePath(), guest.output);
      try {
        await buildGuest(guest);
        console.log(`built ${shown}`);
      } catch (error) {
        failures++;
        console.log(`FAILED ${shown}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  await Promise.all(Array.from({ length: workers }, worker));
  return failures;
}

buildAllGuests().then(
  (failures) => {
    if (failures > 0) process.exitCode = 1;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
