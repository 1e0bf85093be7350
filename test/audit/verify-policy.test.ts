// verify-policy.test.ts: the BPF simulator catches a filter that allows more, or less, than its policy.
import { describe, expect, it } from 'vitest';
import {
  action,
  decodeProgram,
  runFilter,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_KILL_PROCESS,
} from '../../src/audit/bpf-sim.js';
import { verifyFilter } from '../../src/audit/verify-policy.js';
import { compileFilter } from '../../src/native/index.js';
import { buildPolicy } from '../../src/policy/rules.js';

const ctx = {
  epollFd: 3,
  timerFd: 4,
  devices: [
    {
      type: 'BLOCK_BASIC' as const,
      name: 'storage',
      hostFd: 5,
      capacity: 1n << 20n,
      blockSize: 512,
    },
  ],
};
const policy = buildPolicy(ctx);
const compile = (rules: typeof policy) =>
  compileFilter(rules.map((r) => ({ syscall: r.syscall, args: r.args })));

describe('BPF simulation against the policy', () => {
  it('finds no disagreement for the filter compiled from the policy', () => {
    const { cases, disagreements } = verifyFilter(compile(policy).bpf, policy);
    expect(cases).toBeGreaterThan(10_000);
    expect(disagreements).toEqual([]);
  });

  it('reports a filter that allows a rule the policy lacks', () => {
    const withoutWrite = policy.filter((r) => r.syscall !== 'pwrite64');
    const { disagreements } = verifyFilter(compile(policy).bpf, withoutWrite);
    expect(disagreements.length).toBeGreaterThan(0);
    expect(disagreements.every((d) => d.nr === 18 && d.filter && !d.policy)).toBe(true);
  });

  it('reports a filter that is looser on an argument than the policy', () => {
    const loose = policy.map((r) =>
      r.syscall === 'pread64' ? { ...r, args: r.args.filter((a) => a.index !== 3) } : r,
    );
    const { disagreements } = verifyFilter(compile(loose).bpf, policy);
    expect(disagreements.some((d) => d.nr === 17 && d.args[3] === (1n << 20n) - 511n)).toBe(true);
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
