// start.ts: how fast guests start from a resident process: one after another, a burst at once, and N idle guests until all are up.
import { packagePath } from '../../package/paths.js';
import { capacityProblem, hostLimits } from '../capacity.js';
import { notBuilt } from '../paths.js';
import { peerMissing } from '../peer.js';
import { capture, smokeCheck } from '../procs.js';
import {
  HELLO,
  HOSTED_HELLO,
  IDLE,
  IDLE_HOSTED,
  IN_FLIGHT,
  type StartTrialSpec,
  type StartVariant,
  startCommands,
} from '../start-trial.js';
import { READY } from '../starters.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';

/*
 * Every variant starts the same guests from one resident Node process (as a supervisor, a
 * daemon or an OCI runtime would), so that none pays for a Node start-up per guest:
 *   hosted                  the same apps built as plain Linux programs, spawned: the floor
 *   nabla run()             the public run() (src/api.ts) on its default path, the start
 *                           engine (docs/start-engine.md)
 *   nabla run() spawn path  run(options, SPAWN_PATH): a tender spawned per guest, as before
 *                           the engine
 *   solo5-spt               upstream's tender (--peer solo5-spt=PATH) on the same .nabla
 *                           files, spawned
 * A trial is sequential starts, a burst and N idle guests (start-trial.ts), in a fresh Node
 * process (start-worker.ts) that is that trial's resident process. Host memory per idle guest
 * is the density scenario's.
 */

const WORKER = packagePath('dist/bench/start-worker.js');
const GREETING = 'Hello, world!';
/** Guest memory of the idle guests (run()'s and upstream's default): counts under strict overcommit. */
const IDLE_MEM_MIB = 512;
/** One worker's whole trial; each guest inside it has its own, shorter bound. */
const WORKER_TIMEOUT_MS = 30 * 60_000;

/** Sizes of one trial, by mode: `counts` is the list of N before the machine's check. */
export type StartSizes = StartTrialSpec;

export const START_SIZES: Readonly<Record<'quick' | 'full', StartSizes>> = {
  quick: { warmup: 20, sequential: 10, burst: 50, counts: [100] },
  full: { warmup: 50, sequential: 40, burst: 200, counts: [100, 1000, 10_000] },
};

/** The N to run: the mode's list, without the points this machine cannot hold (remarked). */
function countsFor(ctx: BenchContext, sizes: StartSizes): number[] {
  const limits = hostLimits();
  return sizes.counts.filter((n) => {
    const demand = { n, guestMemMiB: IDLE_MEM_MIB, pipeEnds: 2 * Math.min(n, IN_FLIGHT) };
    const problem = capacityProblem(demand, limits);
    if (problem !== undefined) ctx.remark(`N = ${n.toLocaleString('en-US')} not run: ${problem}`);
    return problem === undefined;
  });
}

/** Runs one trial of `variant` in a fresh worker process; its notes go to `ctx.note`. */
async function workerTrial(
  ctx: BenchContext,
  variant: StartVariant,
  spec: StartTrialSpec,
): Promise<Measurement[]> {
  if (ctx.signal.aborted) throw new Error('interrupted');
  let measurements: Measurement[] | undefined;
  const arg = JSON.stringify({ variant, peers: ctx.peers, ...spec });
  const result = await capture(
    { file: process.execPath, args: [WORKER, arg] },
    WORKER_TIMEOUT_MS,
    (line) => {
      let message: { note?: string; measurements?: Measurement[] };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return; // not the worker's (nothing else should print there): the status tells
      }
      if (message.note !== undefined) ctx.note(message.note);
      if (message.measurements !== undefined) measurements = message.measurements;
    },
  );
  if (result.status !== 0 || measurements === undefined) {
    const said = result.stderr.trim().split('\n')[0] ?? '';
    throw new Error(`status ${result.status}${said ? `: ${said}` : ''}`);
  }
  return measurements;
}

/** Why a spawned variant's hello and idle guest do not both work here, or undefined. */
async function commandsFail(
  ctx: BenchContext,
  variant: 'hosted' | 'solo5-spt',
): Promise<string | undefined> {
  const { hello, idle } = startCommands(variant, ctx);
  return (await smokeCheck(hello, GREETING)) ?? smokeCheck(idle, READY, true);
}

/** The scenario with the given sizes (the tests run it with small ones). */
export function startScenario(
  sizes: Readonly<Record<'quick' | 'full', StartSizes>> = START_SIZES,
): Scenario {
  // Decided once, in setup: the same points for every variant and trial.
  let counts: readonly number[] = [];
  const variant = (
    name: StartVariant,
    unavailable: (ctx: BenchContext) => Promise<string | undefined>,
  ): Variant => ({
    name,
    unavailable: async (ctx) => notBuilt(WORKER) ?? unavailable(ctx),
    trial: (ctx) => workerTrial(ctx, name, { ...(ctx.quick ? sizes.quick : sizes.full), counts }),
  });
  return {
    name: 'start',
    title:
      'Start: guests started from one resident process: one after another (start to exit), ' +
      `a burst at once (${sizes.quick.burst} quick, ${sizes.full.burst} full) and N idle ` +
      'guests until all are up',
    baseline: 'hosted',
    peer: 'solo5-spt',
    trials: { quick: 2, full: 3 },
    // Each trial warms itself (untimed hellos and an idle guest); a warm-up trial would be
    // thousands of starts more.
    warmup: 0,
    variants: [
      variant(
        'hosted',
        async (ctx) => notBuilt(HOSTED_HELLO, IDLE_HOSTED) ?? commandsFail(ctx, 'hosted'),
      ),
      variant('nabla run()', async () => notBuilt(HELLO, IDLE)),
      variant('nabla run() spawn path', async () => notBuilt(HELLO, IDLE)),
      variant(
        'solo5-spt',
        async (ctx) => peerMissing(ctx) ?? notBuilt(HELLO, IDLE) ?? commandsFail(ctx, 'solo5-spt'),
      ),
    ],
    async setup(ctx) {
      counts = countsFor(ctx, ctx.quick ? sizes.quick : sizes.full);
    },
  };
}

export const start: Scenario = startScenario();
