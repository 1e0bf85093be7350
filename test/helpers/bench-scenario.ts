// bench-scenario.ts: running a benchmark scenario's variants once each in a test, and a stand-in for the upstream tender that records how it was called.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { BenchContext, Measurement, Scenario } from '../../src/bench/types.js';
import { NABLA_RUN } from './paths.js';

export function benchContext(
  scratch: string,
  peers: Record<string, string> = {},
  remarks: string[] = [],
): BenchContext {
  return {
    quick: true,
    scratch,
    peers,
    note: () => {},
    remark: (text) => remarks.push(text),
    signal: new AbortController().signal,
  };
}

export interface RunOnceResult {
  measurements: Map<string, Measurement[]>;
  /** The variants that were not run, with the reason each gave. */
  unavailable: Map<string, string>;
}

/**
 * Setup, one trial of every available variant, teardown. `skip` lists the variants expected
 * not to run here (the peer when none is given): each must say why; every other must run.
 */
export async function runOnce(
  scenario: Scenario,
  ctx: BenchContext,
  skip: readonly string[] = [],
): Promise<RunOnceResult> {
  const measurements = new Map<string, Measurement[]>();
  const unavailable = new Map<string, string>();
  await scenario.setup?.(ctx);
  try {
    for (const variant of scenario.variants) {
      const reason = await variant.unavailable?.(ctx);
      if (skip.includes(variant.name)) {
        expect(reason, `${variant.name} should not run here`).toMatch(/\S/);
        unavailable.set(variant.name, reason as string);
        continue;
      }
      expect(reason, variant.name).toBeUndefined();
      measurements.set(variant.name, await variant.trial(ctx));
    }
  } finally {
    await scenario.teardown?.(ctx);
  }
  expect(measurements.has(scenario.baseline)).toBe(true);
  return { measurements, unavailable };
}

/**
 * Finite, sensible values with a name, a unit and a direction; a metric once per scale, but
 * those in `repeated` (a trial that times several starts gives one sample per start).
 */
export function expectWellFormed(
  measurements: readonly Measurement[],
  repeated: readonly string[] = ['sequential_ms'],
): void {
  for (const m of measurements) {
    expect(m.metric).toMatch(/^[a-z0-9_]+(\.[a-z_]+)?$/);
    expect(m.unit).not.toBe('');
    expect(['lower', 'higher']).toContain(m.better);
    expect(Number.isFinite(m.value), `${m.metric} = ${m.value}`).toBe(true);
    expect(m.value).toBeGreaterThanOrEqual(0);
  }
  const names = measurements
    .filter((m) => !repeated.includes(m.metric))
    .map((m) => `${m.metric}@${m.n}`);
  expect(new Set(names).size).toBe(names.length);
}

export const metricNames = (ms: readonly Measurement[] | undefined): string[] =>
  (ms ?? []).map((m) => m.metric);

/**
 * A stand-in for upstream's solo5-spt: it appends its arguments (a line per call) to a log,
 * then runs them with nabla-run, whose syntax is upstream's plus options of its own.
 * So a scenario's peer variant runs the real guest, and the test reads what the peer was
 * given: upstream's options only, then the same .nabla as nabla's variant, then its arguments.
 */
export function fakePeer(dir: string): { path: string; calls(): string[][] } {
  const path = join(dir, 'solo5-spt');
  const log = join(dir, 'solo5-spt.log');
  // One line per call, its words separated by tabs (no argument here holds a tab or newline),
  // written at once, so that calls made at the same time (a burst) do not mix their lines.
  writeFileSync(
    path,
    `#!/bin/sh\nline=$(printf '%s\\t' "$@")\nprintf '%s\\n' "$line" >> '${log}'\n` +
      `exec '${process.execPath}' '${NABLA_RUN}' "$@"\n`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => l.split('\t').slice(0, -1))
        : [],
  };
}

/** Upstream solo5-spt's options (its --help), by name: what a peer's command line may hold. */
const UPSTREAM_OPTIONS = new Set([
  '--mem',
  '--net',
  '--net-mac',
  '--block',
  '--block-sector-size',
  '--x-exec-heap',
]);

/** The words of one peer call before its kernel all name upstream's options; returns the kernel. */
export function expectUpstreamSyntax(call: readonly string[]): string {
  const kernel = call.findIndex((w) => !w.startsWith('--'));
  expect(kernel, JSON.stringify(call)).toBeGreaterThanOrEqual(0);
  for (const word of call.slice(0, kernel))
    expect(UPSTREAM_OPTIONS, word).toContain(/^--[a-z-]+/.exec(word)?.[0]);
  return call[kernel] as string;
}
