// verify-policy.ts: proves by simulation that a BPF program allows exactly what a policy's rules allow.
import type { PolicyRule } from '../policy/rules.js';
import {
  AUDIT_ARCH_I386,
  AUDIT_ARCH_X86_64,
  action,
  decodeProgram,
  runFilter,
  SECCOMP_RET_ALLOW,
  X32_SYSCALL_BIT,
} from './bpf-sim.js';

const U64_MAX = (1n << 64n) - 1n;
/** Highest x86_64 syscall number we probe (the table ends near 460; leave room). */
const MAX_NR = 600;

export interface Disagreement {
  nr: number;
  arch: number;
  args: bigint[];
  policy: boolean;
  filter: boolean;
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

/** Values around every constant the rules compare with, plus the extremes. */
function probeValues(rules: readonly PolicyRule[], index: number): bigint[] {
  const values = new Set<bigint>([0n, 1n, 2n, 0x7fffffffn, 0xffffffffn, 1n << 32n, 1n << 63n, U64_MAX]);
  for (const rule of rules) {
    for (const c of rule.args) {
      if (c.index !== index) continue;
      for (const d of [-1n, 0n, 1n, 1n << 32n]) {
        const v = c.value + d;
        if (v >= 0n && v <= U64_MAX) values.add(v);
      }
    }
  }
  return [...values];
}

/** Every argument vector worth trying for one syscall: the cross product over the compared indices. */
function argVectors(rules: readonly PolicyRule[], nr: number): bigint[][] {
  const indices = [...new Set(rules.filter((r) => r.nr === nr).flatMap((r) => r.args.map((a) => a.index)))];
  let vectors: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
  for (const index of indices) {
    const next: bigint[][] = [];
    for (const vector of vectors) {
      for (const value of probeValues(rules, index)) {
        const copy = [...vector];
        copy[index] = value;
        next.push(copy);
      }
    }
    vectors = next;
  }
  return vectors.length > 1 ? vectors : [[0n, 0n, 0n, 0n, 0n, 0n], [1n, 1n, 1n, 1n, 1n, 1n], Array(6).fill(U64_MAX)];
}

/**
 * Evaluates the program for every x86_64 syscall number, the x32 range and i386, with the
 * argument values that matter, and lists every case where filter and policy disagree.
 */
export function verifyFilter(bpf: Buffer, rules: readonly PolicyRule[]): { cases: number; disagreements: Disagreement[] } {
  const program = decodeProgram(bpf);
  const disagreements: Disagreement[] = [];
  let cases = 0;
  const check = (nr: number, arch: number, args: bigint[], policy: boolean) => {
    cases++;
    const filter = action(runFilter(program, { nr, arch, args })) === SECCOMP_RET_ALLOW;
    if (filter !== policy) disagreements.push({ nr, arch, args, policy, filter });
  };
  for (let nr = 0; nr <= MAX_NR; nr++) {
    for (const args of argVectors(rules, nr)) {
      check(nr, AUDIT_ARCH_X86_64, args, policyAllows(rules, nr, args));
      // The same numbers through the x32 ABI and the i386 ABI must never be allowed.
      check(nr | X32_SYSCALL_BIT, AUDIT_ARCH_X86_64, args, false);
      check(nr, AUDIT_ARCH_I386, args, false);
    }
  }
  return { cases, disagreements };
}
