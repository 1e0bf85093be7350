// seccomp-default-action.test.ts: compileFilter's defaultAction: kill by default, or an errno (Docker's EPERM).
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH_I386,
  AUDIT_ARCH_X86_64,
  decodeProgram,
  runFilter,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_KILL_PROCESS,
} from '../../src/audit/bpf-sim.js';
import { compileFilter, type FilterRule } from '../../src/native/index.js';

const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const NR = { write: 1, getpid: 39, mount: 165 } as const;

const RULES: FilterRule[] = [
  { syscall: 'write', args: [{ index: 0, op: 'eq', value: 1n }] },
  { syscall: 'getpid', args: [] },
];

/** The action the compiled filter returns for one call. */
function verdict(bpf: Buffer, nr: number, args: bigint[] = [], arch = AUDIT_ARCH_X86_64): number {
  return runFilter(decodeProgram(bpf), { nr, arch, args }) >>> 0;
}

describe('compileFilter defaultAction', () => {
  it('kills the process by default, and with kill-process given', () => {
    for (const bpf of [
      compileFilter(RULES).bpf,
      compileFilter(RULES, { defaultAction: 'kill-process' }).bpf,
    ]) {
      expect(verdict(bpf, NR.mount)).toBe(SECCOMP_RET_KILL_PROCESS);
      expect(verdict(bpf, NR.getpid)).toBe(SECCOMP_RET_ALLOW);
    }
  });

  it('{ errno } fails what no rule allows with that errno, argument conditions included', () => {
    const { bpf, pfc } = compileFilter(RULES, { defaultAction: { errno: EPERM } });
    expect(verdict(bpf, NR.mount)).toBe(SECCOMP_RET_ERRNO | EPERM);
    expect(verdict(bpf, NR.write, [2n])).toBe(SECCOMP_RET_ERRNO | EPERM);
    expect(verdict(bpf, NR.write, [1n])).toBe(SECCOMP_RET_ALLOW);
    expect(verdict(bpf, NR.getpid)).toBe(SECCOMP_RET_ALLOW);
    expect(pfc).toContain('action ERRNO(1);');
  });

  it('still kills a foreign architecture whatever the default action', () => {
    const { bpf } = compileFilter(RULES, { defaultAction: { errno: EPERM } });
    expect(verdict(bpf, NR.getpid, [], AUDIT_ARCH_I386)).toBe(SECCOMP_RET_KILL_PROCESS);
  });

  it.each([[{ errno: 0 }], [{ errno: 4096 }], [{ errno: 1.5 }], ['errno'], [null]])(
    'rejects defaultAction %j, naming the option',
    (action) => {
      expect(() => compileFilter(RULES, { defaultAction: action as never })).toThrow(
        /^Expected 'kill-process' or \{ errno \} with an errno from 1 to 4095 for options\.defaultAction/,
      );
    },
  );
});
