// netns.ts: a private network namespace with its own taps, and the guests and tools run inside it.
import {
  type ChildProcess,
  type ChildProcessByStdio,
  execFileSync,
  spawn,
} from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { NABLA_RUN } from '../package/paths.js';

/*
 * Network tests and benchmarks never touch the host's interfaces: each one makes a namespace
 * of its own (named after a prefix, this process and a counter, so parallel test files and a
 * benchmark run never collide), creates its taps inside it, runs the guest and the traffic
 * there, and deletes everything afterwards, passed or failed. Every process started here is
 * bounded in time. The tests' helper (test/helpers/netns.ts) adds per-test cleanup.
 */

/** The tests' prefix; the benchmark harness uses its own. */
const TEST_PREFIX = 'nabla-t-';
/** Upper bound for any one process started in a namespace. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Creating namespaces and taps needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN). */
export const canUseNetns = process.getuid?.() === 0;

export interface TapSpec {
  name: string;
  /** The host side's address with prefix length, e.g. '10.0.0.1/24'. */
  address: string;
  mtu?: number;
  mac?: string;
}

/** How a process ended, as a shell sees it, and what it printed. */
export interface NsResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface NsProcess {
  pid: number;
  /** Everything printed on stdout so far. */
  stdout(): string;
  /** Resolves once `text` has appeared on stdout; rejects if the process ends first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<NsResult>;
}

let counter = 0;

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, {
    encoding: 'utf8',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Namespaces with this prefix left by a process that died before its cleanup ran. */
function sweepOrphans(prefix: string): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const match = new RegExp(`^(${prefix}(\\d+)-\\d+)\\b`).exec(line);
    if (match?.[1] && !isAlive(Number(match[2]))) ip(['netns', 'del', match[1]]);
  }
}

function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? constants.signals[signal] : 0);
}

export class Netns {
  readonly name: string;
  private readonly taps: string[] = [];
  private readonly children = new Set<ChildProcess>();

  /** `prefix`: letters and dashes, ending in a dash; the name adds this pid and a counter. */
  constructor(prefix: string = TEST_PREFIX) {
    this.name = `${prefix}${process.pid}-${++counter}`;
    sweepOrphans(prefix);
    ip(['netns', 'add', this.name]);
    try {
      ip(['-n', this.name, 'link', 'set', 'lo', 'up']);
      // No IPv6: the kernel's router solicitations and MLD reports would be the only other
      // traffic on the taps; without them a guest sees exactly what a test sends.
      for (const scope of ['all', 'default']) {
        this.execSync('sysctl', ['-qw', `net.ipv6.conf.${scope}.disable_ipv6=1`]);
      }
    } catch (error) {
      ip(['netns', 'del', this.name]);
      throw error;
    }
  }

  /**
   * Connects this namespace to `other` with a veth pair, as a container's network is wired:
   * `here` is this end's name and address (with prefix), `there` the other's. Deleting either
   * namespace deletes the pair.
   */
  addVeth(
    other: Netns,
    here: { name: string; address: string },
    there: { name: string; address: string },
  ): void {
    ip([
      '-n',
      this.name,
      'link',
      'add',
      here.name,
      'type',
      'veth',
      'peer',
      'name',
      there.name,
      'netns',
      other.name,
    ]);
    ip(['-n', this.name, 'addr', 'add', here.address, 'dev', here.name]);
    ip(['-n', other.name, 'addr', 'add', there.address, 'dev', there.name]);
    ip(['-n', this.name, 'link', 'set', 'dev', here.name, 'up']);
    ip(['-n', other.name, 'link', 'set', 'dev', there.name, 'up']);
  }

  /** Creates a tap inside the namespace, gives it the address and brings it up. */
  addTap(spec: TapSpec): void {
    ip(['-n', this.name, 'tuntap', 'add', 'dev', spec.name, 'mode', 'tap']);
    this.taps.push(spec.name);
    ip(['-n', this.name, 'addr', 'add', spec.address, 'dev', spec.name]);
    const link = ['-n', this.name, 'link', 'set', 'dev', spec.name];
    if (spec.mtu !== undefined) link.push('mtu', String(spec.mtu));
    if (spec.mac !== undefined) link.push('address', spec.mac);
    ip([...link, 'up']);
  }

  /** Runs a short command inside the namespace and returns its stdout (throws on failure). */
  execSync(command: string, args: readonly string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, command, ...args], {
      encoding: 'utf8',
      timeout: DEFAULT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /**
   * Starts a command inside the namespace; it is killed after `timeoutMs` and at cleanup.
   * `extraFds` become its descriptors 3, 4, ... (bwrap's seccomp filter). `netOnly`: enter
   * the network namespace alone (nsenter), keeping the host's /sys, which `ip netns exec`
   * replaces: OCI runtimes read the cgroup mounts there.
   */
  spawn(
    command: string,
    args: readonly string[],
    timeoutMs = DEFAULT_TIMEOUT_MS,
    extraFds: readonly number[] = [],
    netOnly = false,
  ): NsProcess {
    // `ip netns exec` enters the namespace and execs the command: same pid, no wrapper.
    const [file, enter] = netOnly
      ? ['nsenter', [`--net=/run/netns/${this.name}`, '--']]
      : ['ip', ['netns', 'exec', this.name]];
    const child = spawn(file, [...enter, command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe', ...extraFds],
    }) as ChildProcessByStdio<null, Readable, Readable>;
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exited = new Promise<NsResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.children.delete(child);
        resolve({ status: statusOf(code, signal), stdout, stderr });
      });
    });
    const waitFor = (text: string, waitMs = 10_000): Promise<void> =>
      new Promise((resolve, reject) => {
        const give = (why: string) =>
          reject(new Error(`${why} waiting for ${JSON.stringify(text)}; stdout: ${stdout}`));
        const check = () => {
          if (!stdout.includes(text)) return;
          cleanup();
          resolve();
        };
        const ended = () => {
          cleanup();
          give(`exited (stderr: ${stderr})`);
        };
        const deadline = setTimeout(() => {
          cleanup();
          give('timed out');
        }, waitMs);
        const cleanup = () => {
          clearTimeout(deadline);
          child.stdout.off('data', check);
          child.off('close', ended);
        };
        child.stdout.on('data', check);
        child.on('close', ended);
        check();
      });
    return { pid: child.pid ?? -1, stdout: () => stdout, waitFor, exited };
  }

  /** Runs a command inside the namespace to its end (killed after `timeoutMs`). */
  run(command: string, args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<NsResult> {
    return this.spawn(command, args, timeoutMs).exited;
  }

  /** Starts `nabla-run ARGS` inside the namespace. */
  nablaRun(args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): NsProcess {
    return this.spawn(process.execPath, [NABLA_RUN, ...args], timeoutMs);
  }

  /** Kills (SIGKILL) every process started here that is still running; the namespace stays. */
  killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  /** Kills what is still running, then deletes the taps and the namespace. */
  async destroy(): Promise<void> {
    const running = [...this.children].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(running);
    // Every step is tried even when one fails; the first failure is reported.
    const failures: unknown[] = [];
    const attempt = (args: string[]) => {
      try {
        ip(args);
      } catch (error) {
        failures.push(error);
      }
    };
    // A tap held by no process goes with its namespace; deleting it first says so explicitly.
    for (const tap of this.taps.splice(0)) attempt(['-n', this.name, 'link', 'del', 'dev', tap]);
    attempt(['netns', 'del', this.name]);
    if (failures.length > 0) throw failures[0];
  }
}

export interface PingStats {
  transmitted: number;
  received: number;
  /** Percent, as ping prints it. */
  loss: number;
  timeMs: number;
}

/** The summary iputils ping prints: "N packets transmitted, M received, L% packet loss, time Tms". */
export function pingStats(output: string): PingStats | undefined {
  const m = /(\d+) packets transmitted, (\d+) received,.* ([\d.]+)% packet loss, time (\d+)ms/.exec(
    output,
  );
  if (!m) return undefined;
  return {
    transmitted: Number(m[1]),
    received: Number(m[2]),
    loss: Number(m[3]),
    timeMs: Number(m[4]),
  };
}
