// verify-policy.test.ts: the path prover catches a filter that allows more, or less, than its policy, over every input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rangeToWords } from '../../src/audit/boxes.js';
import { argHigh, argLow, explorePaths, WORD_ARCH, WORD_NR } from '../../src/audit/bpf-paths.js';
import {
  AUDIT_ARCH_I386,
  AUDIT_ARCH_X86_64,
  action,
  decodeProgram,
  runFilter,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_KILL_PROCESS,
} from '../../src/audit/bpf-sim.js';
import { contains } from '../../src/audit/intervals.js';
import { verifyFilter } from '../../src/audit/verify-policy.js';
import { block } from '../../src/devices/block.js';
import { compileFilter } from '../../src/native/index.js';
import { buildPolicy, type PolicyContext, type PolicyRule } from '../../src/policy/rules.js';
import { bpf, LD, RET } from './bpf-asm.js';

const ctx = {
  epollFd: 3,
  timerFd: 4,
  devices: [
    {
      kind: block,
      name: 'storage',
      hostFd: 5,
      capacity: 1n << 20n,
      blockSize: 512,
    },
  ],
};
const policy = buildPolicy(ctx);
const compile = (rules: readonly PolicyRule[]) =>
  compileFilter(rules.map((r) => ({ syscall: r.syscall, args: r.args })));

const blocks = (n: number, capacity: (i: number) => bigint): PolicyContext => ({
  epollFd: 3,
  timerFd: 4,
  devices: Array.from({ length: n }, (_, i) => ({
    kind: block,
    name: `storage${i}`,
    hostFd: 5 + i,
    capacity: capacity(i),
    blockSize: 512,
  })),
});

describe('path proof against the policy', () => {
  it('finds no disagreement for the filter compiled from the policy', () => {
    const { cases, disagreements } = verifyFilter(compile(policy).bpf, policy);
    expect(cases).toBeGreaterThan(10);
    expect(disagreements).toEqual([]);
  });

  it('partitions every input: each lies on exactly one path, which decides it as the interpreter does', () => {
    const program = decodeProgram(compile(policy).bpf);
    const paths = explorePaths(program);
    const near = [0n, 1n, 3n, 4n, 5n, 6n, 511n, 512n, 513n, (1n << 20n) - 512n, (1n << 20n) - 511n];
    const arg = fc.oneof(
      fc.constantFrom(...near, 1n << 32n, (1n << 32n) | 5n, (1n << 64n) - 1n),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    );
    const input = fc.record({
      nr: fc.oneof(
        fc.constantFrom(0, 1, 17, 18, 39, 228, 231, 232, 281, 286, 0x40000001, 0x40000011),
        fc.integer({ min: 0, max: 0xffffffff }),
      ),
      arch: fc.oneof(
        fc.constantFrom(AUDIT_ARCH_X86_64, AUDIT_ARCH_I386),
        fc.integer({ min: 0, max: 0xffffffff }),
      ),
      args: fc.array(arg, { minLength: 6, maxLength: 6 }),
    });
    fc.assert(
      fc.property(input, ({ nr, arch, args }) => {
        const word = (i: number, high: boolean) =>
          Number(high ? (args[i] as bigint) >> 32n : (args[i] as bigint) & 0xffffffffn);
        const holding = paths.filter(
          (p) =>
            contains(p.box[WORD_NR] ?? [], nr) &&
            contains(p.box[WORD_ARCH] ?? [], arch) &&
            [0, 1, 2, 3, 4, 5].every(
              (i) =>
                contains(p.box[argLow(i)] ?? [], word(i, false)) &&
                contains(p.box[argHigh(i)] ?? [], word(i, true)),
            ),
        );
        expect(holding).toHaveLength(1);
        expect(action(holding[0]?.ret ?? 0)).toBe(action(runFilter(program, { nr, arch, args })));
      }),
      { numRuns: 3000 },
    );
  });

  it('reports a filter that allows a rule the policy lacks', () => {
    const withoutWrite = policy.filter((r) => r.syscall !== 'pwrite64');
    const { disagreements } = verifyFilter(compile(policy).bpf, withoutWrite);
    expect(disagreements.length).toBeGreaterThan(0);
    expect(disagreements.every((d) => d.nr === 18 && d.filter && !d.policy)).toBe(true);
  });

  it('reports a filter that is looser on an argument than the policy, at the first value past the bound', () => {
    const loose = policy.map((r) =>
      r.syscall === 'pread64' ? { ...r, args: r.args.filter((a) => a.index !== 3) } : r,
    );
    const { disagreements } = verifyFilter(compile(loose).bpf, policy);
    expect(disagreements.some((d) => d.nr === 17 && d.args[3] === (1n << 20n) - 511n)).toBe(true);
    // And past the low word: an offset with its high half set.
    expect(disagreements.some((d) => d.nr === 17 && d.args[3] === 1n << 32n)).toBe(true);
    expect(disagreements.every((d) => d.nr === 17 && d.filter && !d.policy)).toBe(true);
  });

  it("reports one device's bound given to another: each descriptor is proven with its own offsets", () => {
    const rules = buildPolicy(blocks(63, (i) => BigInt(4096 * (i + 1))));
    // Device 40 (fd 45) gets device 41's larger capacity in the filter.
    const swapped = rules.map((r) =>
      r.syscall === 'pwrite64' && r.args[0]?.value === 45n
        ? { ...r, args: r.args.map((a) => (a.index === 3 ? { ...a, value: a.value + 4096n } : a)) }
        : r,
    );
    const { disagreements } = verifyFilter(compile(swapped).bpf, rules);
    const bound = BigInt(4096 * 41 - 512);
    expect(disagreements).toEqual([
      {
        nr: 18,
        arch: AUDIT_ARCH_X86_64,
        args: [45n, 0n, 512n, bound + 1n, 0n, 0n],
        policy: false,
        filter: true,
      },
    ]);
  });

  it('reports a filter that is tighter than the policy', () => {
    const tight = policy.filter((r) => !(r.syscall === 'clock_gettime' && r.args[0]?.value === 1n));
    const { disagreements } = verifyFilter(compile(tight).bpf, policy);
    expect(disagreements).toEqual([
      {
        nr: 228,
        arch: AUDIT_ARCH_X86_64,
        args: [1n, 0n, 0n, 0n, 0n, 0n],
        policy: true,
        filter: false,
      },
    ]);
  });

  it('covers every syscall number, not only the x86_64 table: an allowed number 1000 is found', () => {
    // ld arch; jeq x86_64 else kill; ld nr; jeq 1000 else kill; allow
    const program = bpf([
      LD(4),
      [0x15, 0, 3, AUDIT_ARCH_X86_64],
      LD(0),
      [0x15, 0, 1, 1000],
      RET(SECCOMP_RET_ALLOW),
      RET(SECCOMP_RET_KILL_PROCESS),
    ]);
    const { disagreements } = verifyFilter(program, []);
    expect(disagreements).toEqual([
      {
        nr: 1000,
        arch: AUDIT_ARCH_X86_64,
        args: [0n, 0n, 0n, 0n, 0n, 0n],
        policy: false,
        filter: true,
      },
    ]);
  });

  it('finds a filter that compares only the low half of an argument', () => {
    // write(a0 == 1) tested as "low word of a0 is 1": a0 = 2^32 + 1 gets through.
    const program = bpf([
      LD(4),
      [0x15, 0, 5, AUDIT_ARCH_X86_64],
      LD(0),
      [0x15, 0, 3, 1],
      LD(16),
      [0x15, 0, 1, 1],
      RET(SECCOMP_RET_ALLOW),
      RET(SECCOMP_RET_KILL_PROCESS),
    ]);
    const write = policy.filter((r) => r.syscall === 'write');
    const { disagreements } = verifyFilter(program, write);
    expect(disagreements).toEqual([
      {
        nr: 1,
        arch: AUDIT_ARCH_X86_64,
        args: [(1n << 32n) | 1n, 0n, 0n, 0n, 0n, 0n],
        policy: false,
        filter: true,
      },
    ]);
  });

  it('finds a filter that does not check the architecture', () => {
    const program = bpf([
      LD(0),
      [0x15, 0, 1, 39],
      RET(SECCOMP_RET_ALLOW),
      RET(SECCOMP_RET_KILL_PROCESS),
    ]);
    const getpid: PolicyRule[] = [{ syscall: 'getpid', nr: 39, args: [], reason: 'test' }];
    const { disagreements } = verifyFilter(program, getpid);
    expect(disagreements.length).toBeGreaterThan(0);
    expect(disagreements[0]).toMatchObject({
      nr: 39,
      arch: AUDIT_ARCH_I386,
      filter: true,
      policy: false,
    });
  });

  it('refuses, in one line, a program it cannot follow', () => {
    // jset over the whole range of nr: not an interval set.
    const program = bpf([
      LD(0),
      [0x45, 0, 1, 1],
      RET(SECCOMP_RET_ALLOW),
      RET(SECCOMP_RET_KILL_PROCESS),
    ]);
    expect(() => verifyFilter(program, [])).toThrow(
      /^the filter cannot be proven: instruction 1 \(code 0x45, k 1\) tests bits of a range/,
    );
  });

  it('follows a number of paths that grows linearly with the devices', () => {
    const paths = (n: number) =>
      verifyFilter(
        compile(buildPolicy(blocks(n, (i) => BigInt(4096 * (i + 1))))).bpf,
        buildPolicy(blocks(n, (i) => BigInt(4096 * (i + 1)))),
      );
    const [p16, p63] = [paths(16), paths(63)];
    expect(p16.disagreements).toEqual([]);
    expect(p63.disagreements).toEqual([]);
    // Two rules (pread64, pwrite64) per device, a handful of paths each.
    const perDevice = (p63.cases - p16.cases) / (63 - 16);
    expect(perDevice).toBeGreaterThan(2);
    expect(perDevice).toBeLessThan(20);
  });

  it('turns a 64-bit range into word boxes that hold exactly its values', () => {
    const edge = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc
        .tuple(fc.integer({ min: 0, max: 4 }), fc.constantFrom(0n, 1n, 0xfffffffen, 0xffffffffn))
        .map(([h, l]) => (BigInt(h) << 32n) | l),
    );
    fc.assert(
      fc.property(edge, edge, edge, (a, b, v) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const words = rangeToWords(lo, hi);
        const inside = words.some(
          ([high, low]) =>
            contains(high, Number(v >> 32n)) && contains(low, Number(v & 0xffffffffn)),
        );
        expect(inside).toBe(v >= lo && v <= hi);
        expect(words.length).toBeLessThanOrEqual(3);
      }),
      { numRuns: 3000 },
    );
  });

  it('decides the cases that matter as the kernel would', () => {
    const program = decodeProgram(compile(policy).bpf);
    const X86_64 = 0xc000003e;
    expect(action(runFilter(program, { nr: 1, arch: X86_64, args: [1n, 0n, 5n] }))).toBe(
      SECCOMP_RET_ALLOW,
    );
    expect(action(runFilter(program, { nr: 1, arch: X86_64, args: [2n, 0n, 5n] }))).toBe(
      SECCOMP_RET_KILL_PROCESS,
    );
    expect(
      action(
        runFilter(program, { nr: 17, arch: X86_64, args: [5n, 0n, 512n, (1n << 20n) - 512n] }),
      ),
    ).toBe(SECCOMP_RET_ALLOW);
    expect(
      action(runFilter(program, { nr: 17, arch: X86_64, args: [5n, 0n, 512n, 1n << 20n] })),
    ).toBe(SECCOMP_RET_KILL_PROCESS);
    expect(action(runFilter(program, { nr: 17, arch: X86_64, args: [5n, 0n, 512n, -512n] }))).toBe(
      SECCOMP_RET_KILL_PROCESS,
    );
    expect(action(runFilter(program, { nr: 1, arch: 0x40000003, args: [1n] }))).toBe(
      SECCOMP_RET_KILL_PROCESS,
    );
  });
});
