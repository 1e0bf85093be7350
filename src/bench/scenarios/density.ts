// density.ts: N idle instances at once: host memory (PSS and page tables) per instance as N grows.
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { run } from '../../api.js';
import { defaultEngine } from '../../engine/engine.js';
import { benchGuest, benchHosted, NABLA_RUN } from '../../package/paths.js';
import { hostLimits } from '../capacity.js';
import {
  type Bundle,
  containerId,
  makeBundle,
  type OciRuntime,
  ociDelete,
  ociRun,
  ociUnavailable,
  runtimeMissing,
} from '../oci.js';
import { notBuilt } from '../paths.js';
import { peerCommand, peerMissing } from '../peer.js';
import {
  type Command,
  exited,
  killGroup,
  pageTablesKiB,
  parentMap,
  processTree,
  pssKiB,
  smokeCheck,
  startUntil,
  trackGuest,
} from '../procs.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';
import { bwrapUnavailable, withBwrap, writeDockerFilter } from './container.js';

/*
 * One trial climbs a ladder of N (quick 10/50/100, full 10/50/100/500/1000; the OCI peers stop
 * at 500, OCI_TOP): it starts instances
 * of benchmarks/guests/idle (prints "ready", then yields forever) until N are ready, measures,
 * then starts more for the next N, and at the end kills every one, also when a start fails or
 * the run is interrupted. At each N:
 *   pss_kib_per_instance   PSS (/proc/PID/smaps_rollup) summed over every process of every
 *                          instance (bwrap's too), divided by N: shared pages count once
 *   page_tables_kib_per_instance  VmPTE likewise: kernel memory PSS leaves out
 * ('nabla API run()': its start engine's template counted once, spread over the N guests)
 * How long starting takes is the start scenario's (start.ts): here instances start the way
 * users start them (nabla-run is Node, then the tender), a few at a time: a thousand Node
 * start-ups at once would need tens of GiB for a moment. STARTING in flight keeps both cores
 * busy and leaves memory to the instances. 'nabla API run()' starts the same guest from this
 * one Node process (src/api.ts, as a resident supervisor would), and 'solo5-spt idle' (with
 * --peer solo5-spt=PATH) the same .nabla under upstream's tender, started directly from it.
 * 'runsc idle' and 'crun idle' run the hosted idle program in an OCI bundle (oci.ts), one
 * container each, every process of it counted (runsc: its sandbox, gofer and ptrace stubs).
 * Before each step up the ladder, the memory the next step needs at the PSS and page tables
 * per instance measured so far must fit in MemAvailable less SPARE_KIB: a variant that would
 * not fit stops at the N it reached, and the report says so (gVisor takes tens of MiB per
 * sandbox); so does one whose starts fail past the first N.
 */

const IDLE = benchGuest('idle');
const IDLE_HOSTED = benchHosted('idle');
const READY = 'ready';
const STARTING = Math.max(2, availableParallelism() * 2);
/** A start slower than this means something is wrong (swap, a hung tender). */
const START_TIMEOUT_MS = 60_000;
/** Memory left to the machine when deciding whether the next N fits. */
const SPARE_KIB = 1 << 20;

/** The N of each mode, smallest first. */
export type DensityLadder = Readonly<Record<'quick' | 'full', readonly number[]>>;
const LADDER: DensityLadder = { quick: [10, 50, 100], full: [10, 50, 100, 500, 1000] };

/*
 * The OCI peers climb no higher than this: each container is a runtime's processes (runsc: its
 * sandbox, gofer and ptrace stubs, about 40 host tasks), a start of tenths of a second and a
 * `delete` of its own, and gVisor's sandboxes used the host's whole pid_max (32,768) at 815.
 */
const OCI_TOP = 500;
const OCI_TOP_WHY = `the OCI peers' ladder ends at N = ${OCI_TOP} (density.ts, OCI_TOP)`;

/** One running instance: its root process, and how to end it. */
interface Instance {
  pid: number;
  kill(): void | Promise<void>;
  exited: Promise<unknown>;
}

/** Starts `count` instances, STARTING at a time, into `into`; rejects with the first failure. */
async function startMany(
  count: number,
  start: (ctx: BenchContext) => Promise<Instance>,
  into: Instance[],
  ctx: BenchContext,
): Promise<void> {
  let left = count;
  let failure: unknown;
  const worker = async () => {
    while (left > 0 && failure === undefined && !ctx.signal.aborted) {
      left--;
      try {
        into.push(await start(ctx));
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STARTING, count) }, worker));
  if (failure !== undefined) throw failure;
  if (ctx.signal.aborted) throw new Error('interrupted');
}

/** Every process of every instance, and the processes they share (`shared`), each once. */
function memoryOf(
  instances: readonly Instance[],
  shared: readonly number[],
): { pss: number; pte: number } {
  const parents = parentMap();
  const pids = new Set(shared);
  for (const instance of instances)
    for (const pid of processTree(instance.pid, parents)) pids.add(pid);
  let pss = 0;
  let pte = 0;
  for (const pid of pids) {
    pss += pssKiB(pid);
    pte += pageTablesKiB(pid);
  }
  return { pss, pte };
}

/*
 * Kills in flight at once. An OCI instance's kill is a runtime process (`runsc delete`, a Go
 * program of about 20 MiB) that mostly waits for its sandbox to go: a thousand at once would
 * need more memory than the instances, and four at a time took 17 minutes for 815 sandboxes.
 */
const KILLING = 32;

async function killInstances(instances: readonly Instance[]): Promise<void> {
  for (let i = 0; i < instances.length; i += KILLING)
    await Promise.all(instances.slice(i, i + KILLING).map((instance) => instance.kill()));
  await Promise.all(instances.map((i) => i.exited));
}

/**
 * A density variant: `start` starts one instance and resolves once it is ready; `shared` lists
 * processes that serve every instance and belong to none (the start engine's templates), whose
 * memory is counted too, once, spread over the N instances.
 */
function densityVariant(
  ladder: DensityLadder,
  name: string,
  unavailable: (ctx: BenchContext) => Promise<string | undefined>,
  start: (ctx: BenchContext) => Promise<Instance>,
  shared: () => number[] = () => [],
  top = Number.POSITIVE_INFINITY,
): Variant {
  return {
    name,
    unavailable,
    async trial(ctx) {
      const instances: Instance[] = [];
      const out: Measurement[] = [];
      try {
        let perKiB = 0;
        for (const n of ctx.quick ? ladder.quick : ladder.full) {
          if (n > top) {
            ctx.remark(`${name}: N = ${n} not run: ${OCI_TOP_WHY}`);
            break;
          }
          const need = perKiB * (n - instances.length);
          const limits = hostLimits();
          const available = Math.min(limits.memAvailableKiB, limits.cgroupMemKiB ?? Infinity);
          if (need > available - SPARE_KIB) {
            ctx.remark(
              `${name}: reached N = ${instances.length}; N = ${n} not run: it needs about ` +
                `${gib(need)} GiB at ${Math.round(perKiB / 1024)} MiB per instance, ` +
                `${gib(available)} GiB available (MemAvailable, cgroup limit) (${gib(SPARE_KIB)} GiB kept spare)`,
            );
            break;
          }
          try {
            await startMany(n - instances.length, start, instances, ctx);
          } catch (error) {
            if (out.length === 0 || ctx.signal.aborted) throw error;
            ctx.remark(
              `${name}: reached N = ${instances.length}; N = ${n} failed: ${(error as Error).message.split('\n')[0]}`,
            );
            break;
          }
          const { pss, pte } = memoryOf(instances, shared());
          perKiB = (pss + pte) / n;
          const per = (value: number) => value / n;
          out.push(
            { metric: 'pss_kib_per_instance', unit: 'KiB', value: per(pss), better: 'lower', n },
            {
              metric: 'page_tables_kib_per_instance',
              unit: 'KiB',
              value: per(pte),
              better: 'lower',
              n,
            },
          );
          ctx.note(`${name}: ${n} ready, ${Math.round(per(pss))} KiB PSS each`);
        }
      } finally {
        await killInstances(instances);
      }
      return out;
    },
  };
}

const gib = (kib: number) => (kib / (1 << 20)).toFixed(1);

/** Starts the hosted idle program as a container of `runtime`, removed with the runtime's delete. */
async function startOci(runtime: OciRuntime, bundle: Bundle): Promise<Instance> {
  const id = containerId();
  const { child } = await startUntil(ociRun(runtime, bundle, id), READY, START_TIMEOUT_MS).catch(
    async (error) => {
      await ociDelete(runtime, bundle, id);
      throw error;
    },
  );
  const ended = exited(child);
  return {
    pid: child.pid as number,
    async kill() {
      await ociDelete(runtime, bundle, id);
      killGroup(child);
    },
    exited: ended,
  };
}

const command = (file: string, args: string[] = []): Command => ({ file, args });
const instance = (child: ChildProcess): Instance => ({
  pid: child.pid as number,
  kill: () => killGroup(child),
  exited: exited(child),
});
const started = async (c: Command) =>
  instance((await startUntil(c, READY, START_TIMEOUT_MS)).child);

/** Starts the idle guest with the API's run() and resolves once it has printed "ready". */
async function startWithApi(): Promise<Instance> {
  const guest = run({ kernel: IDLE, stdio: 'pipe' });
  const ended = guest.exited.catch(() => undefined);
  trackGuest(() => guest.kill('SIGKILL'), ended);
  const stdout = guest.stdout as NonNullable<typeof guest.stdout>;
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      guest.kill('SIGKILL');
      reject(new Error(`run(${IDLE}): no "ready" within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    guest.exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`run(${IDLE}): ended before ready, status ${exit.status}`));
    }, reject);
    // Buffers, not setEncoding(): run() also collects this stream, as Buffers.
    stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes(READY)) return;
      clearTimeout(timer);
      resolve();
    });
  });
  // An idle guest prints nothing more: a thousand of them need no pipes held open here.
  stdout.destroy();
  guest.stderr?.destroy();
  return {
    pid: guest.pid,
    kill: () => {
      guest.kill('SIGKILL');
    },
    exited: ended,
  };
}

let filterPath = '';
const bundles = new Map<OciRuntime, Bundle>();

/** The scenario over the given ladder (the tests climb a short one). */
export function densityScenario(ladder: DensityLadder = LADDER): Scenario {
  const variant = (
    name: string,
    unavailable: (ctx: BenchContext) => Promise<string | undefined>,
    start: (ctx: BenchContext) => Promise<Instance>,
    shared?: () => number[],
    top?: number,
  ) => densityVariant(ladder, name, unavailable, start, shared, top);
  return {
    name: 'density',
    title: 'Density: N idle instances at once (host memory per instance)',
    baseline: 'hosted idle',
    peer: 'solo5-spt idle',
    roles: {
      nabla: 'nabla-run idle',
      'nabla-api': 'nabla API run() idle',
      'solo5-spt': 'solo5-spt idle',
      runsc: 'runsc idle',
      crun: 'crun idle',
      bwrap: 'bwrap+seccomp hosted idle',
      hosted: 'hosted idle',
    },
    trials: { quick: 1, full: 3 },
    // One trial is already hundreds of starts; a warm-up would double the scenario's time.
    warmup: 0,
    variants: [
      variant(
        'hosted idle',
        async () => notBuilt(IDLE_HOSTED) ?? smokeCheck(command(IDLE_HOSTED), READY, true),
        () => started(command(IDLE_HOSTED)),
      ),
      variant(
        'nabla-run idle',
        async () =>
          notBuilt(IDLE) ?? smokeCheck(command(process.execPath, [NABLA_RUN, IDLE]), READY, true),
        () => started(command(process.execPath, [NABLA_RUN, IDLE])),
      ),
      // run() starts them through the start engine: its template is theirs too.
      variant(
        'nabla API run() idle',
        async () => notBuilt(IDLE),
        startWithApi,
        () => defaultEngine().templateList.map((t) => t.pid),
      ),
      variant(
        'bwrap+seccomp hosted idle',
        async (ctx) => {
          const missing = notBuilt(IDLE_HOSTED);
          if (missing) return missing;
          filterPath = writeDockerFilter(ctx.scratch);
          return bwrapUnavailable(filterPath, IDLE_HOSTED, [], READY, true);
        },
        () => withBwrap(filterPath, IDLE_HOSTED, [], started),
      ),
      ...(['runsc', 'crun'] as const).map((runtime) =>
        variant(
          `${runtime} idle`,
          async (ctx) => {
            const missing = (await runtimeMissing(runtime)) ?? notBuilt(IDLE_HOSTED);
            if (missing) return missing;
            const bundle = makeBundle(ctx.scratch, `${runtime}-idle`, {
              program: IDLE_HOSTED,
              args: [],
            });
            bundles.set(runtime, bundle);
            return ociUnavailable(runtime, bundle, READY, true);
          },
          () => startOci(runtime, bundles.get(runtime) as Bundle),
          undefined,
          OCI_TOP,
        ),
      ),
      variant(
        'solo5-spt idle',
        async (ctx) =>
          peerMissing(ctx) ?? notBuilt(IDLE) ?? smokeCheck(peerCommand(ctx, IDLE, []), READY, true),
        (ctx) => started(peerCommand(ctx, IDLE, [])),
      ),
    ],
  };
}

export const density: Scenario = densityScenario();
