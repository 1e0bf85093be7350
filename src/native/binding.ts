// binding.ts: loads the nabla_native addon on first use and says where it looked when it cannot.
import { existsSync } from 'node:fs';
import { ADDON_CANDIDATES } from '../package/paths.js';

/** One comparison as the addon takes it: [argument index, scmp_compare code, value, mask]. */
export type RawComparison = [index: number, op: number, value: bigint, mask: bigint];
/** One allow rule as the addon takes it: [syscall name, comparisons]. */
export type RawRule = [syscall: string, comparisons: RawComparison[]];

/** The addon's exports exactly as native/ registers them (positional, unchecked). */
export interface NativeBinding {
  /** defaultErrno absent or < 0: kill the process on a call no rule allows; else fail it with that errno. */
  compileFilter(rules: RawRule[], defaultErrno?: number): { bpf: Buffer; pfc: string };
  resolveSyscall(name: string): number;
  syscallName(nr: number): string | undefined;
  syscallTable(): Array<[nr: number, name: string]>;
  memfdCreate(name: string, cloexec: boolean): number;
  sealMemfd(fd: number): void;
  tapAttach(ifname: string): number;
  interfaceMtu(ifname: string): number;
  tunInfo(fd: number): { flags: number; name: string };
  execve(path: string, argv: Array<string | Buffer>, envp: string[], keepFds: number[]): never;
  setNonBlocking(fd: number): void;
  peerCredentials(fd: number): { pid: number; uid: number; gid: number };
  getpwnam(name: string): { name: string; uid: number; gid: number } | null;
  getpwuid(uid: number): { name: string; uid: number; gid: number } | null;
  getgrnam(name: string): { name: string; gid: number } | null;
  seqpacketPair(): [number, number];
  engineSend(fd: number, data: Buffer, fds: number[]): boolean;
  engineReceive(
    fd: number,
    timeoutMs: number,
  ): { data: Buffer; fds: number[]; truncated: boolean } | null | undefined;
  waitWritable(fd: number, timeoutMs: number): boolean;
  pipeCloexec(): [number, number];
  pidfdSignal(pidfd: number, signal: number): boolean;
  watchExits(callback: (records: number[]) => void): void;
  watchPidfd(pidfd: number): void;
  watchReadable(fd: number, on: boolean): void;
  openPty(): [master: number, slave: number];
  sendFdTo(socketPath: string, fd: number): void;
  setNamespace(path: string, nstype: number): void;
}

let loaded: NativeBinding | undefined;

/** The addon, loaded on the first call so that importing this module never touches the disk. */
export function native(): NativeBinding {
  if (loaded === undefined) loaded = loadAddon(ADDON_CANDIDATES);
  return loaded;
}

/**
 * Loads the first candidate that loads; otherwise throws, listing each path and why it failed.
 * process.dlopen is what require() does for a .node file; calling it directly keeps node:module
 * (and with it Node's ES-module loader) out of nabla-run's start-up.
 */
export function loadAddon(candidates: readonly string[]): NativeBinding {
  const failures: string[] = [];
  for (const candidate of candidates) {
    // A missing file is the common case; say so plainly instead of quoting dlopen's text.
    if (!existsSync(candidate)) {
      failures.push(`  ${candidate}: not found`);
      continue;
    }
    try {
      const addon = { exports: {} };
      process.dlopen(addon, candidate);
      return addon.exports as NativeBinding;
    } catch (error) {
      failures.push(`  ${candidate}: ${reason(error)}`);
    }
  }
  throw new Error(
    [
      'Could not load the nabla native addon (nabla_native.node). Tried:',
      ...failures,
      'Build it with `npm run build:native`.',
    ].join('\n'),
  );
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.split('\n')[0] ?? error.message;
}
