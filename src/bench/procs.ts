// procs.ts: the processes benchmarks start: timed runs, starts until "ready", PSS, and no process left behind.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

/*
 * Every process a benchmark starts goes through spawnTracked(): it leads a process group of
 * its own (detached), so that killing the group also ends whatever it started (bwrap's
 * sandbox init and the program inside), and it is remembered until it has exited, so that
 * killAll() can end every one of them on failure, on Ctrl-C and when the harness exits.
 */
const live = new Set<ChildProcess>();
/** Guests started here but not by spawnTracked (run(), the start scenario): how to kill each. */
const guests = new Set<() => void>();

/** A program and its arguments, as exec takes them. */
export interface Command {
  file: string;
  args: readonly string[];
  /** Descriptors from 3 on, in order (e.g. the seccomp filter bwrap reads). */
  extraFds?: readonly number[];
}

function spawnTracked(
  command: Command,
  stdout: 'ignore' | 'pipe',
  stderr: 'ignore' | 'pipe',
  options: SpawnOptions = {},
): ChildProcess {
  const child = spawn(command.file, [...command.args], {
    ...options,
    detached: true,
    stdio: ['ignore', stdout, stderr, ...(command.extraFds ?? [])],
  });
  if (child.pid !== undefined) {
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

/** Sends SIGKILL to the process group of `child` (nothing if it is gone already). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group may be gone while its leader still awaits reaping
  }
}

/** Kills every process group a benchmark started and has not seen exit (synchronous). */
export function killAll(): number {
  const count = live.size + guests.size;
  for (const child of live) killGroup(child);
  for (const kill of guests) kill();
  return count;
}

/** How many started processes have not exited yet. */
export const liveCount = (): number => live.size + guests.size;

/** A guest started otherwise (run(), a plain spawn): killAll() ends it too, until it has exited. */
export function trackGuest(kill: () => void, exited: Promise<unknown>): void {
  // Each kill function is its own entry: no two guests can share one, even if a pid is unknown.
  const entry = () => kill();
  guests.add(entry);
  const forget = () => guests.delete(entry);
  exited.then(forget, forget);
}

/** Resolves when `child` has exited (at once if it has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Kills the groups of `children` and waits until every leader has exited. */
export async function killAndWait(children: readonly ChildProcess[]): Promise<void> {
  for (const child of children) killGroup(child);
  await Promise.all(children.map(exited));
}

function statusText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal} (status ${128 + constants.signals[signal]})` : `status ${code}`;
}

function describe(command: Command): string {
  return [command.file, ...command.args].join(' ');
}

/**
 * Runs `command` to its end and returns its wall time in milliseconds, from just before the
 * spawn to the exit. Its stdout goes to /dev/null; its stderr is kept for the error that a
 * status other than 0 (or a run longer than timeoutMs) throws.
 */
export async function timeRun(command: Command, timeoutMs = 30_000): Promise<number> {
  const start = process.hrtime.bigint();
  const child = spawnTracked(command, 'ignore', 'pipe');
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  // 'close' (all of stderr read) may come before a listener added after 'exit' would be.
  const closed = new Promise((resolve) => child.once('close', resolve));
  const timer = setTimeout(() => killGroup(child), timeoutMs);
  const [ms, code, signal] = await new Promise<[number, number | null, NodeJS.Signals | null]>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, s) => resolve([Number(process.hrtime.bigint() - start) / 1e6, c, s]));
    },
  ).finally(() => clearTimeout(timer));
  if (code !== 0) {
    await closed;
    const why = ms >= timeoutMs ? `timed out after ${timeoutMs} ms` : statusText(code, signal);
    throw new Error(`${describe(command)}: ${why}${stderr ? `: ${stderr.trim()}` : ''}`);
  }
  return ms;
}

/**
 * Runs `command` to its end and returns what it printed (availability checks, versions, a
 * worker's results); `onLine` sees each line of stdout as it comes.
 */
export async function capture(
  command: Command,
  timeoutMs = 30_000,
  onLine?: (line: string) => void,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const child = spawnTracked(command, 'pipe', 'pipe');
  let stdout = '';
  let stderr = '';
  let seen = 0;
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    if (onLine === undefined) return;
    for (let end = stdout.indexOf('\n', seen); end >= 0; end = stdout.indexOf('\n', seen)) {
      onLine(stdout.slice(seen, end));
      seen = end + 1;
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const timer = setTimeout(() => killGroup(child), timeoutMs);
  const status = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)),
    );
  }).finally(() => clearTimeout(timer));
  return { status, stdout, stderr };
}

/**
 * Starts `command` and resolves once `text` has appeared on its stdout, with the child (still
 * running) and the milliseconds that took. Its pipes are closed then: an idle guest prints
 * nothing more, and a thousand instances must not hold two thousand descriptors here.
 */
export function startUntil(
  command: Command,
  text: string,
  timeoutMs = 30_000,
): Promise<{ child: ChildProcess; ms: number }> {
  const start = process.hrtime.bigint();
  const child = spawnTracked(command, 'pipe', 'pipe');
  return new Promise((resolve, reject) => {
    let seen = '';
    let stderr = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      killGroup(child);
      reject(new Error(`${describe(command)}: ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(
      () => fail(`no ${JSON.stringify(text)} within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`ended before ready: ${statusText(code, signal)}`));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      if (!seen.includes(text)) return;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => live.delete(child));
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ child, ms });
    });
  });
}

/** Every process's parent, from one pass over /proc (the kernel here has no task/children files). */
export function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // The process ended during the scan.
    }
  }
  return parents;
}

/** `root` and all its descendants, given the map parentMap() returned. */
export function processTree(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree: number[] = [];
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * Proportional set size of one process in KiB (/proc/PID/smaps_rollup): its private pages plus
 * its share of pages mapped by several processes, so summing PSS over processes counts each
 * page once. 0 when the process has gone.
 */
export function pssKiB(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Page-table memory of one process in KiB (VmPTE in /proc/PID/status): kernel memory PSS omits. */
export function pageTablesKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const match = /^VmPTE:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Why `command` does not work here, or undefined when it does: it printed `expect` and ended
 * with status 0, or (`staysUp`, an idle guest) printed it and kept running, and was killed.
 */
export async function smokeCheck(
  command: Command,
  expect: string,
  staysUp = false,
  timeoutMs = 15_000,
): Promise<string | undefined> {
  try {
    if (staysUp) {
      const { child } = await startUntil(command, expect, timeoutMs);
      await killAndWait([child]);
      return undefined;
    }
    const result = await capture(command, timeoutMs);
    if (result.status === 0 && result.stdout.includes(expect)) return undefined;
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n')[0] ?? '';
    return `${describe(command)}: status ${result.status}${said ? `: ${said}` : ''}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
