// peers.ts: the host filters other sandboxes enforce (gVisor's sentry, crun with Docker's profile), read back from live processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { tool } from '../package/paths.js';
import { syscallNameOf } from './data.js';
import { writeDockerBundle } from './peer-bundle.js';
import { decodeStack } from './peer-filter.js';
import type { PeerId, PeerSection } from './report.js';

/** How long a peer may take to have its filter installed. */
const START_TIMEOUT_MS = 20_000;
/** What the peers run: a program that waits, so that the filter can be read. */
const WAIT = ['/usr/bin/sleep', '60'];

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The executable `name` in PATH (as a shell would find it), or null. */
export function findInPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {}
  }
  return null;
}

function versionOf(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const line = (r.stdout ?? '').split('\n')[0]?.trim();
  if (r.status !== 0 || !line) throw new Error(`${binary} --version failed`);
  return line;
}

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

/** Every filter of the stack of `pid` (seccomp-dump --all: PTRACE_SECCOMP_GET_FILTER). */
export function readFilterStack(pid: number): Buffer[] {
  const r = spawnSync(tool('seccomp-dump'), ['--all', String(pid)], { maxBuffer: 1 << 24 });
  if (r.status !== 0)
    throw new Error(`reading the filters of pid ${pid} failed: ${r.stderr.toString().trim()}`);
  const filters: Buffer[] = [];
  for (let at = 0; at + 4 <= r.stdout.length; ) {
    const n = r.stdout.readUInt32LE(at);
    filters.push(r.stdout.subarray(at + 4, at + 4 + 8 * n));
    at += 4 + 8 * n;
  }
  return filters;
}

/** Children of `pid`, and theirs, from /proc/PID/task/TID/children (any thread may fork). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    const kids: number[] = [];
    try {
      for (const tid of readdirSync(`/proc/${p}/task`))
        for (const kid of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(' '))
          if (kid !== '') kids.push(Number(kid));
    } catch {}
    out.push(...kids);
    queue.push(...kids);
  }
  return out;
}

/** gVisor's sentry: the `runsc boot` process under `runsc do`, once its filter is in. */
function findSentry(runsc: number): number | null {
  for (const pid of descendants(runsc)) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes('boot') && status(pid).Seccomp === '2') return pid;
    } catch {}
  }
  return null;
}

async function waitFor<T>(what: string, probe: () => T | null, child?: ChildProcess): Promise<T> {
  const until = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const found = probe();
    if (found !== null) return found;
    if (child && child.exitCode !== null) throw new Error(`${what}: it exited (${child.exitCode})`);
    if (Date.now() > until) throw new Error(`${what}: not there after ${START_TIMEOUT_MS} ms`);
    await sleep(50);
  }
}

interface Live {
  pid: number;
  stop: () => Promise<void>;
  setup: string;
  process: string;
}

async function startGvisor(runsc: string): Promise<Live> {
  const args = ['--network=none', '--platform=ptrace', 'do', ...WAIT];
  let stderr = '';
  // runsc do writes its bundle under TMPDIR: a directory of ours, removed afterwards.
  const dir = mkdtempSync(join(tmpdir(), 'nabla-audit-runsc-'));
  const child = spawn(runsc, args, {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, TMPDIR: dir },
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    // runsc do forwards SIGTERM to the sandbox and removes its state; SIGKILL if it does not.
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pid = await waitFor('runsc', () => findSentry(child.pid as number), child).catch(
      (e: unknown) => {
        throw new Error(`${message(e)}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
      },
    );
    return {
      pid,
      stop,
      setup: `\`runsc ${args.join(' ')}\``,
      process: 'the sentry (runsc-sandbox ... boot)',
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * crun refuses a host with cgroup v1 and a cgroup v2 hierarchy that has controllers
 * ("hybrid"); with no cgroups of its own to manage it needs neither, so it runs in a mount
 * namespace where that hierarchy is hidden.
 */
const HIDE_V2 = 'mount -t tmpfs none /sys/fs/cgroup/unified && exec "$@"';

function hybridCgroups(): boolean {
  try {
    return readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

async function startCrun(crun: string): Promise<Live> {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-audit-crun-'));
  const id = `nabla-audit-${process.pid}-${Date.now()}`;
  const root = join(dir, 'state');
  mkdirSync(root);
  const bundle = join(dir, 'bundle');
  mkdirSync(bundle);
  const global = ['--cgroup-manager=disabled', `--root=${root}`];
  const crunCmd = (...args: string[]) =>
    spawnSync(crun, [...global, ...args], { encoding: 'utf8', timeout: 20_000 });
  const stop = async () => {
    crunCmd('kill', id, 'KILL');
    crunCmd('delete', '--force', id);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeDockerBundle(bundle, WAIT);
    const runArgs = [...global, 'run', '--bundle', bundle, '--detach', id];
    const hybrid = hybridCgroups();
    const [file, args] = hybrid
      ? [
          'unshare',
          [
            '--mount',
            '--propagation',
            'private',
            '--',
            'sh',
            '-c',
            HIDE_V2,
            'sh',
            crun,
            ...runArgs,
          ],
        ]
      : [crun, runArgs];
    // The detached container keeps crun's stdio: a file, not a pipe spawnSync would wait on.
    const errors = join(dir, 'crun.err');
    const errFd = openSync(errors, 'w');
    let r: ReturnType<typeof spawnSync>;
    try {
      r = spawnSync(file, args, { stdio: ['ignore', 'ignore', errFd], timeout: 20_000 });
    } finally {
      closeSync(errFd);
    }
    if (r.status !== 0)
      throw new Error(
        `crun run failed: ${readFileSync(errors, 'utf8').trim().split('\n').pop() ?? `status ${r.status}`}`,
      );
    const state = crunCmd('state', id);
    const pid = (JSON.parse(state.stdout) as { pid: number }).pid;
    await waitFor('the container', () => (status(pid).Seccomp === '2' ? pid : null));
    return {
      pid,
      stop,
      setup: `\`crun ${global[0]} run --detach\` of a bundle with Docker's default seccomp profile and capabilities (data/docker-default-x86_64.json) running \`${WAIT.join(' ')}\`${hybrid ? ', in a mount namespace that hides the cgroup v2 hierarchy this host mounts beside v1 (crun refuses such a host)' : ''}`,
      process: 'the container process',
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

const PEERS: Array<{
  id: PeerId;
  label: string;
  binary: string;
  start: (binary: string) => Promise<Live>;
}> = [
  {
    id: 'gvisor',
    label: "gVisor's sentry (runsc, ptrace)",
    binary: 'runsc',
    start: startGvisor,
  },
  {
    id: 'crun-docker',
    label: "crun with Docker's default profile",
    binary: 'crun',
    start: startCrun,
  },
];

async function measure(peer: (typeof PEERS)[number]): Promise<PeerSection> {
  const base = { id: peer.id, label: peer.label };
  const binary = findInPath(peer.binary);
  if (binary === null)
    return {
      ...base,
      status: 'not installed',
      version: null,
      reason: `${peer.binary} is not in PATH`,
    };
  let version: string;
  try {
    version = versionOf(binary);
  } catch (e) {
    return { ...base, status: 'unavailable', version: null, reason: message(e) };
  }
  if (process.getuid?.() !== 0)
    return {
      ...base,
      status: 'unavailable',
      version,
      reason: "reading another process's filter needs root (CAP_SYS_ADMIN)",
    };
  let live: Live;
  try {
    live = await peer.start(binary);
  } catch (e) {
    return { ...base, status: 'unavailable', version, reason: `starting it failed: ${message(e)}` };
  }
  try {
    const filters = readFilterStack(live.pid);
    const stack = decodeStack(filters);
    return {
      ...base,
      status: 'measured',
      version,
      binary,
      setup: live.setup,
      process: live.process,
      filters: stack.filters,
      instructions: stack.instructions,
      sha256: filters.map((f) => createHash('sha256').update(f).digest('hex')),
      paths: stack.paths,
      approximatePaths: stack.approximatePaths,
      reachable: stack.reachable.length,
      argumentFiltered: stack.reachable.filter((s) => s.argumentFiltered).length,
      unwitnessed: stack.reachable.filter((s) => !s.witnessed).length,
      syscalls: stack.reachable.map((s) => ({
        nr: s.nr,
        name: syscallNameOf(s.nr) ?? `#${s.nr}`,
        argumentFiltered: s.argumentFiltered,
        witnessed: s.witnessed,
      })),
    };
  } catch (e) {
    return { ...base, status: 'unavailable', version, reason: message(e) };
  } finally {
    await live.stop();
  }
}

/** Starts each peer installed, reads back and decodes its filter stack, and stops it. */
export async function measurePeers(): Promise<PeerSection[]> {
  const out: PeerSection[] = [];
  for (const peer of PEERS) out.push(await measure(peer));
  return out;
}
