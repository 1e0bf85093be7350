// http.ts: HTTP requests per second and latency through a tap in a private namespace: examples/http (guest, hosted build) vs nginx in a container-like sandbox, measured with wrk.
import { execFile } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildFsImage } from '../../fsimage/build.js';
import { example, hostedExample } from '../../package/paths.js';
import { runOptionWords } from '../../run-syntax.js';
import { canUseNetns, Netns, type NsProcess } from '../netns.js';
import {
  containerId,
  makeBundle,
  type OciRuntime,
  ociDelete,
  ociNetworkProblem,
  ociRun,
  runtimeMissing,
} from '../oci.js';
import { peerMissing, peerPath, upstreamWords } from '../peer.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';
import { bwrapArgs, writeDockerFilter } from './container.js';

/*
 * Each trial makes a namespace of its own with one tap (10.0.0.1 on the host side), starts
 * the server, and runs wrk (Debian's) inside the namespace against it, three times:
 *   1k      GET of a 1 KiB file over keep-alive connections: requests/s, latency p50, p99
 *   1m      GET of a 1 MiB file over keep-alive connections: requests/s, latency p50, p99
 *   close   GET of the 1 KiB file with "Connection: close": a new connection per request,
 *           so requests/s is the connection rate
 * The servers, each serving the same two files:
 *   nabla               examples/http under nabla-run, the files from a `nabla fs build` image
 *                       on its block device, its TCP/IP stack the SDK's lwIP, at 10.0.0.2 on
 *                       the tap
 *   hosted              its hosted build (the same C and lwIP over the same tap, glibc)
 *   nginx (container)   Debian's nginx, one worker, the files from a directory, inside
 *                       bubblewrap with Docker's namespaces, capabilities and default seccomp
 *                       profile (container.ts); its network namespace is a second one of the
 *                       trial's, wired to the client's by a veth pair, as Docker wires a
 *                       container (10.0.1.1 here, nginx at 10.0.1.2; no bridge, no NAT). The
 *                       kernel's TCP on both ends, so segmentation offload too: frames of up
 *                       to 64 KiB cross the veth, where the guests' cross the tap at 1,500
 *   solo5-spt           with --peer, the same .nabla under upstream's tender
 *   nginx (runsc), nginx (crun)   the same nginx and files in an OCI bundle (oci.ts), its
 *                       network namespace the same veth-joined one as the bwrap nginx's,
 *                       given to the runtime by path as Docker does; under runsc
 *                       (--network=sandbox) gVisor's own netstack serves the veth, and
 *                       nginx runs without tcp_nopush (see nginxConfig)
 * wrk and the server share the machine's two cores: wrk runs one thread; the numbers are a
 * comparison on one machine, not a capacity.
 */

const HTTP_GUEST = example('http');
const HTTP_HOSTED = hostedExample('http');
const NGINX = '/usr/sbin/nginx';
const NETNS_PREFIX = 'nabla-h-';
const HOST_ADDRESS = '10.0.0.1/24';
const GUEST_ADDRESS = '10.0.0.2';
const NGINX_ADDRESS = '10.0.1.2';
const PORT = 8080;
const CONNECTIONS = 32;
/** Seconds of load per workload. */
const DURATION_S: Readonly<Record<'quick' | 'full', number>> = { quick: 2, full: 8 };
const SERVER_TIMEOUT_MS = 300_000;

type Target = 'nabla' | 'hosted' | 'nginx' | { peer: string } | { oci: OciRuntime };

interface Site {
  dir: string;
  /** Built for SECTOR-byte blocks (nabla, hosted). */
  image: string;
  /** Built for 512-byte blocks: upstream's tender has no other block size. */
  image512: string;
  nginxConf: string;
  /** The same without tcp_nopush, for gVisor (nginxConfig says why). */
  nginxConfNoCork: string;
  /** Docker's default profile compiled to BPF, for nginx's bwrap. */
  dockerFilter: string;
}

/*
 * The guest reads its files one block per system call (docs/abi.md §5: pread64 of exactly the
 * block size). With 512-byte blocks a 1 MiB answer costs 2,048 preads beside its 720 frames;
 * with 32 KiB blocks, 32 (docs/tcpip.md, "Where the time goes"). So nabla and hosted serve an
 * image built for 32 KiB blocks, as examples/http's README advises; upstream gets 512.
 */
const SECTOR = 32_768;

/*
 * nginx's configuration: one worker, no logs, sendfile. `cork` is tcp_nopush (TCP_CORK while
 * a response goes out). gVisor 20221219's netstack never sends a corked response that nginx
 * ends with a close ("Connection: close": curl waits until its timeout), so under runsc
 * nginx runs without it (its keep-alive figure there: 1,950 requests/s with it, 2,140 without).
 */
function nginxConfig(cork: boolean): string {
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    'error_log stderr warn;',
    'pid /tmp/nginx.pid;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  sendfile on;',
    `  tcp_nopush ${cork ? 'on' : 'off'};`,
    '  keepalive_requests 1000000;',
    '  client_body_temp_path /tmp/body;',
    '  proxy_temp_path /tmp/proxy;',
    '  fastcgi_temp_path /tmp/fastcgi;',
    '  uwsgi_temp_path /tmp/uwsgi;',
    '  scgi_temp_path /tmp/scgi;',
    `  server { listen ${NGINX_ADDRESS}:${PORT}; root /site; }`,
    '}',
    '',
  ].join('\n');
}

const sites = new Map<string, Promise<Site>>();

/** The two files, as a directory (nginx) and as images (the guests), and nginx's filter, made once per run. */
function makeSite(ctx: BenchContext): Promise<Site> {
  let site = sites.get(ctx.scratch);
  if (site) return site;
  site = (async () => {
    const root = join(ctx.scratch, 'http-site');
    const dir = join(root, 'site');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '1k.bin'), Buffer.alloc(1024, 'a'));
    writeFileSync(join(dir, '1m.bin'), Buffer.alloc(1 << 20, 'b'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>nabla</title>\n');
    const image = join(root, 'site.img');
    await buildFsImage({ dir, output: image, sectorSize: SECTOR });
    const image512 = join(root, 'site-512.img');
    await buildFsImage({ dir, output: image512 });
    const nginxConf = join(root, 'nginx.conf');
    writeFileSync(nginxConf, nginxConfig(true));
    const nginxConfNoCork = join(root, 'nginx-no-cork.conf');
    writeFileSync(nginxConfNoCork, nginxConfig(false));
    return {
      dir,
      image,
      image512,
      nginxConf,
      nginxConfNoCork,
      dockerFilter: writeDockerFilter(root),
    };
  })();
  sites.set(ctx.scratch, site);
  return site;
}

let wrkFound: Promise<boolean> | undefined;
export function hasWrk(): Promise<boolean> {
  wrkFound ??= promisify(execFile)('wrk', ['--version']).then(
    () => true,
    // wrk --version exits 1 after printing its version.
    (error: { stdout?: string }) => /^wrk /.test(error.stdout ?? ''),
  );
  return wrkFound;
}

async function unavailable(target: Target): Promise<string | undefined> {
  if (!canUseNetns) return 'needs root for network namespaces';
  if (!(await hasWrk())) return 'needs wrk (apt-get install wrk)';
  const path = target === 'nginx' ? NGINX : target === 'hosted' ? HTTP_HOSTED : HTTP_GUEST;
  if (target === 'nginx') {
    const bwrap = await promisify(execFile)('bwrap', ['--version']).then(
      () => true,
      () => false,
    );
    if (!bwrap) return 'bwrap not found (Debian package bubblewrap; scripts/setup.sh installs it)';
  }
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return target === 'nginx'
      ? `${NGINX} not found (Debian package nginx-light; scripts/setup.sh installs it)`
      : `${path} is not built (npm run build)`;
  }
}

const NGINX_ARGS = ['-e', 'stderr', '-c', '/etc/nabla-nginx.conf'];
/** A container image has its own /etc/passwd and /etc/group: nginx looks its user up. */
const nginxBinds = (s: Site, cork = true): Array<[string, string]> => [
  [s.dir, '/site'],
  [cork ? s.nginxConf : s.nginxConfNoCork, '/etc/nabla-nginx.conf'],
  ['/etc/passwd', '/etc/passwd'],
  ['/etc/group', '/etc/group'],
];

function startServer(
  ns: Netns,
  target: Target,
  s: Site,
  container?: { root: string; id: string },
): NsProcess {
  if (typeof target === 'object' && 'oci' in target) {
    const bundle = makeBundle(container?.root as string, `${target.oci}-nginx`, {
      program: NGINX,
      args: NGINX_ARGS,
      binds: nginxBinds(s, target.oci !== 'runsc'),
      netns: `/run/netns/${ns.name}`,
    });
    const c = ociRun(target.oci, bundle, container?.id, 'sandbox');
    return ns.spawn(c.file, c.args, SERVER_TIMEOUT_MS, [], true);
  }
  if (target === 'nginx') {
    const fd = openSync(s.dockerFilter, 'r');
    try {
      const args = bwrapArgs(NGINX, NGINX_ARGS, { network: true, binds: nginxBinds(s) });
      return ns.spawn('bwrap', args, SERVER_TIMEOUT_MS, [fd]);
    } finally {
      closeSync(fd); // bwrap has its own copy
    }
  }
  const upstream = typeof target === 'object' && 'peer' in target;
  const options = {
    kernel: HTTP_GUEST,
    net: [{ name: 'service', iface: 'tap0' }],
    block: [
      upstream
        ? { name: 'storage', path: s.image512 }
        : { name: 'storage', path: s.image, sectorSize: SECTOR },
    ],
  };
  const args = ['--solo5:quiet', `--ipv4=${GUEST_ADDRESS}/24`, `--port=${PORT}`];
  if (target === 'nabla')
    return ns.nablaRun([...runOptionWords(options), HTTP_GUEST, ...args], SERVER_TIMEOUT_MS);
  if (target === 'hosted')
    return ns.spawn(HTTP_HOSTED, [...runOptionWords(options), ...args], SERVER_TIMEOUT_MS);
  if (typeof target !== 'object' || !('peer' in target)) throw new Error('no such server');
  return ns.spawn(target.peer, [...upstreamWords(options), HTTP_GUEST, ...args], SERVER_TIMEOUT_MS);
}

/** "99%    1.23ms" etc. in wrk's --latency output, in milliseconds. */
function latencyMs(output: string, percentile: string): number | undefined {
  const m = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
  if (!m) return undefined;
  const scale = m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1;
  return Number(m[1]) * scale;
}

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  /** Requests with no answer within wrk's --timeout (5 s). */
  timeouts: number;
}

/** Reads wrk's summary; throws when a connect failed or an answer was not 2xx. */
export function parseWrk(output: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const p50 = latencyMs(output, '50');
  const p99 = latencyMs(output, '99');
  if (!rps || p50 === undefined || p99 === undefined)
    throw new Error(`wrk gave no summary: ${output}`);
  const errors = /Socket errors: (.*)$/m.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  if (non2xx) throw new Error(`wrk: ${non2xx[1]} answers were not 2xx`);
  // Connection-close runs end connections by design; refused connects fail the run. Requests
  // that timed out are counted and told (a slow peer's figure stands, with how many it lost).
  if (errors && /connect [1-9]/.test(errors[1] ?? ''))
    throw new Error(`wrk: socket errors: ${errors[1]}`);
  const timeouts = Number(/timeout (\d+)/.exec(errors?.[1] ?? '')?.[1] ?? 0);
  return { rps: Number(rps[1]), p50, p99, timeouts };
}

async function wrk(ns: Netns, url: string, seconds: number, close: boolean): Promise<WrkResult> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '--timeout', '5s'];
  if (close) args.push('-H', 'Connection: close');
  const r = await ns.run('wrk', [...args, url], (seconds + 30) * 1000);
  if (r.status !== 0) throw new Error(`wrk failed (status ${r.status}): ${r.stdout}${r.stderr}`);
  return parseWrk(r.stdout);
}

async function trial(
  ctx: BenchContext,
  /** The variant's name, for remarks. */
  label: string,
  target: Target,
  durations: Readonly<Record<'quick' | 'full', number>>,
): Promise<Measurement[]> {
  if (ctx.signal.aborted) throw new Error('interrupted');
  const s = await makeSite(ctx);
  const ns = new Netns(NETNS_PREFIX);
  // nginx's own namespace, as a container's: the client reaches it through a veth pair.
  let serverNs: Netns | undefined;
  const oci = typeof target === 'object' && 'oci' in target ? target.oci : undefined;
  const container = { root: ctx.scratch, id: containerId() };
  const onAbort = () => {
    ns.killAll();
    serverNs?.killAll();
  };
  ctx.signal.addEventListener('abort', onAbort);
  try {
    ns.addTap({ name: 'tap0', address: HOST_ADDRESS });
    const nginx = target === 'nginx' || oci !== undefined;
    if (nginx) {
      serverNs = new Netns(NETNS_PREFIX);
      ns.addVeth(
        serverNs,
        { name: 'veth0', address: '10.0.1.1/24' },
        { name: 'eth0', address: `${NGINX_ADDRESS}/24` },
      );
    }
    const server = startServer(serverNs ?? ns, target, s, container);
    const host = nginx ? NGINX_ADDRESS : GUEST_ADDRESS;
    await waitServing(ns, server, `http://${host}:${PORT}/index.html`);
    const seconds = ctx.quick ? durations.quick : durations.full;
    const out: Measurement[] = [];
    for (const [name, file, close] of [
      ['1k', '1k.bin', false],
      ['1m', '1m.bin', false],
      ['close', '1k.bin', true],
    ] as const) {
      const r = await wrk(ns, `http://${host}:${PORT}/${file}`, seconds, close);
      if (r.timeouts > 0)
        ctx.remark(
          `${label}: ${name}: ${r.timeouts} request(s) unanswered after wrk's 5 s timeout`,
        );
      out.push({
        metric: `${name}.requests_per_s`,
        unit: 'requests/s',
        value: r.rps,
        better: 'higher',
      });
      if (name !== 'close') {
        out.push({ metric: `${name}_p50.latency_ms`, unit: 'ms', value: r.p50, better: 'lower' });
        out.push({ metric: `${name}_p99.latency_ms`, unit: 'ms', value: r.p99, better: 'lower' });
      }
    }
    return out;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (oci !== undefined)
      await ociDelete(oci, { dir: '', state: join(ctx.scratch, 'oci-state') }, container.id);
    await serverNs?.destroy();
    await ns.destroy();
  }
}

/** Polls with curl until the server answers (a guest's ARP and stack come up first). */
export async function waitServing(ns: Netns, server: NsProcess, url: string): Promise<void> {
  let ended = false;
  server.exited.then(
    () => {
      ended = true;
    },
    () => {
      ended = true;
    },
  );
  for (let i = 0; i < 200; i++) {
    if (ended) throw new Error(`the server ended before serving: ${server.stdout()}`);
    const r = await ns.run('curl', ['-sf', '-o', '/dev/null', '--max-time', '1', url], 5_000);
    if (r.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server did not answer ${url}: ${server.stdout()}`);
}

/** The scenario with the given seconds of load per workload (the tests use 1). */
export function httpScenario(
  durations: Readonly<Record<'quick' | 'full', number>> = DURATION_S,
): Scenario {
  return {
    name: 'http',
    title:
      'HTTP through a tap in a private network namespace: wrk (1 thread, 32 connections) against ' +
      'examples/http (nabla guest, its hosted build, and under upstream solo5-spt with --peer) and ' +
      'nginx in a container-like sandbox (bwrap), under crun and under gVisor: 1 KiB and 1 MiB with keep-alive, and 1 KiB with a ' +
      'connection per request',
    baseline: 'hosted',
    peer: 'solo5-spt',
    roles: {
      nabla: 'nabla',
      'solo5-spt': 'solo5-spt',
      runsc: 'nginx (runsc)',
      crun: 'nginx (crun)',
      bwrap: 'nginx (bwrap+seccomp)',
      hosted: 'hosted',
    },
    trials: { quick: 2, full: 3 },
    warmup: 1,
    variants: [
      {
        name: 'hosted',
        unavailable: () => unavailable('hosted'),
        trial: (c) => trial(c, 'hosted', 'hosted', durations),
      },
      {
        name: 'nabla',
        unavailable: () => unavailable('nabla'),
        trial: (c) => trial(c, 'nabla', 'nabla', durations),
      },
      {
        name: 'nginx (bwrap+seccomp)',
        unavailable: () => unavailable('nginx'),
        trial: (c) => trial(c, 'nginx (bwrap+seccomp)', 'nginx', durations),
      },
      ...(['runsc', 'crun'] as const).map(
        (runtime): Variant => ({
          name: `nginx (${runtime})`,
          unavailable: async (ctx) =>
            (await runtimeMissing(runtime)) ??
            (await unavailable('nginx')) ??
            (await ociNetworkProblem(ctx.scratch, runtime, NETNS_PREFIX)),
          trial: (c) => trial(c, `nginx (${runtime})`, { oci: runtime }, durations),
        }),
      ),
      {
        name: 'solo5-spt',
        unavailable: async (ctx) => peerMissing(ctx) ?? unavailable('nabla'),
        trial: (c) => trial(c, 'solo5-spt', { peer: peerPath(c) }, durations),
      },
    ] satisfies Variant[],
  };
}

export const http: Scenario = httpScenario();
