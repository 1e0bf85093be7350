// holder.ts: the container's process between create and start: a shell that waits on the exec fifo, then execs the tender in its place.
import { spawn } from 'node:child_process';
import { tenderPath } from '../launch/tender-path.js';
import { STARTED_PLAN_FD } from '../plan/layout.js';

export interface HolderOptions {
  fifo: string;
  planFd: number;
  elfFd: number;
  deviceFds: readonly number[];
  kernel: string;
  args: readonly Buffer[];
  /** The pty slave for a terminal; undefined: the runtime's own stdio (the shim's pipes). */
  stdio: number | undefined;
  /** The slave's path (/dev/pts/N), to make it the controlling terminal. */
  tty?: string | undefined;
}

/**
 * `/bin/sh -c ': < FIFO && exec TENDER 3 KERNEL ARGS'`, as a new session (so `kill --all`
 * reaches its process group): the open blocks until `start` opens the fifo for writing, then
 * the tender replaces the shell, keeping its pid, which is the pid the shim was given and so the
 * container's: its exit status is the guest's. A few hundred KiB while it waits, where a Node
 * holder would be tens of MiB charged to the container's memory group. The descriptors are
 * where the plan says the tender finds them (3 the plan, 4 the ELF, 5... the devices); the
 * tender closes every other one before the guest runs.
 */
export function spawnHolder(options: HolderOptions): number {
  const io = options.stdio ?? 'inherit';
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      // dash exports PWD, and the tender refuses any environment variable. With a terminal, the
      // session leader opens its slave by name (no O_NOCTTY), which makes it the controlling
      // terminal, its process group the foreground one: ^C at the console is the guest's SIGINT.
      'unset PWD; if [ -n "$1" ]; then : <>"$1"; fi; shift; : < "$0" && exec "$@"',
      options.fifo,
      options.tty ?? '',
      tenderPath(),
      String(STARTED_PLAN_FD),
      options.kernel,
      ...options.args.map((a) => a.toString('utf8')),
    ],
    {
      detached: true,
      env: {},
      cwd: '/',
      stdio: [io, io, io, options.planFd, options.elfFd, ...options.deviceFds],
    },
  );
  child.unref();
  if (child.pid === undefined) throw new Error('the holder process could not be started');
  return child.pid;
}
