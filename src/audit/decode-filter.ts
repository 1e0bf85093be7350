// decode-filter.ts: reads back, from the BPF alone, which syscalls a filter allows and under which argument conditions.
import type { ArgCondition, PolicyRule } from '../policy/rules.js';
import { type ArgPiece, argPieces, U64_MAX } from './boxes.js';
import { type Box, WORD_ARCH, WORD_NR } from './bpf-paths.js';
import { AUDIT_ARCH_X86_64, action, SECCOMP_RET_ALLOW } from './bpf-sim.js';
import { contains, type IntervalSet, members } from './intervals.js';
import { type Disagreement, verifyFilter } from './verify-policy.js';

/**
 * A condition read from the filter. `ge` and `half` appear only for filters no policy table
 * here produces (a range with a lower bound; a test of one 32-bit half of an argument).
 */
export interface DecodedCondition {
  index: ArgCondition['index'];
  op: 'eq' | 'le' | 'ge';
  value: bigint;
  half?: 'hi32' | 'lo32';
}

/** One allowed x86_64 syscall: the arguments its paths read, and each allowed combination. */
export interface DecodedSyscall {
  nr: number;
  /** Argument indexes the filter reads on this syscall's paths, or the policy compares. */
  argsVaried: number[];
  /** Alternatives, any of which allows the call; each is a conjunction (empty: always). */
  alternatives: DecodedCondition[][];
}

export interface FilterProof {
  /** Paths through the program (each a region of inputs decided alike). */
  cases: number;
  /** Where filter and policy disagree; empty when the filter is exactly the policy. */
  disagreements: Disagreement[];
  /** What the filter allows on x86_64, decoded from its allowing paths. */
  allowed: DecodedSyscall[];
}

/** Syscall numbers decoded into the allowlist (above every x86_64 number; the proof covers all). */
const MAX_DECODED_NR = 1023;
const WORD = 1n << 32n;

/** Per argument index: its values on one path (null: any). */
type Alternative = Array<ArgPiece | null>;

const pieceKey = (p: ArgPiece | null): string =>
  p === null ? '*' : p.kind === 'range' ? `${p.lo}-${p.hi}` : `h${p.high}l${p.low}`;

/** Every alternative one allowing path stands for (one unless an argument is several ranges). */
function pathAlternatives(box: Box): Alternative[] {
  let out: Alternative[] = [[]];
  for (let i = 0; i < 6; i++) {
    const pieces = argPieces(box, i);
    const choices: Array<ArgPiece | null> = pieces.length > 0 ? pieces : [null];
    out = out.flatMap((alt) => choices.map((c) => [...alt, c]));
  }
  return out;
}

/**
 * A 64-bit comparison reaches BPF as two paths split at a high word: `a3 <= 8 GiB` is "high
 * word below 2" and "high word 2, low word 0". Two ranges that meet at a high-word boundary,
 * one of them whole high words, are joined again; ranges that merely touch (two constants
 * side by side) are not, so that each table rule keeps its own alternative.
 */
function joinable(lower: { lo: bigint; hi: bigint }, upper: { lo: bigint; hi: bigint }): boolean {
  if (lower.hi + 1n !== upper.lo || upper.lo % WORD !== 0n) return false;
  const whole = (r: { lo: bigint; hi: bigint }) => r.lo % WORD === 0n && (r.hi + 1n) % WORD === 0n;
  return whole(lower) || whole(upper);
}

function mergeAlternatives(alternatives: Alternative[]): Alternative[] {
  let alts = [...new Map(alternatives.map((a) => [a.map(pieceKey).join('|'), a])).values()];
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < 6; i++) {
      const groups = new Map<string, Alternative[]>();
      const kept: Alternative[] = [];
      for (const alt of alts) {
        const piece = alt[i];
        if (piece?.kind !== 'range') {
          kept.push(alt);
          continue;
        }
        const key = alt.map((p, j) => (j === i ? '' : pieceKey(p))).join('|');
        groups.set(key, [...(groups.get(key) ?? []), alt]);
      }
      for (const group of groups.values()) {
        const lo = (a: Alternative) => (a[i] as { lo: bigint }).lo;
        group.sort((a, b) => (lo(a) < lo(b) ? -1 : lo(a) > lo(b) ? 1 : 0));
        let current = group[0] as Alternative;
        for (const next of group.slice(1)) {
          const [a, b] = [current[i], next[i]] as Array<{ kind: 'range'; lo: bigint; hi: bigint }>;
          if (a && b && joinable(a, b)) {
            const hi = b.hi;
            current = current.map((p, j) =>
              j === i
                ? a.lo === 0n && hi === U64_MAX
                  ? null
                  : { kind: 'range', lo: a.lo, hi }
                : p,
            );
            changed = true;
          } else {
            kept.push(current);
            current = next;
          }
        }
        kept.push(current);
      }
      alts = kept;
    }
  }
  return alts;
}

/** A range of one argument (or of one half, up to `max`) as eq, le, ge, or ge and le. */
function rangeConditions(
  index: ArgCondition['index'],
  lo: bigint,
  hi: bigint,
  max: bigint,
  half?: 'hi32' | 'lo32',
): DecodedCondition[] {
  const c = (op: DecodedCondition['op'], value: bigint): DecodedCondition =>
    half ? { index, op, value, half } : { index, op, value };
  if (lo === 0n && hi === max) return [];
  if (lo === hi) return [c('eq', lo)];
  if (lo === 0n) return [c('le', hi)];
  if (hi === max) return [c('ge', lo)];
  return [c('ge', lo), c('le', hi)];
}

function toConditions(alt: Alternative): DecodedCondition[] {
  return alt.flatMap((p, i) => {
    const index = i as ArgCondition['index'];
    if (p === null) return [];
    if (p.kind === 'range') return rangeConditions(index, p.lo, p.hi, U64_MAX);
    const max32 = WORD - 1n;
    return [
      ...rangeConditions(index, BigInt(p.high[0]), BigInt(p.high[1]), max32, 'hi32'),
      ...rangeConditions(index, BigInt(p.low[0]), BigInt(p.low[1]), max32, 'lo32'),
    ];
  });
}

function compareAlternatives(a: DecodedCondition[], b: DecodedCondition[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as DecodedCondition;
    const y = b[i] as DecodedCondition;
    if (x.index !== y.index) return x.index - y.index;
    if ((x.half ?? '') !== (y.half ?? '')) return (x.half ?? '') < (y.half ?? '') ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
    if (x.op !== y.op) return x.op < y.op ? -1 : 1;
  }
  return a.length - b.length;
}

/** Argument indexes whose words the `read` bit mask of a path includes. */
const argsRead = (read: number): number[] =>
  [0, 1, 2, 3, 4, 5].filter((i) => (read >> (4 + 2 * i)) & 3);

/**
 * Follows every path of the program (verifyFilter), compares it with the policy, and
 * decodes what it allows on x86_64 from its allowing paths.
 */
export function proveFilter(bpf: Buffer, rules: readonly PolicyRule[]): FilterProof {
  const { cases, disagreements, paths } = verifyFilter(bpf, rules);
  const byNr = new Map<number, { boxes: Box[]; varied: Set<number> }>();
  const x86 = paths.filter((p) => contains(p.box[WORD_ARCH] as IntervalSet, AUDIT_ARCH_X86_64));
  for (const path of x86) {
    if (action(path.ret) !== SECCOMP_RET_ALLOW) continue;
    for (const nr of members(path.box[WORD_NR] as IntervalSet, 0, MAX_DECODED_NR)) {
      const entry = byNr.get(nr) ?? { boxes: [], varied: new Set<number>() };
      entry.boxes.push(path.box);
      byNr.set(nr, entry);
    }
  }
  // The arguments read on the way to a decision, allowing or not, and those the table compares.
  for (const path of x86) {
    const read = argsRead(path.read);
    if (read.length === 0) continue;
    for (const nr of members(path.box[WORD_NR] as IntervalSet, 0, MAX_DECODED_NR))
      for (const i of read) byNr.get(nr)?.varied.add(i);
  }
  for (const rule of rules) for (const c of rule.args) byNr.get(rule.nr)?.varied.add(c.index);
  const allowed: DecodedSyscall[] = [...byNr]
    .sort((a, b) => a[0] - b[0])
    .map(([nr, entry]) => ({
      nr,
      argsVaried: [...entry.varied].sort((a, b) => a - b),
      alternatives: mergeAlternatives(entry.boxes.flatMap(pathAlternatives))
        .map(toConditions)
        .sort(compareAlternatives),
    }));
  return { cases, disagreements, allowed };
}

/** A canonical text for a conjunction, to match decoded alternatives with policy rules. */
export function conditionKey(conditions: readonly (ArgCondition | DecodedCondition)[]): string {
  return [...conditions]
    .map((c) => (c.op === 'le' && c.value === 0n ? { ...c, op: 'eq' as const } : c))
    .sort((a, b) => a.index - b.index)
    .map((c) => {
      const half = 'half' in c && c.half ? `.${c.half}` : '';
      return `a${c.index}${half} ${c.op} ${c.value}`;
    })
    .join(' && ');
}
