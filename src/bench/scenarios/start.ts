// start.ts: how fast guests start from one resident process: one after another, a burst at once, and N idle guests until all are up.
import { normalizeRunOptions } from '../../api-options.js';
import { benchGuest, benchHosted, example, hostedExample } from '../../package/paths.js';
import { capacityProblem, hostLimits } from '../capacity.js';
import { notBuilt } from '../paths.js';
import { peerCommand, peerMissing } from '../peer.js';
import { type Command, smokeCheck } from '../procs.js';
import { READY, runStarter, type Started, type Starter, spawnStarter } from '../starters.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';

/*
 * Every variant starts the same guests from this one Node process (as a resident supervisor,
 * a daemon or an OCI runtime would), so that no variant pays for a Node start-up per guest:
 *   nabla run()             the public run() (src/api.ts), with whatever start path it takes
 *   nabla run() spawn path  run() with the option that selects child_process.spawn of the
 *                           tender, when run() has one (SPAWN_PATH); not run otherwise
 *   solo5-spt               upstream's tender (--peer solo5-spt=PATH) on the same .nabla,
 *                           started with child_process.spawn
 *   hosted                  the same app built as a plain Linux program, spawned: the floor
 * One trial of a variant is three parts, in this order:
 *   sequential_ms           examples/hello, start to exit, one at a time; one untimed start
 *                           first, then each start is a sample
 *   burst_guests_per_s      BURST hellos started at once (one loop, no waiting between),
 *                           divided by the time from the first start until the last has ended
 *   start_all_ms            N of benchmarks/guests/idle started until every one has printed
 *   start_ms_per_guest      "ready" (all alive at once), for each N of the list; then killed.
 *                           At most IN_FLIGHT started and not yet ready at a time, so that
 *                           the pipes this process reads stay within its descriptors. A point
 *                           this machine cannot hold (capacity.ts) is skipped, and the report
 *                           says why.
 * Host memory per idle guest is the density scenario's.
 */

const HELLO = example('hello');
const HOSTED_HELLO = hostedExample('hello');
const IDLE = benchGuest('idle');
const IDLE_HOSTED = benchHosted('idle');
const QUIET = '--solo5:quiet';
const GREETING = 'Hello, world!';

/**
 * The RunOptions that make run() start the tender with child_process.spawn instead of its
 * default path, if run() takes them; run() refuses an unknown key, and the variant is not run.
 */
export const SPAWN_PATH: Readonly<Record<string, unknown>> = { engine: false };

/** Guest memory of the idle guests (run()'s and upstream's default): counts under strict overcommit. */
const IDLE_MEM_MIB = 512;
/** Started and not yet ready at once, at most: each holds two pipe ends here until it is. */
export const IN_FLIGHT = 1000;
/** A guest slower than this to start or end means something is wrong (swap, a hung tender). */
const GUEST_TIMEOUT_MS = 60_000;

export interface StartSizes {
  /** Timed sequential starts per trial. */
  sequential: number;
  /** Hellos per burst. */
  burst: number;
  /** The N of start_all_ms, smallest first. */
  counts: readonly number[];
}

export const START_SIZES: Readonly<Record<'quick' | 'full', StartSizes>> = {
  quick: { sequential: 10, burst: 50, counts: [100] },
  full: { sequential: 40, burst: 200, counts: [100, 1000, 10_000] },
};

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

/** Rejects after `timeoutMs` with `what`; `cancel` stops the timer. */
function deadline(timeoutMs: number, what: () => string) {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), timeoutMs);
  });
  expired.catch(() => undefined); // raced later; it may expire before the race starts
  return { expired, cancel: () => clearTimeout(timer) };
}

/** Kills every guest and waits until all have ended (whatever their status). */
async function killAll(guests: readonly Started[]): Promise<void> {
  for (const guest of guests) guest.kill();
  await Promise.all(guests.map((g) => g.exited.catch(() => undefined)));
}

async function expectSuccess(label: string, exited: Promise<number>): Promise<void> {
  const status = await exited;
  if (status !== 0) throw new Error(`${label}: hello ended with status ${status}`);
}

/** One hello after another: the time of each, start to exit, after an untimed first. */
async function sequential(label: string, starter: Starter, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = -1; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await expectSuccess(label, starter.hello().exited);
    if (i >= 0) times.push(ms(t0));
  }
  return times;
}

/** `count` hellos started in one loop: guests per second until the last has ended. */
async function burst(label: string, starter: Starter, count: number): Promise<number> {
  const guests: Started[] = [];
  const t0 = process.hrtime.bigint();
  const timer = deadline(GUEST_TIMEOUT_MS, () => `${label}: a burst of ${count} took too long`);
  try {
    for (let i = 0; i < count; i++) guests.push(starter.hello());
    const statuses = await Promise.race([Promise.all(guests.map((g) => g.exited)), timer.expired]);
    const elapsed = ms(t0);
    const failed = statuses.filter((s) => s !== 0);
    if (failed.length > 0)
      throw new Error(`${label}: ${failed.length} of ${count} hellos failed (status ${failed[0]})`);
    return count / (elapsed / 1000);
  } finally {
    timer.cancel();
    await killAll(guests);
  }
}

/**
 * Starts `n` idle guests, at most IN_FLIGHT not yet ready at a time, and returns the time
 * until every one is ready. Checks that none ended meanwhile; kills them all afterwards.
 */
async function startN(
  label: string,
  starter: Starter,
  n: number,
  signal: AbortSignal,
): Promise<number> {
  const guests: Started[] = [];
  const readies: Promise<void>[] = [];
  let pending = 0;
  let ready = 0;
  let wake: (() => void) | undefined;
  let ended = 0;
  const timer = deadline(
    Math.max(GUEST_TIMEOUT_MS, n * 20),
    () => `${label}: ${ready} of ${n} ready after ${Math.max(GUEST_TIMEOUT_MS, n * 20)} ms`,
  );
  // A failure before everything is ready ends the wait at once.
  let failure: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    failure = reject;
  });
  failed.catch(() => undefined);
  const t0 = process.hrtime.bigint();
  try {
    for (let i = 0; i < n; i++) {
      if (signal.aborted) throw new Error('interrupted');
      while (pending >= IN_FLIGHT) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), failed]);
      }
      const guest = starter.idle();
      guests.push(guest);
      guest.exited.then(
        () => ended++,
        () => ended++,
      );
      pending++;
      const one = guest.ready.then(() => {
        pending--;
        ready++;
        wake?.();
      });
      one.catch((error: unknown) => failure?.(error));
      readies.push(one);
    }
    await Promise.race([Promise.all(readies), failed, timer.expired]);
    const elapsed = ms(t0);
    // Every one printed "ready"; none may have ended since: all alive at once.
    if (ended > 0) throw new Error(`${label}: ${ended} of ${n} guests ended while starting`);
    return elapsed;
  } finally {
    timer.cancel();
    await killAll(guests);
  }
}

/** The N to run: the mode's list, without the points this machine cannot hold (remarked). */
function countsFor(ctx: BenchContext, sizes: StartSizes): number[] {
  return sizes.counts.filter((n) => {
    const problem = capacityProblem(
      { n, guestMemMiB: IDLE_MEM_MIB, pipeEnds: 2 * Math.min(n, IN_FLIGHT) },
      hostLimits(),
    );
    if (problem !== undefined) ctx.remark(`N = ${n.toLocaleString('en-US')} not run: ${problem}`);
    return problem === undefined;
  });
}

/** A start variant: `starter` makes its guests; `unavailable` says why it cannot run here. */
function startVariant(
  name: string,
  unavailable: (ctx: BenchContext) => Promise<string | undefined>,
  starter: (ctx: BenchContext) => Starter,
  sizes: Readonly<Record<'quick' | 'full', StartSizes>>,
  counts: () => readonly number[],
): Variant {
  return {
    name,
    unavailable,
    async trial(ctx) {
      const size = ctx.quick ? sizes.quick : sizes.full;
      const s = starter(ctx);
      const out: Measurement[] = (await sequential(name, s, size.sequential)).map((value) => ({
        metric: 'sequential_ms',
        unit: 'ms',
        value,
        better: 'lower',
      }));
      const rate = await burst(name, s, size.burst);
      out.push({ metric: 'burst_guests_per_s', unit: 'guests/s', value: rate, better: 'higher' });
      // One untimed idle guest first: the first start of an image may prepare what later reuse.
      await startN(name, s, 1, ctx.signal);
      for (const n of counts()) {
        const elapsed = await startN(name, s, n, ctx.signal);
        out.push(
          { metric: 'start_all_ms', unit: 'ms', value: elapsed, better: 'lower', n },
          { metric: 'start_ms_per_guest', unit: 'ms', value: elapsed / n, better: 'lower', n },
        );
        ctx.note(`${name}: ${n} ready in ${Math.round(elapsed)} ms`);
      }
      return out;
    },
  };
}

/** Why run() cannot take SPAWN_PATH (it refuses the key or its value), or undefined. */
function spawnPathMissing(): string | undefined {
  try {
    normalizeRunOptions({ kernel: HELLO, ...SPAWN_PATH });
    return undefined;
  } catch (error) {
    return `run() refuses ${JSON.stringify(SPAWN_PATH)}, the spawn-path option: ${(error as Error).message}`;
  }
}

/** Why `hello` and `idle` do not both work here, or undefined. */
async function commandsFail(hello: Command, idle: Command): Promise<string | undefined> {
  return (await smokeCheck(hello, GREETING)) ?? smokeCheck(idle, READY, true);
}

/** The scenario with the given sizes (the tests run it with small ones). */
export function startScenario(
  sizes: Readonly<Record<'quick' | 'full', StartSizes>> = START_SIZES,
): Scenario {
  const hello = { kernel: HELLO, args: [QUIET] };
  const idle = { kernel: IDLE };
  const peerHello = (ctx: BenchContext) => peerCommand(ctx, HELLO, [QUIET]);
  const peerIdle = (ctx: BenchContext) => peerCommand(ctx, IDLE, []);
  const hostedHello: Command = { file: HOSTED_HELLO, args: [QUIET] };
  const hostedIdle: Command = { file: IDLE_HOSTED, args: [] };
  const { quick, full } = sizes;
  // Decided once per run, in setup: the same points for every variant.
  let counts: readonly number[] = [];
  const variant = (
    name: string,
    unavailable: (ctx: BenchContext) => Promise<string | undefined>,
    starter: (ctx: BenchContext) => Starter,
  ) => startVariant(name, unavailable, starter, sizes, () => counts);
  return {
    name: 'start',
    title:
      'Start: guests started from one resident process: one after another (start to exit), ' +
      `a burst at once (${quick.burst} quick, ${full.burst} full) and N idle guests until all ` +
      'are up',
    baseline: 'hosted',
    peer: 'solo5-spt',
    trials: { quick: 2, full: 3 },
    // Each trial warms itself (an untimed hello and idle guest); a warm-up trial would be
    // thousands of starts more.
    warmup: 0,
    variants: [
      variant(
        'hosted',
        async () => notBuilt(HOSTED_HELLO, IDLE_HOSTED) ?? commandsFail(hostedHello, hostedIdle),
        () => spawnStarter(hostedHello, hostedIdle),
      ),
      variant(
        'nabla run()',
        async () => notBuilt(HELLO, IDLE),
        () => runStarter(hello, idle),
      ),
      variant(
        'nabla run() spawn path',
        async () => notBuilt(HELLO, IDLE) ?? spawnPathMissing(),
        () => runStarter(hello, idle, SPAWN_PATH),
      ),
      variant(
        'solo5-spt',
        async (ctx) =>
          peerMissing(ctx) ?? notBuilt(HELLO, IDLE) ?? commandsFail(peerHello(ctx), peerIdle(ctx)),
        (ctx) => spawnStarter(peerHello(ctx), peerIdle(ctx)),
      ),
    ],
    async setup(ctx) {
      counts = countsFor(ctx, ctx.quick ? quick : full);
    },
  };
}

export const start: Scenario = startScenario();
