// summon.ts: the first request to examples/http when summoned cold, through a warm summon front, and straight to an always-running guest; requests/s through the front's proxy and without it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFsImage } from '../../fsimage/build.js';
import { example, packagePath } from '../../package/paths.js';
import { runOptionWords } from '../../run-syntax.js';
import { canUseNetns, Netns, type NsProcess } from '../netns.js';
import { median } from '../stats.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';
import { hasWrk, parseWrk, waitServing } from './http.js';

/*
 * Each trial makes a namespace of its own. The variants:
 *   always-running   examples/http under nabla-run on a tap (10.0.0.2), started before the
 *                    clock: what a request costs with no front (the baseline)
 *   summoned warm    the same guest behind a SummonFront (summon-worker.ts) listening on
 *                    127.0.0.1:8080 in the namespace; the guest already summoned, so each
 *                    request pays the front's proxy: an accept, a connect to the guest over
 *                    the tap, and a copy each way
 *   summoned cold    the front with a short idle time: each request finds no guest and waits
 *                    for it to be started (through the start engine) and to accept
 *   summoned cold (spawn)  the same with a spawned tender per start (run({ engine: false }))
 * Metrics: first_request.latency_ms, the median over REQUESTS requests of curl's time_total,
 * each a new connection and a 1 KiB GET (in the cold variants, every request but the trial's
 * first); first_summon.latency_ms (cold variants), the trial's first request, which also pays
 * for what a fresh daemon does once (the engine's template, the ELF checks, the filter);
 * guest_ready.latency_ms (cold variants), the front's own bootMs for the same requests as
 * first_request, from accepting the summoning connection to the guest's first accepted one; and
 * with wrk (1 thread, 32 connections) 1k.requests_per_s over keep-alive connections and
 * close.requests_per_s with a connection per request, for the always-running and warm paths.
 */

const NETNS_PREFIX = 'nabla-s-';
const WORKER = packagePath('dist/bench/summon-worker.js');
const HTTP_GUEST = example('http');
const SECTOR = 32_768;
const FRONT = 'http://127.0.0.1:8080';
const DIRECT = 'http://10.0.0.2:80';
type PerMode = Readonly<Record<'quick' | 'full', number>>;
/** Requests timed one by one per trial, and seconds of wrk per workload. */
export interface SummonSettings {
  requests: PerMode;
  wrkSeconds: PerMode;
}
const DEFAULTS: SummonSettings = {
  requests: { quick: 6, full: 16 },
  wrkSeconds: { quick: 2, full: 6 },
};
/** The cold variants' idle time: the guest is stopped this long after each request. */
const COLD_IDLE_SECONDS = 0.2;
const PROCESS_TIMEOUT_MS = 300_000;

type Mode = 'direct' | 'warm' | 'cold' | 'cold-spawn';

const images = new Map<string, Promise<string>>();

/** One 1 KiB file and an index, as an image for 32 KiB blocks; once per run. */
function siteImage(ctx: BenchContext): Promise<string> {
  let image = images.get(ctx.scratch);
  if (image) return image;
  image = (async () => {
    const dir = join(ctx.scratch, 'summon-site', 'site');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '1k.bin'), Buffer.alloc(1024, 'a'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>nabla</title>\n');
    const output = join(ctx.scratch, 'summon-site', 'site.img');
    await buildFsImage({ dir, output, sectorSize: SECTOR });
    return output;
  })();
  images.set(ctx.scratch, image);
  return image;
}

/** One request on a new connection; curl's own time for it, in ms. */
async function request(ns: Netns, url: string): Promise<number> {
  const r = await ns.run('curl', ['-sf', '-o', '/dev/null', '-w', '%{time_total}', url], 30_000);
  if (r.status !== 0) throw new Error(`curl ${url} failed (status ${r.status}): ${r.stderr}`);
  return Number(r.stdout) * 1000;
}

async function wrk(ns: Netns, url: string, seconds: number, close: boolean) {
  const args = ['-t1', '-c32', `-d${seconds}s`, '--latency', '--timeout', '5s'];
  if (close) args.push('-H', 'Connection: close');
  const r = await ns.run('wrk', [...args, url], (seconds + 30) * 1000);
  if (r.status !== 0) throw new Error(`wrk failed (status ${r.status}): ${r.stdout}${r.stderr}`);
  return parseWrk(r.stdout);
}

/** The worker's events, parsed from its stdout. */
const eventsOf = (p: NsProcess, name: string): Array<Record<string, number>> =>
  p
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string } & Record<string, number>)
    .filter((e) => e.event === name);

async function waitEvents(p: NsProcess, name: string, count: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (eventsOf(p, name).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`summon-worker: no ${name} event #${count}: ${p.stdout()}`);
}

async function trial(
  ctx: BenchContext,
  mode: Mode,
  settings: SummonSettings,
): Promise<Measurement[]> {
  if (ctx.signal.aborted) throw new Error('interrupted');
  const image = await siteImage(ctx);
  const ns = new Netns(NETNS_PREFIX);
  const onAbort = () => ns.killAll();
  ctx.signal.addEventListener('abort', onAbort);
  const n = ctx.quick ? settings.requests.quick : settings.requests.full;
  const seconds = ctx.quick ? settings.wrkSeconds.quick : settings.wrkSeconds.full;
  const out: Measurement[] = [];
  const latency = (metric: string, samples: number[]) =>
    out.push({ metric, unit: 'ms', value: median(samples), better: 'lower' });
  try {
    let url = FRONT;
    if (mode === 'direct') {
      ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
      const options = {
        kernel: HTTP_GUEST,
        net: [{ name: 'service', iface: 'tap0' }],
        block: [{ name: 'storage', path: image, sectorSize: SECTOR }],
      };
      const guestArgs = ['--solo5:quiet', '--ipv4=10.0.0.2/24', '--port=80'];
      const server = ns.nablaRun(
        [...runOptionWords(options), HTTP_GUEST, ...guestArgs],
        PROCESS_TIMEOUT_MS,
      );
      url = DIRECT;
      await waitServing(ns, server, `${url}/index.html`);
    } else {
      const spec = {
        listen: 'tcp:127.0.0.1:8080',
        idleSeconds: mode === 'warm' ? 600 : COLD_IDLE_SECONDS,
        image,
        sectorSize: SECTOR,
        engine: mode !== 'cold-spawn',
      };
      const worker = ns.spawn(process.execPath, [WORKER, JSON.stringify(spec)], PROCESS_TIMEOUT_MS);
      await worker.waitFor('{"event":"listening"}\n', 30_000);
      if (mode !== 'warm') {
        // Each request after the previous guest's idle stop: a summon every time.
        const samples: number[] = [];
        for (let i = 0; i < n; i++) {
          samples.push(await request(ns, `${url}/1k.bin`));
          await waitEvents(worker, 'idle-stop', i + 1);
        }
        // The first also made the engine's template and the prepared launch (ELF checks, filter).
        latency('first_summon.latency_ms', samples.slice(0, 1));
        latency('first_request.latency_ms', samples.slice(1));
        const ready = eventsOf(worker, 'ready').map((e) => Number(e.bootMs));
        latency('guest_ready.latency_ms', ready.slice(1));
        return out;
      }
      await request(ns, `${url}/index.html`); // the summon, not measured
    }
    const samples: number[] = [];
    for (let i = 0; i < n; i++) samples.push(await request(ns, `${url}/1k.bin`));
    latency('first_request.latency_ms', samples);
    for (const [name, close] of [
      ['1k', false],
      ['close', true],
    ] as const) {
      const r = await wrk(ns, `${url}/1k.bin`, seconds, close);
      out.push({
        metric: `${name}.requests_per_s`,
        unit: 'requests/s',
        value: r.rps,
        better: 'higher',
      });
      if (!close) latency('1k_p50.latency_ms', [r.p50]);
    }
    return out;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await ns.destroy();
  }
}

async function unavailable(): Promise<string | undefined> {
  if (!canUseNetns) return 'needs root for network namespaces';
  if (!(await hasWrk())) return 'needs wrk (apt-get install wrk)';
  return undefined;
}

/** The scenario with the given numbers of requests and seconds of wrk (the tests use fewer). */
export function summonScenario(settings: SummonSettings = DEFAULTS): Scenario {
  const variant = (name: string, mode: Mode): Variant => ({
    name,
    unavailable,
    trial: (c) => trial(c, mode, settings),
  });
  return {
    name: 'summon',
    title:
      'Summoning examples/http through a SummonFront (src/daemon/summon) in a private network ' +
      'namespace: the first request when the guest must be started (through the start engine, ' +
      'or a spawned tender), through the front with the guest warm, and straight to an ' +
      'always-running guest; requests/s with wrk (1 thread, 32 connections) with and without the ' +
      "front's proxy",
    baseline: 'always-running',
    trials: { quick: 2, full: 3 },
    warmup: 1,
    variants: [
      variant('always-running', 'direct'),
      variant('summoned warm', 'warm'),
      variant('summoned cold', 'cold'),
      variant('summoned cold (spawn)', 'cold-spawn'),
    ],
  };
}

export const summon: Scenario = summonScenario();
