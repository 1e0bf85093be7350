// boxes.ts: products of per-word interval sets over struct seccomp_data: intersection, difference, a member, 64-bit ranges.

import { argHigh, argLow, type Box, WORD_ARCH, WORD_NR, WORDS } from './bpf-paths.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64 } from './bpf-sim.js';
import {
  contains,
  FULL,
  type IntervalSet,
  intersect,
  isEmpty,
  isFull,
  isPoint,
  isSubset,
  meets,
  min,
  pairs,
  point,
  range,
  size,
  subtract,
  U32_MAX,
} from './intervals.js';

export const U64_MAX = (1n << 64n) - 1n;
const WORD = 1n << 32n;

/** Whether a and b share an input; the argument words first, where rules for one syscall differ. */
export function boxesMeet(a: Box, b: Box): boolean {
  for (let w = WORDS - 1; w >= 0; w--)
    if (!meets(a[w] as IntervalSet, b[w] as IntervalSet)) return false;
  return true;
}

/** a ∩ b, or null when they share no input. */
export function boxIntersect(a: Box, b: Box): Box | null {
  const out: IntervalSet[] = [];
  for (let w = 0; w < WORDS; w++) {
    const s = intersect(a[w] as IntervalSet, b[w] as IntervalSet);
    if (isEmpty(s)) return null;
    out.push(s);
  }
  return out;
}

/** a ∖ b as disjoint boxes (at most one per word where a sticks out of b). */
export function boxSubtract(a: Box, b: Box): Box[] {
  if (boxIntersect(a, b) === null) return [a];
  const pieces: Box[] = [];
  const rest = a.slice();
  for (let w = 0; w < WORDS; w++) {
    const mine = rest[w] as IntervalSet;
    const theirs = b[w] as IntervalSet;
    if (isSubset(mine, theirs)) continue;
    const outside = subtract(mine, theirs);
    const piece = rest.slice();
    piece[w] = outside;
    pieces.push(piece);
    rest[w] = intersect(mine, theirs);
  }
  return pieces;
}

/**
 * One input of a box, as a witness: the smallest value of each word, except the architecture,
 * which is x86_64 or else i386 where the box holds them (a real ABI reads better than 0).
 */
export function boxMember(box: Box): { nr: number; arch: number; ip: bigint; args: bigint[] } {
  const word = (w: number) => BigInt(min(box[w] as IntervalSet));
  const arches = box[WORD_ARCH] as IntervalSet;
  const arch = [AUDIT_ARCH_X86_64, AUDIT_ARCH_I386].find((a) => contains(arches, a)) ?? min(arches);
  return {
    nr: min(box[WORD_NR] as IntervalSet),
    arch,
    ip: (word(3) << 32n) | word(2),
    args: [0, 1, 2, 3, 4, 5].map((i) => (word(argHigh(i)) << 32n) | word(argLow(i))),
  };
}

/**
 * The 64-bit range [lo, hi] of one argument as (high word, low word) pairs whose union is
 * exactly that range: up to three (the first high word's tail, whole high words, the last
 * high word's head), fewer when the ends fall on word boundaries.
 */
export function rangeToWords(lo: bigint, hi: bigint): Array<[IntervalSet, IntervalSet]> {
  if (lo > hi) return [];
  const [lh, ll] = [Number(lo >> 32n), Number(lo & (WORD - 1n))];
  const [hh, hl] = [Number(hi >> 32n), Number(hi & (WORD - 1n))];
  if (lh === hh) return [[point(lh), range(ll, hl)]];
  const out: Array<[IntervalSet, IntervalSet]> = [];
  const firstWhole = ll === 0 ? lh : lh + 1;
  const lastWhole = hl === U32_MAX ? hh : hh - 1;
  if (ll !== 0) out.push([point(lh), range(ll, U32_MAX)]);
  if (firstWhole <= lastWhole) out.push([range(firstWhole, lastWhole), FULL]);
  if (hl !== U32_MAX) out.push([point(hh), range(0, hl)]);
  return out;
}

/** One argument's values in a box, read as 64-bit numbers. */
export type ArgPiece =
  | { kind: 'range'; lo: bigint; hi: bigint }
  /** Not a union of a few 64-bit ranges: the two halves' ranges, each of any value of the other. */
  | { kind: 'halves'; high: [number, number]; low: [number, number] };

/** High words with fewer distinct values than this are spelled out as 64-bit ranges. */
const SPELLED_HIGH_WORDS = 8;

/**
 * The values of argument `index` in `box` as 64-bit ranges (merged where they touch), or as
 * per-half ranges when the box's product of high and low words is no short list of ranges.
 * An empty list means any value.
 */
export function argPieces(box: Box, index: number): ArgPiece[] {
  const high = box[argHigh(index)] as IntervalSet;
  const low = box[argLow(index)] as IntervalSet;
  if (isFull(high) && isFull(low)) return [];
  const ranges: Array<[bigint, bigint]> = [];
  if (isFull(low)) {
    for (const [a, b] of pairs(high))
      ranges.push([BigInt(a) << 32n, (BigInt(b) << 32n) | 0xffffffffn]);
  } else if (isPoint(high) || size(high) <= SPELLED_HIGH_WORDS) {
    for (const [a, b] of pairs(high))
      for (let h = a; h <= b; h++)
        for (const [l1, l2] of pairs(low))
          ranges.push([(BigInt(h) << 32n) | BigInt(l1), (BigInt(h) << 32n) | BigInt(l2)]);
  } else {
    const out: ArgPiece[] = [];
    for (const h of pairs(high))
      for (const l of pairs(low)) out.push({ kind: 'halves', high: h, low: l });
    return out;
  }
  const merged: Array<[bigint, bigint]> = [];
  for (const [a, b] of ranges) {
    const last = merged[merged.length - 1];
    if (last && last[1] + 1n === a) last[1] = b;
    else merged.push([a, b]);
  }
  return merged.map(([lo, hi]) => ({ kind: 'range', lo, hi }));
}
