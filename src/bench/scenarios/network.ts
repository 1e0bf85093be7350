// network.ts: echo requests answered per second through a tap in a private namespace, ping guest vs hosted.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { promisify } from 'node:util';
import { example, hostedExample } from '../../package/paths.js';
import { runOptionWords } from '../../run-syntax.js';
import { canUseNetns, Netns, type NsProcess, pingStats } from '../netns.js';
import { peerMissing, peerPath, upstreamWords } from '../peer.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';

/*
 * examples/ping answers ARP and ICMP echo; built for spt (nabla-run) and hosted (glibc), it
 * makes the same calls per packet: one read from the tap and one write of the reply (strace
 * -c over a 5,000-packet flood: 5,000 of each on both sides), with a yield only when the tap
 * is empty (about one in fifty), whose clock read is the vDSO in both (docs/abi.md §4.5;
 * a syscall in the guest under upstream's tender). So the sandbox's per-syscall cost is paid
 * about twice per round trip.
 * Each trial makes a namespace of its own with one tap (10.0.0.1 on the host side), starts
 * the server on it, floods it with iputils `ping -f` from inside the namespace, and deletes
 * the namespace, server and tap with it. Nothing touches the host's interfaces. A flood ping
 * sends the next request as soon as a reply is back (or every 10 ms), so packets per second is
 * a round trip rate: tap, kernel, server and back, one packet at a time. With --peer
 * solo5-spt=PATH the same .nabla also answers under upstream's tender, in its own namespace.
 */

const PING_GUEST = example('ping');
const PING_HOSTED = hostedExample('ping');
/** Ours, apart from the tests' namespaces ('nabla-t-'). */
const NETNS_PREFIX = 'nabla-b-';
const HOST_ADDRESS = '10.0.0.1/24';
const GUEST_ADDRESS = '10.0.0.2';
/** Echo requests per trial. */
const NETWORK_PACKETS: Readonly<Record<'quick' | 'full', number>> = {
  quick: 20_000,
  full: 200_000,
};
/** Upper bound for one flood: far above 200,000 packets at a slow machine's rate. */
const FLOOD_TIMEOUT_MS = 120_000;

/** "rtt min/avg/max/mdev = 0.010/0.015/0.202/0.005 ms": the average, in microseconds. */
function rttAvgUs(output: string): number | undefined {
  const m = /rtt min\/avg\/max\/mdev = [\d.]+\/([\d.]+)\//.exec(output);
  return m ? Number(m[1]) * 1000 : undefined;
}

async function missing(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.X_OK | constants.R_OK);
    return undefined;
  } catch {
    return `${path} is not built (npm run build)`;
  }
}

let pingFound: Promise<boolean> | undefined;

/** Whether iputils ping runs here; asked once, when a variant first needs to know. */
function hasPing(): Promise<boolean> {
  pingFound ??= promisify(execFile)('ping', ['-V']).then(
    () => true,
    () => false,
  );
  return pingFound;
}

async function unavailable(path: string): Promise<string | undefined> {
  if (!canUseNetns) return 'needs root for network namespaces';
  if (!(await hasPing())) return 'needs iputils ping';
  return missing(path);
}

/** The server: the guest under nabla-run, its hosted build, or the guest under upstream's tender. */
type Target = 'nabla' | 'hosted' | { peer: string };

function startServer(ns: Netns, target: Target): NsProcess {
  const options = {
    kernel: PING_GUEST,
    memMiB: 2,
    net: [{ name: 'service', iface: 'tap0' }],
  };
  const devices = runOptionWords(options);
  const args = ['--solo5:quiet', GUEST_ADDRESS];
  if (target === 'nabla') return ns.nablaRun([...devices, PING_GUEST, ...args], FLOOD_TIMEOUT_MS);
  if (target === 'hosted') return ns.spawn(PING_HOSTED, [...devices, ...args], FLOOD_TIMEOUT_MS);
  // Upstream opens the tap by name inside the namespace, as nabla-run does.
  return ns.spawn(target.peer, [...upstreamWords(options), PING_GUEST, ...args], FLOOD_TIMEOUT_MS);
}

async function trial(ctx: BenchContext, target: Target, count: number): Promise<Measurement[]> {
  if (ctx.signal.aborted) throw new Error('interrupted');
  const ns = new Netns(NETNS_PREFIX);
  // On Ctrl-C the flood and the server are killed: ping ends at once, and so does the trial.
  const onAbort = () => ns.killAll();
  ctx.signal.addEventListener('abort', onAbort);
  try {
    ns.addTap({ name: 'tap0', address: HOST_ADDRESS });
    const server = startServer(ns, target);
    await server.waitFor('ping: ready');
    const ping = await ns.run(
      'ping',
      ['-f', '-q', '-c', String(count), GUEST_ADDRESS],
      FLOOD_TIMEOUT_MS,
    );
    const stats = pingStats(ping.stdout);
    if (!stats || stats.timeMs <= 0) {
      throw new Error(`ping gave no summary (status ${ping.status}): ${ping.stdout}${ping.stderr}`);
    }
    // ping's own elapsed time: from its first request to its last reply, startup excluded.
    const out: Measurement[] = [
      {
        metric: 'pps',
        unit: 'packets/s',
        value: stats.received / (stats.timeMs / 1000),
        better: 'higher',
      },
      { metric: 'loss_pct', unit: '%', value: stats.loss, better: 'lower' },
    ];
    const rtt = rttAvgUs(ping.stdout);
    if (rtt !== undefined) {
      out.push({ metric: 'rtt_avg_us', unit: 'us', value: rtt, better: 'lower' });
    }
    return out;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    // Kills the server and removes the tap and the namespace, whatever happened above.
    await ns.destroy();
  }
}

/** A scenario sending the given number of requests per trial (the tests send a few). */
export function networkScenario(
  packets: Readonly<Record<'quick' | 'full', number>> = NETWORK_PACKETS,
): Scenario {
  const count = (ctx: BenchContext) => (ctx.quick ? packets.quick : packets.full);
  const variants: Variant[] = [
    {
      name: 'hosted',
      unavailable: () => unavailable(PING_HOSTED),
      trial: (ctx) => trial(ctx, 'hosted', count(ctx)),
    },
    {
      name: 'nabla',
      unavailable: () => unavailable(PING_GUEST),
      trial: (ctx) => trial(ctx, 'nabla', count(ctx)),
    },
    {
      name: 'solo5-spt',
      unavailable: async (ctx) => peerMissing(ctx) ?? unavailable(PING_GUEST),
      trial: (ctx) => trial(ctx, { peer: peerPath(ctx) }, count(ctx)),
    },
  ];
  return {
    name: 'network',
    title:
      'ICMP echo through a tap in a private network namespace: flood ping ' +
      `(${packets.quick.toLocaleString('en-US')} requests quick, ` +
      `${packets.full.toLocaleString('en-US')} full) answered by examples/ping, nabla guest ` +
      '(and under upstream solo5-spt, with --peer) vs hosted build',
    baseline: 'hosted',
    peer: 'solo5-spt',
    trials: { quick: 5, full: 5 },
    warmup: 1,
    variants,
  };
}

export const network: Scenario = networkScenario();
