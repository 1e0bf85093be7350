// start-worker.ts: `node start-worker.js SPEC`: one trial of one start variant in a fresh process; notes and measurements as JSON lines on stdout.
import { killAll } from './procs.js';
import {
  START_VARIANTS,
  type StartTrialSpec,
  type StartVariant,
  starterFor,
  startTrial,
} from './start-trial.js';

/*
 * The start scenario (scenarios/start.ts) runs each trial here, in a Node process of its own
 * that starts every guest of the trial (see start-trial.ts for why). SPEC is JSON:
 * { variant, peers, sequential, burst, counts }. Each stdout line is JSON: { note } as the
 * trial goes, then { measurements } at the end. A failure is one line on stderr and status 1.
 * Every guest started here is killed when this process ends, is told to (SIGTERM, SIGINT) or
 * finds its parent gone (a harness killed outright).
 */

interface WorkerSpec extends StartTrialSpec {
  variant: StartVariant;
  peers: Record<string, string>;
}

/** How often the parent is checked for (ms). */
const PARENT_CHECK_MS = 500;

function parseSpec(text: string | undefined): WorkerSpec {
  const spec = JSON.parse(text ?? '') as WorkerSpec;
  if (!START_VARIANTS.includes(spec.variant)) throw new Error(`unknown variant ${spec.variant}`);
  return spec;
}

const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
  const spec = parseSpec(process.argv[2]);
  const controller = new AbortController();
  const stop = () => {
    controller.abort();
    killAll();
    process.exit(1);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('exit', () => killAll());
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, PARENT_CHECK_MS).unref();
  const measurements = await startTrial(
    spec.variant,
    starterFor(spec.variant, { peers: spec.peers }),
    spec,
    controller.signal,
    (note) => print({ note }),
  );
  print({ measurements });
}

main().then(
  // Every guest has been killed and reaped by now; nothing keeps this process.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
