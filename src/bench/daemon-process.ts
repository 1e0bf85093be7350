// daemon-process.ts: a real `nabla daemon` for one benchmark trial, on a private socket and state directory, stopped (or killed) with everything it started.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { NABLA } from '../package/paths.js';
import { trackGuest } from './procs.js';

/*
 * The daemon is spawned as its own process group (detached) and tracked (procs.ts), so the
 * harness's killAll() on Ctrl-C or failure ends it; its templates and guests asked for
 * SIGKILL at their parent's death (docs/daemon.md §1), and the group is killed as well, so
 * nothing it started outlives it. The socket and the state live in `dir`, which the caller
 * removes.
 */

/** What the daemon logs once it answers on its socket. */
const LISTENING = 'listening on ';
const START_TIMEOUT_MS = 30_000;
/** SIGTERM gives each guest the daemon's own stop timeout (10 s) before SIGKILL. */
const STOP_TIMEOUT_MS = 30_000;

export interface DaemonProcess {
  readonly pid: number;
  readonly socket: string;
  /** SIGTERM, as a service manager stops it; its exit status (SIGKILL after STOP_TIMEOUT_MS). */
  stop(): Promise<number>;
  /** SIGKILL to its process group (an aborted trial). */
  kill(): void;
}

function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? constants.signals[signal] : 0);
}

/**
 * Starts `nabla daemon --socket DIR/nabla.sock --state-dir DIR/state` and resolves once it
 * listens. `nabla` is the CLI's script (tests give one that fails). A daemon that ends or says
 * nothing within START_TIMEOUT_MS rejects, with the first line it wrote on stderr.
 */
export function startDaemonProcess(dir: string, nabla = NABLA): Promise<DaemonProcess> {
  const socket = join(dir, 'nabla.sock');
  const child = spawn(
    process.execPath,
    [nabla, 'daemon', '--socket', socket, '--state-dir', join(dir, 'state')],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(statusOf(code, signal)));
    child.once('error', () => resolve(127));
  });
  const pid = child.pid ?? -1;
  const kill = () => {
    if (pid <= 0) return;
    try {
      process.kill(-pid, 'SIGKILL'); // also whatever is left of its group after it exited
    } catch {
      // the group has gone
    }
  };
  trackGuest(kill, exited);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const said = () => stderr.trim().split('\n')[0] ?? '';
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      kill();
      const line = said();
      reject(new Error(`nabla daemon ${why}${line ? `: ${line}` : ''}`));
    };
    const timer = setTimeout(
      () => fail(`did not listen on ${socket} within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    void exited.then((status) => fail(`ended before it listened, status ${status}`));
    const onData = (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
      if (settled || !stderr.includes(LISTENING)) return;
      settled = true;
      clearTimeout(timer);
      // Keep reading (and dropping) its log, so that a full pipe never blocks it.
      child.stderr.off('data', onData);
      child.stderr.resume();
      resolve({
        pid,
        socket,
        kill,
        async stop() {
          child.kill('SIGTERM');
          const late = setTimeout(kill, STOP_TIMEOUT_MS);
          const status = await exited;
          clearTimeout(late);
          kill(); // nothing of its group may be left; normally there is nothing
          return status;
        },
      });
    };
    child.stderr.on('data', onData);
  });
}
