// memory.test.ts: upstream's globals, exception, zeropage, xnow, wnox and ssp outcomes: memory the guest may and may not use.
import { describe, expect, it } from 'vitest';
import { conformanceGuest, expectAbort, expectSuccess, sptRun } from '../helpers/conformance.js';

/**
 * A fault must kill the guest exactly where the guest faults: it got as far as printing
 * `reached`, and never printed FAILURE (what it does if the access goes through).
 */
function expectKilledAfter(args: string[], status: number, reached: string): void {
  const r = sptRun(args);
  expect(r.status, r.stdout + r.stderr).toBe(status);
  expect(r.stdout).toContain(reached);
  expect(r.stdout).not.toContain('FAILURE');
  expect(r.stderr).toBe(''); // the tender adds nothing when the kernel kills it
}

describe('memory conformance', () => {
  it('globals spt', () => {
    expectSuccess(sptRun([conformanceGuest('globals')]));
  });

  it('exception spt', () => {
    // A store at 16 GiB, outside guest memory and anything of the tender's.
    expectKilledAfter(
      [conformanceGuest('exception')],
      139, // SIGSEGV
      'exception: storing to 0x400000000',
    );
  });

  it('zeropage spt', () => {
    expectKilledAfter(
      [conformanceGuest('zeropage')],
      139, // SIGSEGV
      'zeropage: writing address 8',
    );
  });

  it('zeropage spt: reading address 0', () => {
    expectKilledAfter(
      [conformanceGuest('zeropage'), 'read'],
      139, // SIGSEGV
      'zeropage: reading address 0',
    );
  });

  it('xnow spt', () => {
    // .text is executable and readable (the guest calls and reads it first), not writable.
    expectKilledAfter(
      [conformanceGuest('xnow')],
      139, // SIGSEGV
      '; writing it',
    );
  });

  it('wnox spt', () => {
    // .data is writable (the guest writes it first), not executable.
    expectKilledAfter(
      [conformanceGuest('wnox')],
      139, // SIGSEGV
      'wnox: calling code in .data',
    );
  });

  it('ssp spt', () => {
    // The SDK's stack protector must catch the overrun before smash() returns.
    const r = sptRun([conformanceGuest('ssp')]);
    expectAbort(r);
    expect(r.stdout).toContain('ssp: overrunning a 16-byte stack buffer');
    expect(r.stdout).not.toContain('FAILURE');
  });
});
