// boot.ts: wall time of one hello, from spawn to exit, under nabla-run and the alternatives on this machine.
import { execFile } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { run } from '../../api.js';
import { BUILT, example, hostedExample, NABLA_RUN } from '../../package/paths.js';
import {
  type Bundle,
  makeBundle,
  type OciRuntime,
  ociRun,
  ociUnavailable,
  runtimeMissing,
} from '../oci.js';
import { notBuilt, PEER_SOURCES } from '../paths.js';
import { peerCommand, peerMissing } from '../peer.js';
import { type Command, smokeCheck, timeRun, trackGuest } from '../procs.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';
import { bwrapUnavailable, withBwrap, writeDockerFilter } from './container.js';

/*
 * Every trial is one fresh process, timed from just before spawn() to its exit, output to
 * /dev/null. The variants, floor first:
 *   static C hello              gcc -static -O2: exec plus glibc start-up, nothing to load
 *   hosted hello                examples/hello built as a normal (dynamic) Linux program
 *   bwrap+seccomp hosted hello  the same in a container-like sandbox (container.ts)
 *   node -e 0                   the floor of any Node CLI: the baseline of the ratios
 *   nabla-run hello             what users type: Node parses, prepares and execs the tender
 *   nabla API run() hello       the same guest started by run() (src/api.ts) from this
 *                               process: the tender's fresh process without Node's start-up
 *   solo5-spt hello             upstream's tender on the same unikernel (--peer solo5-spt=PATH)
 *   runsc hello, crun hello     the hosted hello in an OCI bundle under gVisor (ptrace) and
 *                               under crun with Docker's defaults (oci.ts): `RUNTIME run`,
 *                               spawn to exit, the container removed by the runtime as it ends
 */

const execFileAsync = promisify(execFile);
const HELLO = example('hello');
const HOSTED_HELLO = hostedExample('hello');
const STATIC_SOURCE = join(PEER_SOURCES, 'hello.c');
const STATIC_HELLO = join(BUILT.bench, 'hello-static');
/** What every hello prints; checked once per variant before its trials. */
const GREETING = 'Hello, world!';
/** The bindings' banner would only add console writes that differ between tenders. */
const QUIET = '--solo5:quiet';

const wall = (ms: number): Measurement[] => [
  { metric: 'wall_ms', unit: 'ms', value: ms, better: 'lower' },
];

/** How to run a variant: its command, the files it needs and what it prints; or why it cannot run. */
interface Spec {
  command: Command;
  requires: string[];
  /** Checked once before its trials ('' for a program that prints nothing). */
  expect: string;
}

/** A variant that runs its command once per trial; unavailable when not built or failing. */
function processVariant(name: string, spec: (ctx: BenchContext) => Spec | string): Variant {
  return {
    name,
    async unavailable(ctx) {
      const s = spec(ctx);
      if (typeof s === 'string') return s;
      return notBuilt(...s.requires) ?? smokeCheck(s.command, s.expect);
    },
    async trial(ctx) {
      const s = spec(ctx);
      if (typeof s === 'string') throw new Error(s);
      return wall(await timeRun(s.command));
    },
  };
}

let staticBuildError: string | undefined;

/** Builds the static C hello into build/bench/ unless it is newer than its source. */
async function buildStaticHello(): Promise<void> {
  staticBuildError = undefined;
  const built = statSync(STATIC_HELLO, { throwIfNoEntry: false });
  if (built && built.mtimeMs >= statSync(STATIC_SOURCE).mtimeMs) return;
  mkdirSync(BUILT.bench, { recursive: true });
  const cc = process.env.CC ?? 'gcc';
  try {
    await execFileAsync(cc, ['-static', '-O2', '-o', STATIC_HELLO, STATIC_SOURCE]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    staticBuildError = `${cc} -static failed: ${stderr || (error as Error).message}`;
  }
}

let filterPath = '';

const bwrapHello: Variant = {
  name: 'bwrap+seccomp hosted hello',
  async unavailable(ctx) {
    const missing = notBuilt(HOSTED_HELLO);
    if (missing) return missing;
    filterPath = writeDockerFilter(ctx.scratch);
    return bwrapUnavailable(filterPath, HOSTED_HELLO, [QUIET], GREETING);
  },
  async trial() {
    return wall(await withBwrap(filterPath, HOSTED_HELLO, [QUIET], (c) => timeRun(c)));
  },
};

/** The hosted hello in an OCI bundle under `runtime`, one `run` per trial. */
function ociHello(runtime: OciRuntime): Variant {
  let bundle: Bundle | undefined;
  return {
    name: `${runtime} hello`,
    async unavailable(ctx) {
      const missing = (await runtimeMissing(runtime)) ?? notBuilt(HOSTED_HELLO);
      if (missing) return missing;
      bundle = makeBundle(ctx.scratch, `${runtime}-hello`, {
        program: HOSTED_HELLO,
        args: [QUIET],
      });
      return ociUnavailable(runtime, bundle, GREETING);
    },
    async trial() {
      if (bundle === undefined) throw new Error(`${runtime}: no bundle`);
      return wall(await timeRun(ociRun(runtime, bundle)));
    },
  };
}

const apiHello: Variant = {
  name: 'nabla API run() hello',
  unavailable: () => notBuilt(HELLO),
  async trial() {
    const start = process.hrtime.bigint();
    const guest = run({ kernel: HELLO, args: [QUIET], stdio: 'ignore' });
    trackGuest(() => guest.kill('SIGKILL'), guest.exited);
    const exit = await guest.exited;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (exit.status !== 0) throw new Error(`run(${HELLO}): status ${exit.status}`);
    return wall(ms);
  },
};

export const boot: Scenario = {
  name: 'boot',
  title: 'Boot: one hello, spawn to exit (wall time)',
  baseline: 'node -e 0',
  trials: { quick: 20, full: 100 },
  variants: [
    processVariant('node -e 0', () => ({
      command: { file: process.execPath, args: ['-e', '0'] },
      requires: [],
      expect: '',
    })),
    processVariant('nabla-run hello', () => ({
      command: { file: process.execPath, args: [NABLA_RUN, HELLO, QUIET] },
      requires: [HELLO],
      expect: GREETING,
    })),
    apiHello,
    processVariant('hosted hello', () => ({
      command: { file: HOSTED_HELLO, args: [QUIET] },
      requires: [HOSTED_HELLO],
      expect: GREETING,
    })),
    processVariant(
      'static C hello',
      () =>
        staticBuildError ?? {
          command: { file: STATIC_HELLO, args: [] },
          requires: [STATIC_HELLO],
          expect: GREETING,
        },
    ),
    bwrapHello,
    processVariant(
      'solo5-spt hello',
      (ctx) =>
        peerMissing(ctx) ?? {
          command: peerCommand(ctx, HELLO, [QUIET]),
          requires: [HELLO],
          expect: GREETING,
        },
    ),
    ociHello('runsc'),
    ociHello('crun'),
  ],
  peer: 'solo5-spt hello',
  roles: {
    nabla: 'nabla-run hello',
    'nabla-api': 'nabla API run() hello',
    'solo5-spt': 'solo5-spt hello',
    runsc: 'runsc hello',
    crun: 'crun hello',
    bwrap: 'bwrap+seccomp hosted hello',
    hosted: 'hosted hello',
  },
  setup: buildStaticHello,
};
