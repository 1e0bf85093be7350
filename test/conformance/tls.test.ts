// tls.test.ts: upstream's notls and tls outcomes: %fs before and after the guest sets a TLS base.
import { describe, expect, it } from 'vitest';
import { conformanceGuest, expectSuccess, sptRun } from '../helpers/conformance.js';

describe('tls conformance', () => {
  it('notls spt', () => {
    const r = sptRun([conformanceGuest('notls')]);
    expect(r.status, r.stdout + r.stderr).toBe(139); // SIGSEGV
    expect(r.stdout).toContain('notls: reading %fs:0x28');
    expect(r.stdout).not.toContain('FAILURE');
  });

  it('tls spt', () => {
    const r = sptRun([conformanceGuest('tls')]);
    expectSuccess(r);
    expect(r.stdout).not.toContain('FAILED');
    // Three blocks, each with its own copy of both variables.
    expect(r.stdout).toContain("tls: block 0: counter 1004, name 'aaaa'");
    expect(r.stdout).toContain("tls: block 1: counter 1008, name 'bbbb'");
    expect(r.stdout).toContain("tls: block 2: counter 1012, name 'cccc'");
  });
});
