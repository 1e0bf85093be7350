// start-trial.ts: one trial of the start scenario for one way of starting guests: sequential starts, a burst, N idle guests until all are up.
import type { StartOptions } from '../api.js';
import { benchGuest, benchHosted, example, hostedExample } from '../package/paths.js';
import { peerCommand } from './peer.js';
import type { Command } from './procs.js';
import { runStarter, type Started, type Starter, spawnStarter } from './starters.js';
import type { BenchContext, Measurement } from './types.js';

/*
 * Runs in a fresh Node process per trial (start-worker.ts), the "resident" process that
 * starts every guest of the trial: a process that has just started ten thousand guests holds
 * more memory (twice the RSS, here), and forks and reaps more slowly, which would bias
 * whichever variant came next. The parts, in this order:
 *   sequential_ms         examples/hello, start to exit, one at a time; untimed starts
 *                         first (warmup), then each start is a sample
 *   burst_guests_per_s    `burst` hellos started at once (one loop, no waiting between),
 *                         divided by the time from the first start until the last has ended
 *   start_all_ms          N of benchmarks/guests/idle started until every one has printed
 *   start_ms_per_guest    "ready" (all alive at once), for each N given, smallest first; then
 *                         all killed. At most IN_FLIGHT started and not yet ready at a time,
 *                         so that the pipes read here stay within this process's descriptors.
 */

export const HELLO = example('hello');
export const HOSTED_HELLO = hostedExample('hello');
export const IDLE = benchGuest('idle');
export const IDLE_HOSTED = benchHosted('idle');
const QUIET = '--solo5:quiet';

/** run()'s second argument that makes it spawn a tender instead of asking the start engine. */
export const SPAWN_PATH: StartOptions = { engine: false };

/** Started and not yet ready at once, at most: each holds two pipe ends here until it is. */
export const IN_FLIGHT = 1000;
/** A guest slower than this to start or end means something is wrong (swap, a hung tender). */
const GUEST_TIMEOUT_MS = 60_000;

/** The start scenario's variants: the ways of starting guests it compares. */
export const START_VARIANTS = [
  'hosted',
  'nabla run()',
  'nabla run() spawn path',
  'solo5-spt',
] as const;
export type StartVariant = (typeof START_VARIANTS)[number];

/** The commands of a spawned variant: its hello and its idle guest. */
export function startCommands(
  variant: 'hosted' | 'solo5-spt',
  ctx: Pick<BenchContext, 'peers'>,
): { hello: Command; idle: Command } {
  return variant === 'hosted'
    ? { hello: { file: HOSTED_HELLO, args: [QUIET] }, idle: { file: IDLE_HOSTED, args: [] } }
    : { hello: peerCommand(ctx, HELLO, [QUIET]), idle: peerCommand(ctx, IDLE, []) };
}

/** How `variant` starts its guests. */
export function starterFor(variant: StartVariant, ctx: Pick<BenchContext, 'peers'>): Starter {
  switch (variant) {
    case 'nabla run()':
      return runStarter({ kernel: HELLO, args: [QUIET] }, { kernel: IDLE });
    case 'nabla run() spawn path':
      return runStarter({ kernel: HELLO, args: [QUIET] }, { kernel: IDLE }, SPAWN_PATH);
    default: {
      const { hello, idle } = startCommands(variant, ctx);
      return spawnStarter(hello, idle);
    }
  }
}

/** What one trial does. */
export interface StartTrialSpec {
  /**
   * Untimed hellos first: a fresh process runs run()'s TypeScript cold (interpreted, not yet
   * optimised) for its first starts; a resident supervisor's steady state is what counts.
   */
  warmup: number;
  /** Timed sequential starts. */
  sequential: number;
  /** Hellos in the burst. */
  burst: number;
  /** The N of start_all_ms, smallest first (the points this machine can hold). */
  counts: readonly number[];
}

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

/** One hello after another: the time of each, start to exit, after `warmup` untimed ones. */
async function sequential(
  label: string,
  starter: Starter,
  warmup: number,
  count: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = -warmup; i < count; i++) {
    const t0 = process.hrtime.bigint();
    const guest = starter.hello();
    const timer = deadline(GUEST_TIMEOUT_MS, () => `${label}: a hello took too long`);
    try {
      await Promise.race([expectSuccess(label, guest.exited), timer.expired]);
      if (i >= 0) times.push(ms(t0));
    } finally {
      timer.cancel();
      await killAll([guest]); // nothing, unless it timed out
    }
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

/** One trial: the three parts with `starter`, as measurements; `note` reports each N. */
export async function startTrial(
  label: string,
  starter: Starter,
  spec: StartTrialSpec,
  signal: AbortSignal,
  note: (text: string) => void,
): Promise<Measurement[]> {
  const out: Measurement[] = (await sequential(label, starter, spec.warmup, spec.sequential)).map(
    (value) => ({
      metric: 'sequential_ms',
      unit: 'ms',
      value,
      better: 'lower',
    }),
  );
  const rate = await burst(label, starter, spec.burst);
  out.push({ metric: 'burst_guests_per_s', unit: 'guests/s', value: rate, better: 'higher' });
  // One untimed idle guest first: the first start of an image may prepare what later ones reuse.
  await startN(label, starter, 1, signal);
  for (const n of spec.counts) {
    const elapsed = await startN(label, starter, n, signal);
    out.push(
      { metric: 'start_all_ms', unit: 'ms', value: elapsed, better: 'lower', n },
      { metric: 'start_ms_per_guest', unit: 'ms', value: elapsed / n, better: 'lower', n },
    );
    note(`${label}: ${n} ready in ${Math.round(elapsed)} ms`);
  }
  return out;
}
