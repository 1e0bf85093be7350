// density.ts: N idle instances at once: the time to start them all, and host memory (PSS) per instance as N grows.
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { BENCH_GUEST, BENCH_HOSTED, NABLA_RUN, notBuilt } from '../paths.js';
import {
  type Command,
  killAndWait,
  pageTablesKiB,
  parentMap,
  processTree,
  pssKiB,
  smokeCheck,
  startUntil,
} from '../procs.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';
import { bwrapUnavailable, withBwrap, writeDockerFilter } from './container.js';

/*
 * One trial climbs a ladder of N (quick 10/50/100, full 10/100/500/1000): it starts instances
 * of benchmarks/guests/idle (prints "ready", then yields forever) until N are ready, measures,
 * then starts more for the next N, and at the end kills every one, also when a start fails or
 * the run is interrupted. At each N:
 *   start_all_ms           time from the first spawn until N instances have printed "ready"
 *                          (the clock stops while memory is read)
 *   start_ms_per_instance  the same divided by N
 *   pss_kib_per_instance   PSS (/proc/PID/smaps_rollup) summed over every process of every
 *                          instance (bwrap's too), divided by N: shared pages count once
 *   page_tables_kib_per_instance  VmPTE likewise: kernel memory PSS leaves out
 * Instances start the way users start them (nabla-run is Node, then the tender), a few at a
 * time: a thousand Node start-ups at once would need tens of GiB for a moment. STARTING
 * in flight keeps both cores busy and leaves memory to the instances.
 */

const IDLE = BENCH_GUEST('idle');
const IDLE_HOSTED = BENCH_HOSTED('idle');
const READY = 'ready';
const STARTING = Math.max(2, availableParallelism() * 2);
/** A start slower than this means something is wrong (swap, a hung tender). */
const START_TIMEOUT_MS = 60_000;

export function ladder(quick: boolean): number[] {
  return quick ? [10, 50, 100] : [10, 100, 500, 1000];
}

/** Starts `count` instances, STARTING at a time, into `into`; rejects with the first failure. */
async function startMany(
  count: number,
  start: () => Promise<ChildProcess>,
  into: ChildProcess[],
  ctx: BenchContext,
): Promise<void> {
  let left = count;
  let failure: unknown;
  const worker = async () => {
    while (left > 0 && failure === undefined && !ctx.signal.aborted) {
      left--;
      try {
        into.push(await start());
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STARTING, count) }, worker));
  if (failure !== undefined) throw failure;
  if (ctx.signal.aborted) throw new Error('interrupted');
}

function memoryOf(instances: readonly ChildProcess[]): { pss: number; pte: number } {
  const parents = parentMap();
  let pss = 0;
  let pte = 0;
  for (const instance of instances) {
    for (const pid of processTree(instance.pid as number, parents)) {
      pss += pssKiB(pid);
      pte += pageTablesKiB(pid);
    }
  }
  return { pss, pte };
}

/** A density variant: `start` starts one instance and resolves once it is ready. */
function densityVariant(
  name: string,
  unavailable: (ctx: BenchContext) => Promise<string | undefined>,
  start: () => Promise<ChildProcess>,
): Variant {
  return {
    name,
    unavailable,
    async trial(ctx) {
      const instances: ChildProcess[] = [];
      const out: Measurement[] = [];
      let elapsed = 0;
      try {
        for (const n of ladder(ctx.quick)) {
          const t0 = performance.now();
          await startMany(n - instances.length, start, instances, ctx);
          elapsed += performance.now() - t0;
          const { pss, pte } = memoryOf(instances);
          const per = (value: number) => value / n;
          out.push(
            { metric: 'start_all_ms', unit: 'ms', value: elapsed, better: 'lower', n },
            {
              metric: 'start_ms_per_instance',
              unit: 'ms',
              value: per(elapsed),
              better: 'lower',
              n,
            },
            { metric: 'pss_kib_per_instance', unit: 'KiB', value: per(pss), better: 'lower', n },
            {
              metric: 'page_tables_kib_per_instance',
              unit: 'KiB',
              value: per(pte),
              better: 'lower',
              n,
            },
          );
          ctx.note(
            `${name}: ${n} ready in ${Math.round(elapsed)} ms, ${Math.round(per(pss))} KiB PSS each`,
          );
        }
      } finally {
        await killAndWait(instances);
      }
      return out;
    },
  };
}

const command = (file: string, args: string[] = []): Command => ({ file, args });
const started = async (c: Command) => (await startUntil(c, READY, START_TIMEOUT_MS)).child;

let filterPath = '';

export const density: Scenario = {
  name: 'density',
  title: 'Density: N idle instances at once (start time and memory per instance)',
  baseline: 'hosted idle',
  trials: { quick: 1, full: 3 },
  // One trial is already hundreds of starts; a warm-up would double the scenario's time.
  warmup: 0,
  variants: [
    densityVariant(
      'hosted idle',
      async () => notBuilt(IDLE_HOSTED) ?? smokeCheck(command(IDLE_HOSTED), READY, true),
      () => started(command(IDLE_HOSTED)),
    ),
    densityVariant(
      'nabla-run idle',
      async () =>
        notBuilt(IDLE) ?? smokeCheck(command(process.execPath, [NABLA_RUN, IDLE]), READY, true),
      () => started(command(process.execPath, [NABLA_RUN, IDLE])),
    ),
    densityVariant(
      'bwrap+seccomp hosted idle',
      async (ctx) => {
        const missing = notBuilt(IDLE_HOSTED);
        if (missing) return missing;
        filterPath = writeDockerFilter(ctx.scratch);
        return bwrapUnavailable(filterPath, IDLE_HOSTED, [], READY, true);
      },
      () => withBwrap(filterPath, IDLE_HOSTED, [], started),
    ),
  ],
};
