// engine-worker.ts: `node engine-worker.js SPEC`: the daemon scenario's floor, the same idle instances started by run() on the start engine with no daemon, in a fresh process; measurements as a JSON line on stdout.
import { type GuestHandle, run } from '../api.js';
import { IDLE, IDLE_MEM_MIB } from './daemon-trial.js';
import type { Measurement } from './types.js';

/*
 * What a create costs the daemon beyond the engine: the same guest, memory and stdio as the
 * daemon's (its console piped, not kept: runOptionsOf and keepOutput false), started with
 * run() from a fresh Node process, as the daemon's fresh process starts them. A start counts
 * until the engine has answered with the guest's pid, which is when the daemon answers a create
 * (its instance is `running` then). run() is synchronous until that answer, so these starts
 * run one after another: create_serial_ms, one at a time after an untimed warm-up start (the
 * engine's template), and create_all_ms, N started until the last one's pid is known. Every
 * guest is killed at the end; a worker killed outright takes them with it (run()'s guests die
 * with the process that started them).
 * SPEC is JSON { instances, serial }. Stdout: one line { measurements }; a failure is one line
 * on stderr and status 1.
 */

interface Spec {
  instances: number;
  serial: number;
}

const PARENT_CHECK_MS = 500;

function start(): { guest: GuestHandle; ms: number } {
  const t0 = process.hrtime.bigint();
  const guest = run(
    { kernel: IDLE, memMiB: IDLE_MEM_MIB, stdio: 'pipe' },
    { keepOutput: false }, // the daemon's own start path: the engine (unless NABLA_ENGINE=0)
  );
  if (!(guest.pid > 0)) throw new Error(`run(${IDLE}): the engine did not start the guest`);
  // Read and dropped, as the daemon reads each console into its ring (with keepOutput false,
  // exited waits for the pipes' end, which only a reader sees).
  guest.stdout?.resume();
  guest.stderr?.resume();
  return { guest, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

async function end(guests: readonly GuestHandle[]): Promise<void> {
  for (const g of guests) g.kill('SIGKILL');
  await Promise.all(guests.map((g) => g.exited.catch(() => undefined)));
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as Spec;
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1); // the harness is gone: so are our guests
  }, PARENT_CHECK_MS).unref();
  const out: Measurement[] = [];
  const guests: GuestHandle[] = [];
  try {
    guests.push(start().guest);
    for (let i = 0; i < spec.serial; i++) {
      const { guest, ms } = start();
      guests.push(guest);
      out.push({ metric: 'create_serial_ms', unit: 'ms', value: ms, better: 'lower' });
    }
    await end(guests.splice(0));
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < spec.instances; i++) guests.push(start().guest);
    const all = Number(process.hrtime.bigint() - t0) / 1e6;
    out.push({
      metric: 'create_all_ms',
      unit: 'ms',
      value: all,
      better: 'lower',
      n: spec.instances,
    });
  } finally {
    await end(guests);
  }
  process.stdout.write(`${JSON.stringify({ measurements: out })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
