// docker-profile.test.ts: Docker's default profile read once and given as rules, as our compiled BPF and as an OCI linux.seccomp.
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH_X86_64,
  decodeProgram,
  runFilter,
  SECCOMP_RET_ALLOW,
} from '../../src/audit/bpf-sim.js';
import {
  dockerCapabilities,
  dockerFilter,
  dockerOciSeccomp,
  dockerProfile,
  dockerRules,
  parseCondition,
} from '../../src/policy/docker-profile.js';

const SECCOMP_RET_ERRNO_EPERM = 0x00050001;
const NR = { read: 0, clone: 56, unshare: 272, mount: 165, personality: 135 } as const;
const CLONE_NEWNS = 0x00020000n;
const SIGCHLD = 17n;

const verdict = (bpf: Buffer, nr: number, args: bigint[] = []) =>
  runFilter(decodeProgram(bpf), { nr, arch: AUDIT_ARCH_X86_64, args }) >>> 0;

type Syscall = { names: string[]; action: string; args?: Array<Record<string, unknown>> };

describe("Docker's default profile", () => {
  it('is read with its source, count and 14 capabilities', () => {
    const profile = dockerProfile();
    expect(profile.source.repository).toBe('moby/moby');
    expect(profile.count).toBe(new Set(profile.allowed.map((a) => a.name)).size);
    expect(dockerCapabilities()).toHaveLength(14);
    expect(dockerCapabilities()).toContain('CAP_NET_BIND_SERVICE');
  });

  it('reads the conditions of the data file: Docker masked_eq compares the masked value with 0', () => {
    expect(parseCondition('arg0 ne 40')).toEqual([{ index: 0, op: 'ne', value: 40n }]);
    expect(parseCondition('arg0 masked_eq 2114060288')).toEqual([
      { index: 0, op: 'masked_eq', mask: 2114060288n, value: 0n },
    ]);
    expect(parseCondition('arg0 eq 1 && arg2 le 7')).toHaveLength(2);
    expect(() => parseCondition('arg9 eq 1')).toThrow(/cannot read the condition "arg9 eq 1"/);
  });

  it("has one rule per allowed name, one per alternative of personality's five values", () => {
    const rules = dockerRules();
    expect(new Set(rules.map((r) => r.syscall)).size).toBe(298);
    expect(rules.filter((r) => r.syscall === 'personality')).toHaveLength(5);
  });

  it("answers calls outside Docker's profile with EPERM, and keeps its argument conditions", () => {
    const bpf = dockerFilter();
    expect(verdict(bpf, NR.read)).toBe(SECCOMP_RET_ALLOW);
    expect(verdict(bpf, NR.mount)).toBe(SECCOMP_RET_ERRNO_EPERM);
    expect(verdict(bpf, NR.unshare)).toBe(SECCOMP_RET_ERRNO_EPERM);
    expect(verdict(bpf, NR.clone, [SIGCHLD])).toBe(SECCOMP_RET_ALLOW);
    expect(verdict(bpf, NR.clone, [SIGCHLD | CLONE_NEWNS])).toBe(SECCOMP_RET_ERRNO_EPERM);
    expect(verdict(bpf, NR.personality, [0n])).toBe(SECCOMP_RET_ALLOW);
    expect(verdict(bpf, NR.personality, [1n])).toBe(SECCOMP_RET_ERRNO_EPERM);
  });

  it("puts Docker's profile in linux.seccomp: errno EPERM by default, every rule allowed", () => {
    const seccomp = dockerOciSeccomp() as {
      defaultAction: string;
      defaultErrnoRet: number;
      architectures: string[];
      syscalls: Syscall[];
    };
    expect(seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(seccomp.defaultErrnoRet).toBe(1);
    // Docker's architectures: x86_64 and the two ABIs that run on it.
    expect(seccomp.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const entries = seccomp.syscalls;
    expect(entries.every((e) => e.action === 'SCMP_ACT_ALLOW')).toBe(true);
    // One entry per rule with conditions, the others together: as many rules as the data's.
    const plain = entries.filter((e) => e.args === undefined).flatMap((e) => e.names);
    const conditional = entries.filter((e) => e.args !== undefined);
    expect(plain.length + conditional.length).toBe(dockerRules().length);
    expect(new Set([...plain, ...conditional.flatMap((e) => e.names)]).size).toBe(298);
    // clone without namespace flags: (arg0 & mask) == 0, the spec's MASKED_EQ with valueTwo.
    const clone = conditional.find((e) => e.names[0] === 'clone');
    expect(clone?.args).toEqual([
      { index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' },
    ]);
    expect(conditional.filter((e) => e.names[0] === 'personality')).toHaveLength(5);
  });
});
