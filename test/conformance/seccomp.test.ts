// seccomp.test.ts: upstream's seccomp outcome: a system call outside the tender's table is killed with SIGSYS.
import { describe, expect, it } from 'vitest';
import { conformanceGuest, sptRun } from '../helpers/conformance.js';

function expectSigsys(call: string): void {
  const r = sptRun([conformanceGuest('seccomp'), call]);
  expect(r.status, r.stdout + r.stderr).toBe(159); // SIGSYS
  expect(r.stdout).toContain(`seccomp: ${call}\n`);
  expect(r.stdout).not.toContain('FAILURE');
}

describe('seccomp conformance', () => {
  it('seccomp spt', () => {
    expectSigsys('dup'); // upstream's call: dup(1)
  });

  // Beyond upstream: other calls never allowed, and allowed calls with a pinned argument changed.
  it.each([
    ['getpid'], // not in the table
    ['openat'], // not in the table
    ['write-stderr'], // write is allowed on fd 1 only
    ['clock-boottime'], // clock_gettime only for CLOCK_MONOTONIC and CLOCK_REALTIME
    ['arch-prctl-get'], // arch_prctl only for ARCH_SET_FS
  ])('seccomp spt: %s', (call) => {
    expectSigsys(call);
  });
});
