// daemon-trial.ts: one trial of the daemon scenario through the API: N idle instances created, inspected, read, listed, stopped and removed, K calls in flight, each call timed.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchGuest } from '../package/paths.js';
import { inFlightPool, TimedClient } from './daemon-client.js';
import { startDaemonProcess } from './daemon-process.js';
import { quantile } from './stats.js';
import type { BenchContext, Measurement } from './types.js';

/*
 * A fresh daemon per trial (a fresh state database too), so that no trial inherits another's
 * instances, SQLite pages or engine templates. In order:
 *   warm-up       one instance created and removed, untimed: the engine's template of the
 *                 image and the launch cache's checks are made once per daemon
 *   one at a time `serial` creates, each waited for before the next (create_serial_ms, a
 *                 sample each): a create's own cost with no queue; then removed, untimed
 *   under load    N creates with K calls in flight, then N inspects, N stats reads, `lists`
 *                 lists of the N one at a time (a list's own cost with N instances), N stops
 *                 and N removes with K in flight: p50 and p99 of each call (OP_p50.latency_ms,
 *                 OP_p99.latency_ms) and the time from the first call to the last answer
 *                 (OP_all_ms), all at scale N
 * Every answer's status is checked; the first list must hold the N instances, all running,
 * and the last none. The daemon is stopped with SIGTERM and must end with status 0.
 */

export const IDLE = benchGuest('idle');
/** Guest memory of each instance (MiB): the idle guest needs little; 1,000 of them must fit. */
export const IDLE_MEM_MIB = 8;

export interface DaemonSizes {
  /** N: the instances created under load. */
  instances: number;
  /** K: API calls in flight at once under load. */
  inFlight: number;
  /** Creates one at a time, each a sample of create_serial_ms. */
  serial: number;
  /** Lists of the N instances, one at a time. */
  lists: number;
}

/** The daemon's CLI script; tests replace it with one that fails. */
export interface DaemonTrialOptions {
  nabla?: string;
}

const ms = (metric: string, value: number, n?: number): Measurement => ({
  metric,
  unit: 'ms',
  value,
  better: 'lower',
  ...(n === undefined ? {} : { n }),
});

/** OP_p50.latency_ms, OP_p99.latency_ms and, when timed, OP_all_ms, at scale n. */
function latencies(op: string, times: readonly number[], n: number, wallMs?: number) {
  const out = [
    ms(`${op}_p50.latency_ms`, quantile(times, 0.5), n),
    ms(`${op}_p99.latency_ms`, quantile(times, 0.99), n),
  ];
  if (wallMs !== undefined) out.push(ms(`${op}_all_ms`, wallMs, n));
  return out;
}

const instance = (name: string) => ({ name, kernel: IDLE, memory: IDLE_MEM_MIB });

export async function daemonTrial(
  ctx: BenchContext,
  sizes: DaemonSizes,
  options: DaemonTrialOptions = {},
): Promise<Measurement[]> {
  if (ctx.signal.aborted) throw new Error('interrupted');
  const { instances: n, inFlight, serial, lists } = sizes;
  const dir = mkdtempSync(join(ctx.scratch, 'daemon-'));
  let daemon: Awaited<ReturnType<typeof startDaemonProcess>> | undefined;
  let client: TimedClient | undefined;
  const onAbort = () => daemon?.kill();
  ctx.signal.addEventListener('abort', onAbort);
  try {
    daemon = await startDaemonProcess(dir, options.nabla);
    const api = new TimedClient(daemon.socket, inFlight);
    client = api;
    const pool = (task: (i: number) => Promise<number>) =>
      inFlightPool(n, inFlight, ctx.signal, task);
    const timed = async (status: number, method: string, path: string, body?: unknown) =>
      (await api.expect(status, method, path, body)).ms;
    const out: Measurement[] = [];

    await timed(201, 'POST', '/v1/instances', instance('warm'));
    await timed(204, 'DELETE', '/v1/instances/warm?force=true');
    for (let i = 0; i < serial; i++) {
      if (ctx.signal.aborted) throw new Error('interrupted');
      out.push(
        ms('create_serial_ms', await timed(201, 'POST', '/v1/instances', instance(`s${i}`))),
      );
    }
    for (let i = 0; i < serial; i++) await timed(204, 'DELETE', `/v1/instances/s${i}?force=true`);

    const name = (i: number) => `g${i}`;
    const create = await pool((i) => timed(201, 'POST', '/v1/instances', instance(name(i))));
    out.push(...latencies('create', create.times, n, create.wallMs));
    const inspect = await pool((i) => timed(200, 'GET', `/v1/instances/${name(i)}`));
    out.push(...latencies('inspect', inspect.times, n, inspect.wallMs));
    const stats = await pool((i) => timed(200, 'GET', `/v1/instances/${name(i)}/stats`));
    out.push(...latencies('stats', stats.times, n, stats.wallMs));
    const listed: number[] = [];
    for (let i = 0; i < lists; i++) {
      const answer = await api.expect(200, 'GET', '/v1/instances');
      listed.push(answer.ms);
      if (i > 0) continue;
      const all = JSON.parse(answer.text) as Array<{ state: string }>;
      const running = all.filter((x) => x.state === 'running').length;
      if (all.length !== n || running !== n)
        throw new Error(`the list holds ${all.length} instances, ${running} running, not ${n}`);
    }
    out.push(...latencies('list', listed, n));
    const stop = await pool((i) => timed(200, 'POST', `/v1/instances/${name(i)}/stop`));
    out.push(...latencies('stop', stop.times, n, stop.wallMs));
    const remove = await pool((i) => timed(204, 'DELETE', `/v1/instances/${name(i)}`));
    out.push(...latencies('remove', remove.times, n, remove.wallMs));
    const left = JSON.parse((await api.expect(200, 'GET', '/v1/instances')).text) as unknown[];
    if (left.length !== 0) throw new Error(`${left.length} instances left after removing all`);

    client.close();
    client = undefined;
    const status = await daemon.stop();
    daemon = undefined;
    if (status !== 0) throw new Error(`nabla daemon ended with status ${status} on SIGTERM`);
    return out;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    client?.close();
    // A failed trial: SIGTERM (its guests stopped, its socket removed), SIGKILL if it hangs.
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
