// fdinfo.ts: reads a descriptor's open flags from /proc, the kernel's own view, for the native tests.
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { afterEach } from 'vitest';

// Linux x86_64 open(2) flag bits as fdinfo reports them (octal in the file).
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

/** The `flags:` line of /proc/self/fdinfo/<fd>; the kernel adds O_CLOEXEC when FD_CLOEXEC is set. */
export function fdFlags(fd: number): number {
  const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  const match = /^flags:\s+([0-7]+)$/m.exec(info);
  if (!match?.[1]) throw new Error(`no flags line in /proc/self/fdinfo/${fd}:\n${info}`);
  return Number.parseInt(match[1], 8);
}

export function hasCloexec(fd: number): boolean {
  return (fdFlags(fd) & O_CLOEXEC) !== 0;
}

/** The descriptors open in this process right now. */
export function openFds(): number[] {
  return readdirSync('/proc/self/fd').map(Number);
}

/** An fd number that is not open here (for EBADF cases). */
export function closedFd(): number {
  const open = new Set(openFds());
  let fd = 1000;
  while (open.has(fd)) fd += 1;
  return fd;
}

export const SIGPIPE = constants.signals.SIGPIPE;
export const SIGXFSZ = constants.signals.SIGXFSZ;

/** Whether `signal` is ignored according to a /proc/<pid>/status text (SigIgn is a hex mask). */
export function ignored(status: string, signal: number): boolean {
  const match = /^SigIgn:\s+([0-9a-f]+)$/m.exec(status);
  if (!match?.[1]) throw new Error(`no SigIgn line in:\n${status}`);
  return (BigInt(`0x${match[1]}`) & (1n << BigInt(signal - 1))) !== 0n;
}

/** Call at the top of a test file: `track(fd)` closes the descriptor after each test. */
export function useFdTracking(): (fd: number) => number {
  const opened: number[] = [];
  afterEach(() => {
    for (const fd of opened.splice(0)) closeSync(fd);
  });
  return (fd) => {
    opened.push(fd);
    return fd;
  };
}
