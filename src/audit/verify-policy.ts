// verify-policy.ts: proves by simulation that a BPF program allows exactly what a policy's rules allow.
import type { PolicyRule } from '../policy/rules.js';
import {
  AUDIT_ARCH_I386,
  AUDIT_ARCH_X86_64,
  action,
  decodeProgram,
  type Instruction,
  runFilter,
  SECCOMP_RET_ALLOW,
  X32_SYSCALL_BIT,
} from './bpf-sim.js';

const U64_MAX = (1n << 64n) - 1n;
/** Highest x86_64 syscall number we probe (the table ends near 460; leave room). */
const MAX_NR = 600;
/** struct seccomp_data: args[] start at byte 16, 8 bytes each. */
const ARGS_OFFSET = 16;

export interface Disagreement {
  nr: number;
  arch: number;
  args: bigint[];
  policy: boolean;
  filter: boolean;
}

/** One evaluated case, for callers that want more than the verdict (the audit's decoder). */
export interface FilterCase {
  nr: number;
  arch: number;
  args: readonly bigint[];
  allowed: boolean;
  /** The argument indexes varied over the probe values in this round (the others are 0). */
  varied: ReadonlySet<number>;
}

function policyAllows(rules: readonly PolicyRule[], nr: number, args: readonly bigint[]): boolean {
  return rules.some(
    (r) =>
      r.nr === nr &&
      r.args.every((c) => {
        const v = args[c.index] ?? 0n;
        return c.op === 'eq' ? v === c.value : v <= c.value;
      }),
  );
}

/**
 * Argument values worth trying: around every constant the policy compares with and every
 * constant the program compares with (as either 32-bit half), plus the extremes. A filter
 * that allows something extra must compare against one of its own constants to do so.
 */
export function probeValues(
  program: readonly Instruction[],
  rules: readonly PolicyRule[],
): bigint[] {
  const values = new Set<bigint>([
    0n,
    1n,
    2n,
    0x7fffffffn,
    0xffffffffn,
    1n << 32n,
    1n << 63n,
    U64_MAX,
  ]);
  const around = (v: bigint) => {
    for (const d of [-1n, 0n, 1n]) if (v + d >= 0n && v + d <= U64_MAX) values.add(v + d);
  };
  for (const rule of rules) for (const c of rule.args) around(c.value);
  for (const ins of program) {
    if ((ins.code & 0x07) === 0x05 && (ins.code & 0x08) === 0 && (ins.code & 0xf0) !== 0) {
      around(BigInt(ins.k));
      around(BigInt(ins.k) << 32n);
    }
  }
  return [...values];
}

/** Runs one case and records which argument slots the program looked at. */
function evaluate(
  program: readonly Instruction[],
  nr: number,
  arch: number,
  args: bigint[],
  seen: Set<number>,
): boolean {
  const onLoad = (offset: number) => {
    if (offset >= ARGS_OFFSET) seen.add(Math.floor((offset - ARGS_OFFSET) / 8));
  };
  return action(runFilter(program, { nr, arch, args }, onLoad)) === SECCOMP_RET_ALLOW;
}

/**
 * Evaluates the program for every x86_64 syscall number, the x32 range and i386, varying
 * each argument the program reads over the probe values (all combinations), and lists
 * every case where filter and policy disagree.
 */
export function verifyFilter(
  bpf: Buffer,
  rules: readonly PolicyRule[],
  onCase?: (c: FilterCase) => void,
): { cases: number; disagreements: Disagreement[]; probes: bigint[] } {
  const program = decodeProgram(bpf);
  const probes = probeValues(program, rules);
  const disagreements: Disagreement[] = [];
  let cases = 0;
  const explore = (
    nr: number,
    arch: number,
    expected: (args: bigint[]) => boolean,
    compared: number[] = [],
  ) => {
    // Vary what the policy compares as well as what the program reads: either may be missing.
    const read = new Set<number>(compared);
    let explored = new Set<number>();
    // Widen the set of varied arguments until no run reads a new one (paths can reveal more).
    do {
      explored = new Set(read);
      let vectors: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
      for (const index of explored) {
        vectors = vectors.flatMap((v) => probes.map((p) => v.map((x, i) => (i === index ? p : x))));
      }
      for (const args of vectors) {
        cases++;
        const filter = evaluate(program, nr, arch, args, read);
        onCase?.({ nr, arch, args, allowed: filter, varied: explored });
        const policy = expected(args);
        if (filter !== policy) disagreements.push({ nr, arch, args, policy, filter });
      }
    } while (read.size > explored.size);
  };
  for (let nr = 0; nr <= MAX_NR; nr++) {
    const compared = rules.filter((r) => r.nr === nr).flatMap((r) => r.args.map((a) => a.index));
    explore(nr, AUDIT_ARCH_X86_64, (args) => policyAllows(rules, nr, args), compared);
    // The same numbers through the x32 ABI and the i386 ABI must never be allowed.
    explore(nr | X32_SYSCALL_BIT, AUDIT_ARCH_X86_64, () => false);
    explore(nr, AUDIT_ARCH_I386, () => false);
  }
  return { cases, disagreements, probes };
}
