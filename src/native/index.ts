// index.ts: the typed API over the native addon: seccomp compilation, memfds, taps, descriptors and exec.
import { native, type RawComparison, type RawRule } from './binding.js';
import * as check from './check.js';
import { callNative } from './errors.js';

export { NativeError } from './errors.js';

/** Which syscall argument a comparison reads (seccomp sees six). */
export type ArgIndex = 0 | 1 | 2 | 3 | 4 | 5;
export type ComparisonOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq';

/**
 * One condition on a syscall argument, compared as an unsigned 64-bit value.
 * `masked_eq` allows the call when (argument & mask) == value, and is the only op with a mask.
 */
export interface ArgComparison {
  index: ArgIndex;
  op: ComparisonOp;
  value: bigint;
  mask?: bigint;
}

/** Allow `syscall` when every comparison holds (no comparisons: always). */
export interface FilterRule {
  syscall: string;
  args: readonly ArgComparison[];
}

export interface CompiledFilter {
  /** The classic BPF program, 8 bytes per instruction, exactly as the tender installs it. */
  bpf: Buffer;
  /** libseccomp's pseudo filter code: the same program as text, for people and audits. */
  pfc: string;
}

// libseccomp's enum scmp_compare (seccomp.h); the addon hands these to libseccomp unchanged.
const SCMP_CMP: Readonly<Record<ComparisonOp, number>> = {
  ne: 1,
  lt: 2,
  le: 3,
  eq: 4,
  ge: 5,
  gt: 6,
  masked_eq: 7,
};

// Linux interface names live in a 16-byte buffer (IFNAMSIZ) with the terminating NUL.
const IFNAME_MAX_BYTES = 15;
// stdin, stdout, stderr: what any program expects to inherit.
const STDIO_FDS = [0, 1, 2] as const;
// memfd names are "memfd:" + name within NAME_MAX (255) bytes.
const MEMFD_NAME_MAX_BYTES = 249;

function comparison(raw: unknown, name: string): RawComparison {
  const cmp = check.object(raw, name);
  const index = cmp.index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) {
    throw check.expected('an argument index from 0 to 5', `${name}.index`, index);
  }
  const op = cmp.op;
  if (typeof op !== 'string' || !Object.hasOwn(SCMP_CMP, op)) {
    const names = Object.keys(SCMP_CMP).map((k) => `'${k}'`);
    throw check.expected(`one of ${names.join(', ')}`, `${name}.op`, op);
  }
  const value = check.u64(cmp.value, `${name}.value`);
  if (op !== 'masked_eq') {
    if (cmp.mask !== undefined) {
      throw check.expected("no mask (only 'masked_eq' takes one)", `${name}.mask`, cmp.mask);
    }
    return [index, SCMP_CMP[op as ComparisonOp], value, 0n];
  }
  const mask = check.u64(cmp.mask, `${name}.mask`);
  // A value with bits outside the mask can never equal (argument & mask): the rule would be dead.
  if ((value & ~mask) !== 0n) {
    throw check.expected(`a value within the mask 0x${mask.toString(16)}`, `${name}.value`, value);
  }
  return [index, SCMP_CMP.masked_eq, value, mask];
}

function rule(raw: unknown, name: string): RawRule {
  const r = check.object(raw, name);
  const syscall = check.nonEmpty(check.cString(r.syscall, `${name}.syscall`), `${name}.syscall`);
  const args = check.array(r.args, `${name}.args`);
  const comparisons = args.map((a, j) => comparison(a, `${name}.args[${j}]`));
  // libseccomp takes one comparison per argument in a rule; say which one repeats.
  const seen = new Set<number>();
  comparisons.forEach(([index], j) => {
    if (seen.has(index)) {
      throw check.expected(
        'at most one comparison per argument index',
        `${name}.args[${j}].index`,
        index,
      );
    }
    seen.add(index);
  });
  return [syscall, comparisons];
}

/** What a filter does with a call no rule allows. */
export type DefaultAction = 'kill-process' | { errno: number };

export interface CompileOptions {
  /**
   * 'kill-process' (the default, and what nabla's tender always installs), or fail the call
   * with an errno, as Docker's default profile does (EPERM): only for filters of other sandboxes
   * the benchmarks and audits compare with.
   */
  defaultAction?: DefaultAction;
}

// errno values are 1..4095 (MAX_ERRNO); 0 would make a denied call look successful.
const ERRNO_MAX = 4095;

function defaultErrno(action: unknown): number {
  if (action === undefined || action === 'kill-process') return -1;
  const errno = (action as { errno?: unknown } | null)?.errno;
  if (typeof errno !== 'number' || !Number.isInteger(errno) || errno < 1 || errno > ERRNO_MAX) {
    throw check.expected(
      `'kill-process' or { errno } with an errno from 1 to ${ERRNO_MAX}`,
      'options.defaultAction',
      action,
    );
  }
  return errno;
}

/**
 * Compiles an allowlist into a seccomp filter for x86_64: the default action kills the process
 * (unless options.defaultAction says otherwise) and so does the bad-architecture action; each
 * rule allows one syscall under its comparisons (several rules for one syscall: any of them).
 * Throws NativeError (code EINVAL, syscall 'seccomp_syscall_resolve_name') for a syscall name
 * libseccomp does not know for x86_64.
 */
export function compileFilter(
  rules: readonly FilterRule[],
  options: CompileOptions = {},
): CompiledFilter {
  const raw = check.array(rules, 'rules').map((r, i) => rule(r, `rules[${i}]`));
  const errno = defaultErrno(check.object(options, 'options').defaultAction);
  return callNative(() => native().compileFilter(raw, errno));
}

/** The x86_64 number of a syscall, or -1 if libseccomp does not know it for x86_64. */
export function resolveSyscall(name: string): number {
  const syscall = check.cString(name, 'name');
  return callNative(() => native().resolveSyscall(syscall));
}

/** The highest number syscallName looks up: x86_64's are below 0x400 (the addon's table bound). */
const MAX_SYSCALL_NR = 0x3ff;

/** The x86_64 name libseccomp knows for syscall number `nr`, or undefined if it knows none. */
export function syscallName(nr: number): string | undefined {
  if (typeof nr !== 'number' || !Number.isInteger(nr)) throw check.expected('an integer', 'nr', nr);
  // No x86_64 syscall lies outside; and the addon's Int32 conversion would wrap larger numbers.
  if (nr < 0 || nr > MAX_SYSCALL_NR) return undefined;
  return callNative(() => native().syscallName(nr));
}

/** Every x86_64 syscall libseccomp knows, as [number, name] in ascending order of number. */
export function syscallTable(): Array<[nr: number, name: string]> {
  return callNative(() => native().syscallTable());
}

/**
 * Creates an anonymous, sealable in-memory file and returns its descriptor (owned by the caller).
 * `cloexec` (default true) keeps it from leaking into programs this process starts.
 */
export function memfdCreate(name: string, cloexec = true): number {
  const n = check.cString(name, 'name', MEMFD_NAME_MAX_BYTES);
  const c = check.boolean(cloexec, 'cloexec');
  return callNative(() => native().memfdCreate(n, c));
}

/** Seals a memfd against writes, resizing and further seals (EPERM on any later write). */
export function sealMemfd(fd: number): void {
  const f = check.fd(fd, 'fd');
  callNative(() => native().sealMemfd(f));
}

function ifname(value: unknown): string {
  const name = check.cString(value, 'ifname', IFNAME_MAX_BYTES);
  return check.nonEmpty(name, 'ifname');
}

/**
 * Opens an existing tap interface (IFF_TAP | IFF_NO_PI, non-blocking, close-on-exec) and
 * returns its descriptor. Never creates one: a missing interface is NativeError ENODEV.
 */
export function tapAttach(name: string): number {
  const n = ifname(name);
  return callNative(() => native().tapAttach(n));
}

/** The tun driver's IFF_* flags of a tun/tap descriptor (linux/if_tun.h). */
export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_NO_PI = 0x1000;
export const IFF_VNET_HDR = 0x4000;

/**
 * What the tun driver says `fd` is (TUNGETIFF): its IFF_* flags and the interface it is
 * attached to. Any descriptor that is not an attached tun/tap one throws NativeError (ENOTTY;
 * EBADFD for /dev/net/tun attached to no interface).
 */
export function tunInfo(fd: number): { flags: number; name: string } {
  const f = check.fd(fd, 'fd');
  return callNative(() => native().tunInfo(f));
}

/** The interface's MTU in bytes (SIOCGIFMTU). */
export function interfaceMtu(name: string): number {
  const n = ifname(name);
  return callNative(() => native().interfaceMtu(n));
}

/**
 * Replaces this Node process with the program at `path` (same pid). Descriptors in `keepFds`
 * stay open at their numbers, and so do 0, 1 and 2: Node marks its stdio close-on-exec at
 * startup (uv_disable_stdio_inheritance), which would leave the program without a console.
 * An argument may be bytes (a Buffer): a path need not be UTF-8.
 * Every other close-on-exec descriptor is closed. SIGPIPE and SIGXFSZ, which Node ignores,
 * are back to their defaults in the new program.
 * Flush or drop pending stream writes first: nothing of this process survives.
 * Returns only by throwing NativeError, when nothing has been changed.
 */
export function execve(
  path: string,
  argv: ReadonlyArray<string | Buffer>,
  envp: readonly string[],
  keepFds: readonly number[] = [],
): never {
  const p = check.nonEmpty(check.cString(path, 'path'), 'path');
  const a = check.array(argv, 'argv').map((s, i) => check.cStringOrBytes(s, `argv[${i}]`));
  const e = check.array(envp, 'envp').map((s, i) => check.cString(s, `envp[${i}]`));
  const k = check.array(keepFds, 'keepFds').map((fd, i) => check.fd(fd, `keepFds[${i}]`));
  const keep = [...new Set([...STDIO_FDS, ...k])];
  return callNative(() => native().execve(p, a, e, keep));
}

/**
 * Makes `fd` non-blocking (sets O_NONBLOCK, keeping its other status flags). The flag belongs
 * to the open file, so every duplicate of the descriptor, in this process or another, sees it.
 */
export function setNonBlocking(fd: number): void {
  const f = check.fd(fd, 'fd');
  callNative(() => native().setNonBlocking(f));
}

/** Who is at the other end of a connected unix socket: the ids the kernel recorded at connect. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/** SO_PEERCRED of the unix socket `fd` (a connection the daemon accepted). */
export function peerCredentials(fd: number): PeerCredentials {
  const f = check.fd(fd, 'fd');
  return callNative(() => native().peerCredentials(f));
}
