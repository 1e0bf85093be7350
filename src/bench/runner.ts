// runner.ts: runs scenarios one after another, their variants interleaved trial by trial, into raw records and summaries.
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NablaError } from '../errors.js';
import type { Progress } from './progress.js';
import { summarize } from './stats.js';
import type {
  BenchContext,
  Scenario,
  ScenarioResult,
  TrialRecord,
  Variant,
  VariantOutcome,
} from './types.js';

export interface RunnerOptions {
  quick: boolean;
  /** Measured trials per variant for every scenario, instead of each scenario's own count. */
  runs?: number | undefined;
  peers: Readonly<Record<string, string>>;
  progress: Progress;
  signal: AbortSignal;
}

/**
 * The run was interrupted: every process it started is killed. Its status is a shell's for a
 * process the signal ended: 130 for SIGINT (and when no signal is known), 143 for SIGTERM.
 */
export class BenchAborted extends NablaError {
  /** The signal that stopped the run, when one did. */
  readonly signal: NodeJS.Signals | undefined;

  constructor(signal?: NodeJS.Signals) {
    super(signal ? `interrupted by ${signal}` : 'interrupted', {
      code: 'BENCH_INTERRUPTED',
      exitCode: 128 + (signal ? constants.signals[signal] : constants.signals.SIGINT),
    });
    this.name = 'BenchAborted';
    this.signal = signal;
  }

  protected override details(): Record<string, unknown> {
    return this.signal === undefined ? {} : { signal: this.signal };
  }
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

function trialsOf(scenario: Scenario, options: Pick<RunnerOptions, 'quick' | 'runs'>) {
  return {
    trials: options.runs ?? (options.quick ? scenario.trials.quick : scenario.trials.full),
    warmup: scenario.warmup ?? 1,
  };
}

/**
 * Runs every trial of one scenario. Round r runs one trial of each variant still in, starting
 * at variant r (mod the count), so that no variant always runs first or right after another:
 * slow drift (frequency, caches, other load) is spread over all of them alike. Warm-up rounds
 * come first and are not recorded. A variant whose trial throws is out for the rest of the
 * scenario (its outcome says why); the others go on.
 */
export async function runScenario(
  scenario: Scenario,
  options: RunnerOptions,
): Promise<ScenarioResult> {
  const started = performance.now();
  const { trials, warmup } = trialsOf(scenario, options);
  const units = (trials + warmup) * scenario.variants.length;
  const { progress } = options;
  progress.scenario(scenario.name);
  const scratch = mkdtempSync(join(tmpdir(), `nabla-bench-${scenario.name}-`));
  const notes: string[] = [];
  const ctx: BenchContext = {
    quick: options.quick,
    scratch,
    peers: options.peers,
    note: (text) => progress.note(text),
    remark: (text) => {
      if (notes.includes(text)) return;
      notes.push(text);
      progress.note(text);
    },
    signal: options.signal,
  };
  const outcomes = new Map<string, VariantOutcome>(
    scenario.variants.map((v) => [v.name, { name: v.name, status: 'ok' }]),
  );
  const samples: TrialRecord[] = [];
  let left = units;
  const advance = (n: number) => {
    left -= n;
    progress.advance(n);
  };
  try {
    try {
      await scenario.setup?.(ctx);
    } catch (error) {
      if (options.signal.aborted) throw new BenchAborted();
      for (const outcome of outcomes.values()) {
        outcome.status = 'failed';
        outcome.reason = `setup failed: ${message(error)}`;
      }
      progress.note(`setup failed: ${message(error)}`);
    }
    const running: Variant[] = [];
    for (const variant of scenario.variants) {
      const outcome = outcomes.get(variant.name) as VariantOutcome;
      if (outcome.status !== 'ok') continue;
      let reason: string | undefined;
      try {
        reason = await variant.unavailable?.(ctx);
      } catch (error) {
        reason = `availability check failed: ${message(error)}`;
      }
      if (reason === undefined) {
        running.push(variant);
        continue;
      }
      outcome.status = 'unavailable';
      outcome.reason = reason;
      progress.note(`${variant.name}: not run: ${reason}`);
    }
    advance((trials + warmup) * (scenario.variants.length - running.length));

    for (let round = -warmup; round < trials; round++) {
      const measured = round >= 0;
      const start = (((round + warmup) % running.length) + running.length) % running.length;
      const order = [...running.slice(start), ...running.slice(0, start)];
      for (const variant of order) {
        if (options.signal.aborted) throw new BenchAborted();
        const outcome = outcomes.get(variant.name) as VariantOutcome;
        if (outcome.status !== 'ok') continue;
        const label = measured
          ? `${variant.name}, trial ${round + 1}/${trials}`
          : `${variant.name}, warm-up`;
        try {
          progress.status(label);
          const measurements = await variant.trial(ctx);
          if (measured) samples.push({ variant: variant.name, trial: round, measurements });
          advance(1);
        } catch (error) {
          if (options.signal.aborted) throw new BenchAborted();
          outcome.status = 'failed';
          outcome.reason = message(error);
          // This trial and every later one of this variant will not run.
          advance(trials - round);
          progress.note(`${variant.name} failed: ${message(error)}`);
        }
      }
    }
  } finally {
    try {
      await scenario.teardown?.(ctx);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (left > 0) advance(left); // keeps the bar's total honest whatever happened above
  return {
    name: scenario.name,
    title: scenario.title,
    baseline: scenario.baseline,
    ...(scenario.peer === undefined ? {} : { peer: scenario.peer }),
    ...(scenario.roles === undefined ? {} : { roles: { ...scenario.roles } }),
    trials,
    warmup,
    durationMs: Math.round(performance.now() - started),
    variants: [...outcomes.values()],
    samples,
    summaries: summarize(
      scenario.name,
      scenario.baseline,
      samples,
      scenario.variants.map((v) => v.name),
      scenario.peer,
    ),
    ...(notes.length === 0 ? {} : { notes }),
  };
}

/** Runs `scenarios` one after another (a scenario's servers and guests never overlap another's). */
export async function runScenarios(
  scenarios: readonly Scenario[],
  options: RunnerOptions,
): Promise<ScenarioResult[]> {
  for (const s of scenarios) {
    const { trials, warmup } = trialsOf(s, options);
    options.progress.expect((trials + warmup) * s.variants.length);
  }
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runScenario(scenario, options));
  return results;
}
