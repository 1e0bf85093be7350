// verify-policy.ts: proves, path by path, that a BPF program allows exactly what a policy's rules allow.
import type { PolicyRule } from '../policy/rules.js';
import { boxesMeet, boxIntersect, boxMember, boxSubtract, rangeToWords, U64_MAX } from './boxes.js';
import {
  argHigh,
  argLow,
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
  type Instruction,
  runFilter,
  SECCOMP_RET_ALLOW,
} from './bpf-sim.js';
import { contains, type IntervalSet, isPoint, point } from './intervals.js';

/*
 * The filter's paths partition every input (explorePaths); the policy is a union of boxes, a
 * few per rule (policyBoxes). The two agree exactly when every allowing path lies inside the
 * policy's boxes and every other path misses them all. Where they do not, each stray region
 * is one disagreement, given as its smallest input, and that input is run once more through
 * the plain interpreter (bpf-sim.ts) and the table to confirm it, so the prover never reports
 * a case the kernel would decide otherwise. Nothing is sampled: every syscall number (not
 * only the x86_64 table's), every architecture value and every argument value is covered.
 */

export interface Disagreement {
  nr: number;
  arch: number;
  args: bigint[];
  policy: boolean;
  filter: boolean;
}

export interface Verification {
  /** Paths through the program, each a region of inputs the filter decides alike. */
  cases: number;
  disagreements: Disagreement[];
  paths: FilterPath[];
}

/** What the table allows: x86_64, its number, each argument within its conditions. */
function policyAllows(
  rules: readonly PolicyRule[],
  nr: number,
  arch: number,
  args: readonly bigint[],
): boolean {
  return (
    arch === AUDIT_ARCH_X86_64 &&
    rules.some(
      (r) =>
        r.nr === nr &&
        r.args.every((c) => {
          const v = args[c.index] ?? 0n;
          return c.op === 'eq' ? v === c.value : v <= c.value;
        }),
    )
  );
}

/** The inputs one rule allows, as boxes (one per combination of its arguments' word ranges). */
function ruleBoxes(rule: PolicyRule): Box[] {
  const first = fullBox();
  first[WORD_NR] = point(rule.nr);
  first[WORD_ARCH] = point(AUDIT_ARCH_X86_64);
  let boxes: IntervalSet[][] = [first];
  const ranges = new Map<number, [bigint, bigint]>();
  for (const c of rule.args) {
    const [lo, hi] = ranges.get(c.index) ?? [0n, U64_MAX];
    const [clo, chi] = c.op === 'eq' ? [c.value, c.value] : [0n, c.value];
    ranges.set(c.index, [lo > clo ? lo : clo, hi < chi ? hi : chi]);
  }
  for (const [index, [lo, hi]] of ranges) {
    const words = rangeToWords(lo, hi);
    boxes = boxes.flatMap((box) =>
      words.map(([high, low]) => {
        const b = box.slice();
        b[argHigh(index)] = high;
        b[argLow(index)] = low;
        return b;
      }),
    );
  }
  return boxes;
}

function confirm(
  program: readonly Instruction[],
  rules: readonly PolicyRule[],
  box: Box,
  filter: boolean,
): Disagreement {
  const m = boxMember(box);
  const runs = action(runFilter(program, m)) === SECCOMP_RET_ALLOW;
  const table = policyAllows(rules, m.nr, m.arch, m.args);
  if (runs !== filter || table === filter) {
    throw new Error(
      `internal error: the path prover and the interpreter differ at nr ${m.nr} arch 0x${m.arch.toString(16)}`,
    );
  }
  return { nr: m.nr, arch: m.arch, args: m.args, policy: table, filter };
}

const byInput = (a: Disagreement, b: Disagreement): number => {
  if (a.nr !== b.nr) return a.nr - b.nr;
  if (a.arch !== b.arch) return a.arch - b.arch;
  for (let i = 0; i < 6; i++) {
    const x = a.args[i] ?? 0n;
    const y = b.args[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/**
 * Follows every path of the program and compares each with the policy: lists every region of
 * inputs (syscall number, ABI, arguments) where filter and policy disagree, by its smallest input.
 */
export function verifyFilter(bpf: Buffer, rules: readonly PolicyRule[]): Verification {
  const program = decodeProgram(bpf);
  const paths = explorePaths(program);
  const policy = new Map<number, Box[]>();
  for (const rule of rules)
    policy.set(rule.nr, [...(policy.get(rule.nr) ?? []), ...ruleBoxes(rule)]);
  const found = new Map<string, Disagreement>();
  const add = (d: Disagreement) => found.set(`${d.nr} ${d.arch} ${d.args.join(',')}`, d);
  for (const path of paths) {
    const nrs = path.box[WORD_NR] as IntervalSet;
    // Most paths have decided the syscall number: only that number's rules can touch them.
    const candidates = isPoint(nrs)
      ? (policy.get(nrs[0] as number) ?? [])
      : [...policy].filter(([nr]) => contains(nrs, nr)).flatMap(([, boxes]) => boxes);
    const touching = candidates.filter((box) => boxesMeet(path.box, box));
    if (action(path.ret) === SECCOMP_RET_ALLOW) {
      // Allowed inputs the table does not allow: what is left after taking away its boxes.
      let rest: Box[] = [path.box];
      for (const box of touching) rest = rest.flatMap((r) => boxSubtract(r, box));
      for (const r of rest) add(confirm(program, rules, r, true));
    } else {
      for (const box of touching)
        add(confirm(program, rules, boxIntersect(path.box, box) as Box, false));
    }
  }
  return { cases: paths.length, disagreements: [...found.values()].sort(byInput), paths };
}
