// bench.ts: one benchmark run: pick the scenarios, run them, and write results.json, report.md and the charts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { renderCharts } from './charts.js';
import { machineInfo } from './machine.js';
import { renderMarkdown } from './markdown.js';
import { killAll } from './procs.js';
import { barProgress, type Progress, plainProgress } from './progress.js';
import { BenchAborted, runScenarios } from './runner.js';
import { selectScenarios } from './scenarios/index.js';
import type { BenchReport, Scenario } from './types.js';

export { BenchAborted } from './runner.js';

export interface BenchOptions {
  quick: boolean;
  /** Directory for results.json, report.md and NAME-METRIC.svg (made if missing). */
  out: string;
  /** Scenario names to run (default: all). */
  only?: string[] | undefined;
  /** NAME=PATH peers, e.g. { 'solo5-spt': '/usr/local/bin/solo5-spt' }. */
  peers?: Record<string, string>;
  /** Measured trials per variant, overriding every scenario's own count. */
  runs?: number | undefined;
  /** 'auto': a bar when stderr is a terminal, else plain lines. */
  progress?: 'auto' | 'bar' | 'plain' | 'none';
  /** Run these instead of the registry's (tests). */
  scenarios?: readonly Scenario[];
}

export interface BenchOutcome {
  report: BenchReport;
  written: string[];
  /** Variants that failed (a trial threw or their scenario's setup did). */
  failed: Array<{ scenario: string; variant: string; reason: string }>;
}

async function makeProgress(mode: BenchOptions['progress']): Promise<Progress> {
  const line = (text: string) => process.stderr.write(`${text}\n`);
  if (mode === 'none') return { ...plainProgress(() => {}) };
  if (mode === 'bar' || (mode !== 'plain' && process.stderr.isTTY))
    return barProgress(process.stderr);
  return plainProgress(line);
}

/**
 * Stops the run on SIGINT/SIGTERM: every process a benchmark started is killed at once (and on
 * any exit), the running trial fails, the runner stops and runBench rejects with BenchAborted.
 * A second signal exits straight away.
 */
function interruptible(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    killAll();
    if (controller.signal.aborted) process.exit(128 + constants.signals[signal]);
    controller.abort(signal);
  };
  const onExit = () => killAll();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
}

/** Writes the report's three forms into `dir`; returns the paths written. */
export async function writeOutputs(report: BenchReport, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    written.push(path);
  };
  write('results.json', `${JSON.stringify(report, null, 2)}\n`);
  write('report.md', renderMarkdown(report));
  for (const chart of await renderCharts(report)) write(chart.file, chart.svg);
  return written;
}

export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const scenarios = options.scenarios ?? selectScenarios(options.only);
  const peers = options.peers ?? {};
  const startedAt = new Date();
  const started = performance.now();
  const machine = machineInfo();
  const controller = new AbortController();
  const release = interruptible(controller);
  const progress = await makeProgress(options.progress ?? 'auto');
  let results: Awaited<ReturnType<typeof runScenarios>>;
  try {
    results = await runScenarios(scenarios, {
      quick: options.quick,
      runs: options.runs,
      peers,
      progress,
      signal: controller.signal,
    });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    throw new BenchAborted(controller.signal.reason as NodeJS.Signals);
  } finally {
    progress.stop();
    killAll(); // nothing a scenario started outlives the run, whatever it did
    release();
  }
  const report: BenchReport = {
    schema: 'nabla-bench/1',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    options: {
      quick: options.quick,
      runs: options.runs ?? null,
      only: options.only && options.only.length > 0 ? [...options.only] : null,
      peers: { ...peers },
    },
    machine,
    scenarios: results,
  };
  const written = await writeOutputs(report, options.out);
  const failed = results.flatMap((r) =>
    r.variants
      .filter((v) => v.status === 'failed')
      .map((v) => ({ scenario: r.name, variant: v.name, reason: v.reason ?? '' })),
  );
  return { report, written, failed };
}
