// bpf-paths.ts: every path through a seccomp classic-BPF program, each with the exact set of inputs that takes it.
import { NablaError } from '../errors.js';
import { alu, type Instruction } from './bpf-sim.js';
import {
  complement,
  EMPTY,
  FULL,
  type IntervalSet,
  intersect,
  isEmpty,
  isPoint,
  point,
  range,
  U32_MAX,
} from './intervals.js';

/*
 * struct seccomp_data is sixteen 32-bit words, and a seccomp filter can only load whole
 * aligned words of it (the kernel refuses anything else). libseccomp's programs load a word
 * and compare it with constants (JEQ, JGT, JGE), so the inputs that reach an instruction are
 * always a product of one interval set per word: a box. Walking the program with such a box,
 * and splitting it at every conditional jump into the part that jumps and the part that does
 * not, ends in one box per path, each with the value its RET returns. The boxes of all paths
 * partition every possible input: every syscall number, every ABI, every argument value.
 * The cost is the number of paths (about one per rule, plus the ways each fails), not the
 * number of argument values, so a filter for 63 devices takes milliseconds.
 */

/** Word indexes: nr, arch, instruction pointer (low, high), then each argument (low, high). */
export const WORD_NR = 0;
export const WORD_ARCH = 1;
export const WORDS = 16;
export const argLow = (index: number): number => 4 + 2 * index;
export const argHigh = (index: number): number => 5 + 2 * index;

/** One interval set per word of struct seccomp_data. */
export type Box = readonly IntervalSet[];

export const fullBox = (): IntervalSet[] => Array.from({ length: WORDS }, () => FULL);

export interface FilterPath {
  /** Every input that takes this path. */
  box: Box;
  /** The 32-bit value the path's RET returns. */
  ret: number;
  /** Bit w set: the path loaded word w. */
  read: number;
  /**
   * Bit w set: a test on word w was taken both ways without narrowing the box (only with
   * `approximate`; the box then holds inputs the path does not take).
   */
  approx?: number;
}

export interface ExploreOptions {
  /**
   * Follow tests the boxes cannot express (a masked word, JSET over a range: gVisor's and
   * crun's filters have them) both ways instead of refusing: each such path is an upper bound
   * of its inputs. For peers' filters only; nabla's own proof stays exact.
   */
  approximate?: boolean;
}

/** Paths beyond which the prover gives up (libseccomp's programs have a few per rule). */
const MAX_PATHS = 1_000_000;

/**
 * What a register or scratch slot holds: a constant, exactly one word of the input, or a value
 * computed from the input (`words`: bit w set when word w went into it).
 */
type Value = { k: number } | { word: number } | { opaque: string; words: number };

interface State {
  pc: number;
  box: IntervalSet[];
  a: Value;
  x: Value;
  mem: Value[];
  read: number;
  approx: number;
}

const ZERO: Value = { k: 0 };

function unprovable(pc: number, ins: Instruction, why: string): NablaError {
  return new NablaError(
    `the filter cannot be proven: instruction ${pc} (code 0x${ins.code.toString(16)}, k ${ins.k}) ${why}`,
    { code: 'AUDIT_UNPROVABLE' },
  );
}

/** The inputs (of `set`, the word's current domain) for which `word OP k` holds, and the rest. */
function splitWord(op: number, set: IntervalSet, k: number): [IntervalSet, IntervalSet] | null {
  let yes: IntervalSet;
  if (op === 0x10) yes = point(k);
  else if (op === 0x20) yes = k === U32_MAX ? EMPTY : range(k + 1, U32_MAX);
  else if (op === 0x30) yes = range(k, U32_MAX);
  else if (op === 0x40 && k === 0) yes = EMPTY;
  else if (op === 0x40 && isPoint(set)) yes = ((set[0] as number) & k) !== 0 ? set : EMPTY;
  else return null; // JSET over a range is not an interval set
  return [intersect(set, yes), intersect(set, complement(yes))];
}

/** The same split for `k OP word` (the word on the right, from X): swapped comparisons. */
function splitWordRight(
  op: number,
  set: IntervalSet,
  k: number,
): [IntervalSet, IntervalSet] | null {
  if (op === 0x10 || op === 0x40) return splitWord(op, set, k);
  // k > w  <=>  w < k ;  k >= w  <=>  w <= k
  const yes = op === 0x20 ? (k === 0 ? EMPTY : range(0, k - 1)) : range(0, k);
  return [intersect(set, yes), intersect(set, complement(yes))];
}

function load(state: State, pc: number, ins: Instruction): Value {
  const mode = ins.code & 0xe0;
  const size = ins.code & 0x18;
  if (mode === 0x00) return { k: ins.k }; // IMM
  if (mode === 0x60) return state.mem[ins.k & 15] ?? ZERO; // MEM
  if (mode === 0x80) return { k: 64 }; // LEN
  if (mode === 0x20 && size === 0x00 && ins.k % 4 === 0 && ins.k + 4 <= 64) {
    const word = ins.k / 4;
    state.read |= 1 << word;
    return isPoint(state.box[word] as IntervalSet)
      ? { k: (state.box[word] as IntervalSet)[0] as number }
      : { word };
  }
  throw unprovable(pc, ins, 'is a load seccomp does not allow');
}

/**
 * Walks every path of the program. Throws NablaError when the program does something the
 * boxes cannot follow (arithmetic on an input word, comparing two input words, JSET on a
 * range of values, returning an input word), none of which libseccomp's programs do.
 */
export function explorePaths(
  program: readonly Instruction[],
  options: ExploreOptions = {},
): FilterPath[] {
  const paths: FilterPath[] = [];
  const pending: State[] = [
    { pc: 0, box: fullBox(), a: ZERO, x: ZERO, mem: Array(16).fill(ZERO), read: 0, approx: 0 },
  ];
  while (pending.length > 0) {
    const s = pending.pop() as State;
    for (;;) {
      const ins = program[s.pc];
      if (ins === undefined)
        throw new NablaError('the filter cannot be proven: it runs off its end', {
          code: 'AUDIT_UNPROVABLE',
        });
      const cls = ins.code & 0x07;
      if (cls === 0x00 || cls === 0x01) {
        const v = load(s, s.pc, ins);
        if (cls === 0x00) s.a = v;
        else s.x = v;
      } else if (cls === 0x02 || cls === 0x03) {
        s.mem[ins.k & 15] = cls === 0x02 ? s.a : s.x;
      } else if (cls === 0x04) {
        const src = ins.code & 0x08 ? s.x : { k: ins.k };
        s.a =
          'k' in s.a && 'k' in src
            ? { k: alu(ins.code & 0xf0, s.a.k, src.k, s.pc) }
            : { opaque: `arithmetic at instruction ${s.pc}`, words: wordsOf(s.a) | wordsOf(src) };
      } else if (cls === 0x07) {
        if ((ins.code & 0xf8) === 0x00) s.x = s.a;
        else s.a = s.x;
      } else if (cls === 0x06) {
        const v = (ins.code & 0x18) === 0x10 ? s.a : { k: ins.k };
        if (!('k' in v)) throw unprovable(s.pc, ins, 'returns a value computed from the input');
        paths.push(
          s.approx
            ? { box: s.box, ret: v.k >>> 0, read: s.read, approx: s.approx }
            : { box: s.box, ret: v.k >>> 0, read: s.read },
        );
        if (paths.length > MAX_PATHS)
          throw new NablaError(`the filter cannot be proven: more than ${MAX_PATHS} paths`, {
            code: 'AUDIT_UNPROVABLE',
          });
        break;
      } else {
        // cls === 0x05: jumps
        const op = ins.code & 0xf0;
        if (op === 0x00) {
          s.pc += 1 + ins.k;
          continue;
        }
        const taken = branch(s, ins, op);
        if (taken === 'both') continue; // s now follows the fall-through; the other is pending
        s.pc += 1 + (taken ? ins.jt : ins.jf);
        continue;
      }
      s.pc++;
    }
  }
  return paths;

  /** Decides a conditional jump: true/false when one way only, 'both' after splitting s. */
  function branch(s: State, ins: Instruction, op: number): boolean | 'both' {
    const src: Value = ins.code & 0x08 ? s.x : { k: ins.k };
    if (op > 0x40) throw unprovable(s.pc, ins, 'is not a jump seccomp allows');
    if ('k' in s.a && 'k' in src) {
      const a = s.a.k >>> 0;
      const k = src.k >>> 0;
      return op === 0x10 ? a === k : op === 0x20 ? a > k : op === 0x30 ? a >= k : (a & k) !== 0;
    }
    let word: number;
    let split: [IntervalSet, IntervalSet] | null = null;
    if ('word' in s.a && 'k' in src) {
      word = s.a.word;
      split = splitWord(op, s.box[word] as IntervalSet, src.k >>> 0);
    } else if ('k' in s.a && 'word' in src) {
      word = src.word;
      split = splitWordRight(op, s.box[word] as IntervalSet, s.a.k >>> 0);
    } else {
      if (options.approximate) return bothWays(s, ins, wordsOf(s.a) | wordsOf(src));
      throw unprovable(s.pc, ins, 'compares two values computed from the input');
    }
    if (split === null) {
      if (options.approximate) return bothWays(s, ins, 1 << word);
      throw unprovable(s.pc, ins, 'tests bits of a range of input values');
    }
    const [yes, no] = split;
    if (isEmpty(no)) return true;
    if (isEmpty(yes)) return false;
    // The taken side waits; this state goes on with the inputs that fall through.
    const takenBox = s.box.slice();
    takenBox[word] = yes;
    pending.push({
      pc: s.pc + 1 + ins.jt,
      box: takenBox,
      a: narrowed(s.a, word, yes),
      x: narrowed(s.x, word, yes),
      mem: s.mem.map((m) => narrowed(m, word, yes)),
      read: s.read,
      approx: s.approx,
    });
    s.box[word] = no;
    s.a = narrowed(s.a, word, no);
    s.x = narrowed(s.x, word, no);
    s.mem = s.mem.map((m) => narrowed(m, word, no));
    s.pc += 1 + ins.jf;
    return 'both';
  }
  /** A test the boxes cannot express, followed both ways with the box unchanged (approximate). */
  function bothWays(s: State, ins: Instruction, words: number): 'both' {
    s.approx |= words;
    pending.push({ ...s, box: s.box.slice(), mem: s.mem.slice(), pc: s.pc + 1 + ins.jt });
    s.pc += 1 + ins.jf;
    return 'both';
  }
}

/** The input words a value was computed from. */
function wordsOf(v: Value): number {
  return 'word' in v ? 1 << v.word : 'opaque' in v ? v.words : 0;
}

/** A register holding `word` becomes a constant once the word's domain is one value. */
function narrowed(v: Value, word: number, set: IntervalSet): Value {
  return 'word' in v && v.word === word && isPoint(set) ? { k: set[0] as number } : v;
}
