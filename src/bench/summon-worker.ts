// summon-worker.ts: `node summon-worker.js SPEC`: a SummonFront for examples/http on a TapPool tap, run inside the summon scenario's namespace; its events as JSON lines on stdout.
import { run } from '../api.js';
import { SummonFront, TapPool, withTap } from '../daemon/summon/index.js';
import { example } from '../package/paths.js';

/*
 * The summon scenario (scenarios/summon.ts) starts this under `ip netns exec`, because the
 * front's listening socket, the tap and the guest must all be in the trial's namespace and a
 * Node process cannot change its own. SPEC is JSON: { listen, idleSeconds, image, sectorSize,
 * engine }. Each stdout line is one JSON object: { event: 'listening' }, then every event
 * of the front with its data. SIGTERM (and the parent's end: the guest is this process's
 * child) ends it; the namespace's deletion takes the tap.
 */

interface WorkerSpec {
  listen: string;
  idleSeconds: number;
  image: string;
  sectorSize: number;
  /** Start the guest through the start engine (true) or a spawned tender. */
  engine: boolean;
}

const PORT = 80;
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as WorkerSpec;
  const pool = new TapPool({ pool: '10.213.0.0/24' });
  const lease = await pool.create('bench');
  let guest: ReturnType<typeof run> | undefined;
  const front = new SummonFront({
    listen: spec.listen,
    idleSeconds: spec.idleSeconds,
    start: async () => {
      const options = {
        kernel: example('http'),
        args: ['--solo5:quiet', `--port=${PORT}`],
        block: [{ name: 'storage', path: spec.image, sectorSize: spec.sectorSize }],
        stdio: 'ignore' as const,
      };
      guest = run(withTap(options, lease), { engine: spec.engine });
      return { address: lease.guest, port: PORT, exited: guest.exited };
    },
    stop: async () => {
      const g = guest;
      guest = undefined;
      g?.kill('SIGKILL');
      await g?.exited;
    },
  });
  for (const event of ['summon', 'ready', 'idle-stop', 'failed', 'exited'] as const) {
    front.on(event, (data: object) => print({ event, ...data }));
  }
  await front.listen();
  print({ event: 'listening' });
  process.once('SIGTERM', () => {
    front.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`summon-worker: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
