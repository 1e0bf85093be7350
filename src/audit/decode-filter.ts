// decode-filter.ts: reads back, from the BPF alone, which syscalls a filter allows and under which argument conditions.
import type { ArgCondition, PolicyRule } from '../policy/rules.js';
import { AUDIT_ARCH_X86_64, decodeProgram, X32_SYSCALL_BIT } from './bpf-sim.js';
import { type Disagreement, probeValues, verifyFilter } from './verify-policy.js';

/** A condition found by simulation: `le` when the filter allows every probe up to a bound. */
export type DecodedCondition = ArgCondition;

/** One allowed x86_64 syscall: the arguments the simulation varied, and each allowed combination. */
export interface DecodedSyscall {
  nr: number;
  /** Argument indexes varied over the probe values: those the program reads or the policy compares. */
  argsVaried: number[];
  /** Alternatives, any of which allows the call; each is a conjunction (empty: always). */
  alternatives: DecodedCondition[][];
}

export interface FilterProof {
  /** Cases the simulation evaluated (every syscall number, ABI and probe combination). */
  cases: number;
  /** Where filter and policy disagree; empty when the filter is exactly the policy. */
  disagreements: Disagreement[];
  /** What the filter allows on x86_64, decoded from the simulation's allowing cases. */
  allowed: DecodedSyscall[];
}

interface Collected {
  varied: string;
  argsVaried: number[];
  vectors: bigint[][];
}

/** Values the program or the policy compare with exactly (not the neighbours probed around them). */
function exactConstants(bpf: Buffer, rules: readonly PolicyRule[]): Set<bigint> {
  const exact = new Set<bigint>();
  for (const rule of rules) for (const c of rule.args) exact.add(c.value);
  for (const ins of decodeProgram(bpf)) {
    // Conditional jumps against a constant (JEQ/JGT/JGE/JSET with K): the filter's own values.
    if ((ins.code & 0x07) === 0x05 && (ins.code & 0x08) === 0 && (ins.code & 0xf0) !== 0) {
      exact.add(BigInt(ins.k));
      exact.add(BigInt(ins.k) << 32n);
    }
  }
  return exact;
}

/**
 * The condition(s) on one argument that let exactly `values` (of all `probes`) through:
 * none when every probe passes; equalities when the values are constants the filter names;
 * `le` when they are every probe up to a bound; equalities otherwise.
 */
function summarize(
  index: ArgCondition['index'],
  values: bigint[],
  probes: readonly bigint[],
  exact: ReadonlySet<bigint>,
): Array<DecodedCondition | null> {
  if (values.length === probes.length) return [null];
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const eqs = sorted.map((value) => ({ index, op: 'eq' as const, value }));
  if (sorted.length === 1 || sorted.every((v) => exact.has(v))) return eqs;
  const max = sorted[sorted.length - 1] as bigint;
  const below = probes.filter((p) => p <= max).length;
  return below === sorted.length ? [{ index, op: 'le', value: max }] : eqs;
}

const keyOf = (alternatives: DecodedCondition[][]): string =>
  alternatives.map((alt) => alt.map((c) => `${c.index}${c.op}${c.value}`).join(',')).join('|');

/** Describes a set of allowing vectors (a union of probe products) as alternatives, index by index. */
function describe(
  vectors: readonly bigint[][],
  indexes: readonly number[],
  probes: readonly bigint[],
  exact: ReadonlySet<bigint>,
): DecodedCondition[][] {
  if (vectors.length === 0) return [];
  const [index, ...rest] = indexes;
  if (index === undefined) return [[]];
  const byValue = new Map<bigint, bigint[][]>();
  for (const v of vectors) {
    const value = v[index] ?? 0n;
    const same = byValue.get(value);
    if (same) same.push(v);
    else byValue.set(value, [v]);
  }
  // Values whose remaining conditions are the same share one condition on this index.
  const groups = new Map<string, { values: bigint[]; rest: DecodedCondition[][] }>();
  for (const [value, subset] of byValue) {
    const restAlts = describe(subset, rest, probes, exact);
    const key = keyOf(restAlts);
    const group = groups.get(key) ?? { values: [], rest: restAlts };
    group.values.push(value);
    groups.set(key, group);
  }
  const out: DecodedCondition[][] = [];
  for (const group of groups.values()) {
    const i = index as ArgCondition['index'];
    for (const cond of summarize(i, group.values, probes, exact)) {
      for (const alt of group.rest) out.push(cond ? [cond, ...alt] : alt);
    }
  }
  return out;
}

function compareAlternatives(a: DecodedCondition[], b: DecodedCondition[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as DecodedCondition;
    const y = b[i] as DecodedCondition;
    if (x.index !== y.index) return x.index - y.index;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
    if (x.op !== y.op) return x.op < y.op ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Simulates the program for every syscall number, ABI and probe combination (verifyFilter),
 * compares it with the policy both ways, and decodes what it allows on x86_64.
 */
export function proveFilter(bpf: Buffer, rules: readonly PolicyRule[]): FilterProof {
  const collected = new Map<number, Collected>();
  const { cases, disagreements, probes } = verifyFilter(bpf, rules, (c) => {
    if (c.arch !== AUDIT_ARCH_X86_64 || (c.nr & X32_SYSCALL_BIT) !== 0) return;
    const varied = [...c.varied].sort((a, b) => a - b);
    const key = varied.join(',');
    let entry = collected.get(c.nr);
    // A later round varies more arguments: only the widest round describes the syscall.
    if (!entry || entry.varied !== key) {
      entry = { varied: key, argsVaried: varied, vectors: [] };
      collected.set(c.nr, entry);
    }
    if (c.allowed) entry.vectors.push([...c.args]);
  });
  const probeSet = [
    ...new Set(probes.length > 0 ? probes : probeValues(decodeProgram(bpf), rules)),
  ];
  const exact = exactConstants(bpf, rules);
  const allowed: DecodedSyscall[] = [];
  for (const [nr, entry] of [...collected].sort((a, b) => a[0] - b[0])) {
    if (entry.vectors.length === 0) continue;
    const alternatives = describe(entry.vectors, entry.argsVaried, probeSet, exact).sort(
      compareAlternatives,
    );
    allowed.push({ nr, argsVaried: entry.argsVaried, alternatives });
  }
  return { cases, disagreements, allowed };
}

/** A canonical text for a conjunction, to match decoded alternatives with policy rules. */
export function conditionKey(conditions: readonly ArgCondition[]): string {
  return [...conditions]
    .map((c) => (c.op === 'le' && c.value === 0n ? { ...c, op: 'eq' as const } : c))
    .sort((a, b) => a.index - b.index)
    .map((c) => `a${c.index} ${c.op} ${c.value}`)
    .join(' && ');
}
