// peer-filter.ts: what a stack of foreign seccomp filters (another sandbox's) lets through on x86_64, decoded path by path.
import { boxMember, boxSubtract } from './boxes.js';
import {
  type Box,
  explorePaths,
  type FilterPath,
  fullBox,
  WORD_ARCH,
  WORD_NR,
} from './bpf-paths.js';
import {
  AUDIT_ARCH_X86_64,
  action,
  decodeProgram,
  runFilter,
  SECCOMP_RET_ALLOW,
} from './bpf-sim.js';
import { contains, type IntervalSet, members, point } from './intervals.js';

/** SECCOMP_RET_LOG: the call runs (and is logged); it counts as let through. */
const SECCOMP_RET_LOG = 0x7ffc0000;
/** x86_64 numbers decoded (above every x86_64 syscall; x32's start at 0x40000000). */
const MAX_NR = 1023;
/** Words 2..15: the instruction pointer and the six arguments. */
const NOT_NR_OR_ARCH = 0xfffc;

export interface PeerSyscall {
  nr: number;
  /** True when some argument values (or call sites) are refused: the filter tests them. */
  argumentFiltered: boolean;
  /**
   * True when, for each filter, one input of an allowing path (its smallest) was run through
   * the plain interpreter (bpf-sim.ts) and let through: reachable for certain, not only
   * within the upper bound an approximated path gives.
   */
  witnessed: boolean;
}

export interface DecodedStack {
  /** Filters in the stack, and their instructions in all. */
  filters: number;
  instructions: number;
  /** Paths followed, in all filters. */
  paths: number;
  /** Paths on which a masked or bit test was followed both ways (an upper bound there). */
  approximatePaths: number;
  /** x86_64 syscalls every filter lets through for some arguments, by number. */
  reachable: PeerSyscall[];
}

const letsThrough = (ret: number) => {
  const a = action(ret);
  return a === SECCOMP_RET_ALLOW || a === SECCOMP_RET_LOG;
};
const lets = (path: FilterPath) => letsThrough(path.ret);

/** One filter: the numbers it lets through for some input, and for which of them always. */
function decodeOne(bpf: Buffer): {
  paths: FilterPath[];
  some: Set<number>;
  always: Set<number>;
  witnessed: Set<number>;
} {
  const program = decodeProgram(bpf);
  const paths = explorePaths(program, { approximate: true });
  const x86 = paths.filter((p) => contains(p.box[WORD_ARCH] as IntervalSet, AUDIT_ARCH_X86_64));
  const byNr = new Map<number, FilterPath[]>();
  for (const path of x86.filter(lets))
    for (const nr of members(path.box[WORD_NR] as IntervalSet, 0, MAX_NR))
      byNr.set(nr, [...(byNr.get(nr) ?? []), path]);
  const always = new Set<number>();
  const witnessed = new Set<number>();
  for (const [nr, allowing] of byNr) {
    for (const path of allowing) {
      const m = boxMember(path.box);
      const input = { nr, arch: AUDIT_ARCH_X86_64, ip: m.ip, args: m.args };
      if (letsThrough(runFilter(program, input))) {
        witnessed.add(nr);
        break;
      }
    }
    // Unconditional when the exact allowing paths cover every ip and argument value.
    const whole = fullBox();
    whole[WORD_NR] = point(nr);
    whole[WORD_ARCH] = point(AUDIT_ARCH_X86_64);
    let rest: Box[] = [whole];
    for (const path of allowing) {
      if ((path.approx ?? 0) & NOT_NR_OR_ARCH) continue;
      rest = rest.flatMap((r) => boxSubtract(r, path.box));
    }
    if (rest.length === 0) always.add(nr);
  }
  return { paths, some: new Set(byNr.keys()), always, witnessed };
}

/**
 * Decodes a process's filter stack (every filter applies; the kernel keeps the strictest
 * answer): a syscall is reachable when each filter lets it through for some input, and
 * argument-filtered when any of them lets it through for some inputs only.
 */
export function decodeStack(filters: readonly Buffer[]): DecodedStack {
  if (filters.length === 0) throw new Error('no seccomp filter to decode');
  const decoded = filters.map(decodeOne);
  const first = decoded[0] as ReturnType<typeof decodeOne>;
  const reachable = [...first.some]
    .filter((nr) => decoded.every((d) => d.some.has(nr)))
    .sort((a, b) => a - b)
    .map((nr) => ({
      nr,
      argumentFiltered: !decoded.every((d) => d.always.has(nr)),
      witnessed: decoded.every((d) => d.witnessed.has(nr)),
    }));
  return {
    filters: filters.length,
    instructions: filters.reduce((n, f) => n + f.length / 8, 0),
    paths: decoded.reduce((n, d) => n + d.paths.length, 0),
    approximatePaths: decoded.reduce((n, d) => n + d.paths.filter((p) => p.approx).length, 0),
    reachable,
  };
}
