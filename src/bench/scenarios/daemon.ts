// daemon.ts: the daemon's API under load: latency p50/p99 of create, inspect, stats, list, stop and remove with N idle instances and K calls in flight, and what a create costs beyond run().
import { packagePath } from '../../package/paths.js';
import { capacityProblem, hostLimits } from '../capacity.js';
import { type DaemonSizes, daemonTrial, IDLE, IDLE_MEM_MIB } from '../daemon-trial.js';
import { notBuilt } from '../paths.js';
import { capture } from '../procs.js';
import type { BenchContext, Measurement, Scenario } from '../types.js';

/*
 * Variants:
 *   run(), no daemon  the idle guest started by run() on the start engine in a fresh process
 *                     (engine-worker.ts): the floor a daemon's create stands on (the baseline)
 *   nabla daemon      a real `nabla daemon` on a private socket, driven through its HTTP API
 *                     (daemon-trial.ts)
 * They share create_serial_ms (one start at a time) and create_all_ms (N started); the
 * daemon's other figures are its own. Upstream has no daemon: no peer variant.
 */

const WORKER = packagePath('dist/bench/engine-worker.js');
const WORKER_TIMEOUT_MS = 10 * 60_000;

export const DAEMON_SIZES: Readonly<Record<'quick' | 'full', DaemonSizes>> = {
  quick: { instances: 50, inFlight: 16, serial: 10, lists: 10 },
  full: { instances: 1000, inFlight: 16, serial: 40, lists: 50 },
};

/** Why N instances (their guests, and two pipes each in the daemon) do not fit here. */
function capacity(sizes: DaemonSizes): string | undefined {
  const demand = { n: sizes.instances, guestMemMiB: IDLE_MEM_MIB, pipeEnds: 2 * sizes.instances };
  return capacityProblem(demand, hostLimits());
}

/** One trial of run() without the daemon, in a fresh worker process. */
async function engineTrial(ctx: BenchContext, sizes: DaemonSizes): Promise<Measurement[]> {
  if (ctx.signal.aborted) throw new Error('interrupted');
  const spec = JSON.stringify({ instances: sizes.instances, serial: sizes.serial });
  let measurements: Measurement[] | undefined;
  const result = await capture(
    { file: process.execPath, args: [WORKER, spec] },
    WORKER_TIMEOUT_MS,
    (line) => {
      try {
        measurements = (JSON.parse(line) as { measurements?: Measurement[] }).measurements;
      } catch {
        // not the worker's line: its status tells
      }
    },
  );
  if (result.status !== 0 || measurements === undefined) {
    const said = result.stderr.trim().split('\n')[0] ?? '';
    throw new Error(`engine-worker: status ${result.status}${said ? `: ${said}` : ''}`);
  }
  return measurements;
}

/** The scenario with the given sizes (the tests use smaller ones, and a daemon that fails). */
export function daemonScenario(
  sizes: Readonly<Record<'quick' | 'full', DaemonSizes>> = DAEMON_SIZES,
  nabla?: string,
): Scenario {
  const of = (ctx: BenchContext) => (ctx.quick ? sizes.quick : sizes.full);
  const unavailable = (ctx: BenchContext) => notBuilt(IDLE, WORKER) ?? capacity(of(ctx));
  return {
    name: 'daemon',
    title:
      'Daemon: a real `nabla daemon` driven through its API with N idle instances ' +
      `(${sizes.quick.instances} quick, ${sizes.full.instances.toLocaleString('en-US')} full) ` +
      `and ${sizes.full.inFlight} calls in flight: latency p50 and p99 of create, inspect, ` +
      'stats, list, stop and remove; creates against run() with no daemon',
    baseline: 'run(), no daemon',
    trials: { quick: 2, full: 3 },
    // Each trial warms itself (an untimed create in a fresh daemon or worker).
    warmup: 0,
    async setup(ctx) {
      const { instances, inFlight, serial, lists } = of(ctx);
      ctx.remark(
        `What was measured: a fresh daemon per trial; ${serial} creates one at a time ` +
          `(create_serial_ms, a sample each); then N = ${instances.toLocaleString('en-US')} ` +
          `instances of the idle guest (${IDLE_MEM_MIB} MiB) with ${inFlight} calls in flight: ` +
          'each call timed from its request to its whole answer, OP_p50 and OP_p99 over the N ' +
          "calls of one trial (the tables give the trials' median), OP_all_ms from the first " +
          `call to the last answer; lists of all N one at a time (${lists} per trial). With ` +
          "calls waiting, a create's latency is mostly its queue. run(), no daemon: the same " +
          'guests started by run() on the start engine, one after another, each until its pid ' +
          'is known (when the daemon answers a create).',
      );
    },
    variants: [
      {
        name: 'run(), no daemon',
        unavailable,
        trial: (ctx) => engineTrial(ctx, of(ctx)),
      },
      {
        name: 'nabla daemon',
        unavailable,
        trial: (ctx) => daemonTrial(ctx, of(ctx), nabla === undefined ? {} : { nabla }),
      },
    ],
  };
}

export const daemon: Scenario = daemonScenario();
