// intervals.ts: sets of unsigned 32-bit values as sorted, disjoint intervals: the domains the path prover splits.

/** [lo0, hi0, lo1, hi1, ...]: inclusive bounds, ascending, neither overlapping nor touching. */
export type IntervalSet = readonly number[];

export const U32_MAX = 0xffffffff;

export const FULL: IntervalSet = [0, U32_MAX];
export const EMPTY: IntervalSet = [];

export const point = (v: number): IntervalSet => [v, v];

/** [lo, hi], or empty when lo > hi. */
export const range = (lo: number, hi: number): IntervalSet => (lo > hi ? EMPTY : [lo, hi]);

export const isEmpty = (s: IntervalSet): boolean => s.length === 0;
export const isFull = (s: IntervalSet): boolean => s.length === 2 && s[0] === 0 && s[1] === U32_MAX;
export const isPoint = (s: IntervalSet): boolean => s.length === 2 && s[0] === s[1];

/** The smallest member (the set must not be empty). */
export function min(s: IntervalSet): number {
  if (s.length === 0) throw new Error('min of an empty interval set');
  return s[0] as number;
}

export function contains(s: IntervalSet, v: number): boolean {
  for (let i = 0; i < s.length; i += 2) {
    if (v < (s[i] as number)) return false;
    if (v <= (s[i + 1] as number)) return true;
  }
  return false;
}

/** How many values the set holds (exact: at most 2^32). */
export function size(s: IntervalSet): number {
  let n = 0;
  for (let i = 0; i < s.length; i += 2) n += (s[i + 1] as number) - (s[i] as number) + 1;
  return n;
}

/** Appends [lo, hi] to a set under construction, joining it to a touching last interval. */
function push(out: number[], lo: number, hi: number): void {
  const last = out.length - 1;
  if (last > 0 && (out[last] as number) + 1 >= lo) out[last] = Math.max(out[last] as number, hi);
  else out.push(lo, hi);
}

export function intersect(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i] as number, b[j] as number);
    const hi = Math.min(a[i + 1] as number, b[j + 1] as number);
    if (lo <= hi) push(out, lo, hi);
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return out;
}

/** Whether a and b share a value (as !isEmpty(intersect(a, b)), without building it). */
export function meets(a: IntervalSet, b: IntervalSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (
      Math.max(a[i] as number, b[j] as number) <= Math.min(a[i + 1] as number, b[j + 1] as number)
    )
      return true;
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return false;
}

export function union(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const takeA = j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number));
    if (takeA) {
      push(out, a[i] as number, a[i + 1] as number);
      i += 2;
    } else {
      push(out, b[j] as number, b[j + 1] as number);
      j += 2;
    }
  }
  return out;
}

export function complement(s: IntervalSet): IntervalSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < s.length; i += 2) {
    if ((s[i] as number) > next) out.push(next, (s[i] as number) - 1);
    next = (s[i + 1] as number) + 1;
  }
  if (next <= U32_MAX) out.push(next, U32_MAX);
  return out;
}

export const subtract = (a: IntervalSet, b: IntervalSet): IntervalSet =>
  intersect(a, complement(b));

export function equals(a: IntervalSet, b: IntervalSet): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** a ⊆ b. */
export const isSubset = (a: IntervalSet, b: IntervalSet): boolean => equals(intersect(a, b), a);

/** The members of `s` that lie in [lo, hi], one by one (for small ranges only). */
export function* members(s: IntervalSet, lo: number, hi: number): Generator<number> {
  for (let i = 0; i < s.length; i += 2) {
    const from = Math.max(s[i] as number, lo);
    const to = Math.min(s[i + 1] as number, hi);
    for (let v = from; v <= to; v++) yield v;
  }
}

/** The intervals as [lo, hi] pairs. */
export function pairs(s: IntervalSet): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.length; i += 2) out.push([s[i] as number, s[i + 1] as number]);
  return out;
}
