// peer-filter.test.ts: decoding foreign filter stacks: masked argument tests followed both ways, stacked filters intersected.
import { describe, expect, it } from 'vitest';
import { explorePaths } from '../../src/audit/bpf-paths.js';
import { AUDIT_ARCH_X86_64, decodeProgram, SECCOMP_RET_ALLOW } from '../../src/audit/bpf-sim.js';
import { decodeStack } from '../../src/audit/peer-filter.js';
import { bpf, type Insn, LD, RET } from './bpf-asm.js';

const ERRNO_EPERM = 0x00050001;
const JEQ = (k: number, jt: number, jf: number): Insn => [0x15, jt, jf, k];
const AND = (k: number): Insn => [0x54, 0, 0, k];
const [READ, WRITE, CLONE] = [0, 1, 56];

/** x86_64 only; read always; clone when (a0 & 0x7e020000) == 0, as Docker's profile; else EPERM. */
const masked = bpf([
  LD(4),
  JEQ(AUDIT_ARCH_X86_64, 1, 0),
  RET(0),
  LD(0),
  JEQ(READ, 4, 0),
  JEQ(CLONE, 1, 0),
  RET(ERRNO_EPERM),
  LD(16),
  AND(0x7e020000),
  JEQ(0, 0, 1), // at 9: taken to 10 (allow), else 11
  RET(SECCOMP_RET_ALLOW),
  RET(ERRNO_EPERM),
]);

/** x86_64: each number in `nrs` allowed, everything else EPERM. */
function allowOnly(nrs: readonly number[]): Buffer {
  const body: Insn[] = nrs.map((nr, i) => JEQ(nr, nrs.length - i, 0));
  return bpf([LD(0), ...body, RET(ERRNO_EPERM), RET(SECCOMP_RET_ALLOW)]);
}

describe('peer filter decoding', () => {
  it('refuses a masked argument test in the exact prover, and follows it both ways when approximating', () => {
    const program = decodeProgram(masked);
    expect(() => explorePaths(program)).toThrow(/cannot be proven/);
    const paths = explorePaths(program, { approximate: true });
    expect(paths.filter((p) => p.approx !== undefined)).toHaveLength(2);
  });

  it('counts a syscall behind a masked test as reachable and argument-filtered', () => {
    const stack = decodeStack([masked]);
    expect(stack.reachable).toEqual([
      { nr: READ, argumentFiltered: false, witnessed: true },
      { nr: CLONE, argumentFiltered: true, witnessed: true },
    ]);
    expect(stack.approximatePaths).toBe(2);
  });

  it('intersects a stack: a syscall is reachable only when every filter lets it through', () => {
    const stack = decodeStack([allowOnly([READ, WRITE]), allowOnly([WRITE, CLONE])]);
    expect(stack.filters).toBe(2);
    expect(stack.reachable).toEqual([{ nr: WRITE, argumentFiltered: false, witnessed: true }]);
  });

  it('does not confirm a syscall whose only allowing path is an impossible masked test', () => {
    // (a0 & 0) == 1 never holds: the approximation lets clone through, the witness does not.
    const impossible = bpf([
      LD(0),
      JEQ(CLONE, 0, 4),
      LD(16),
      AND(0),
      JEQ(1, 0, 1),
      RET(SECCOMP_RET_ALLOW),
      RET(ERRNO_EPERM),
    ]);
    expect(decodeStack([impossible]).reachable).toEqual([
      { nr: CLONE, argumentFiltered: true, witnessed: false },
    ]);
  });

  it('calls a syscall argument-filtered when one filter of the stack tests its arguments', () => {
    const stack = decodeStack([allowOnly([READ, CLONE]), masked]);
    expect(stack.reachable.find((s) => s.nr === CLONE)?.argumentFiltered).toBe(true);
    expect(stack.reachable.find((s) => s.nr === READ)?.argumentFiltered).toBe(false);
  });
});
