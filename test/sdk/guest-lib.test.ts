// guest-lib.test.ts: the spt guest library at run time: heap allocator, libc routines, stack protector.
import { describe, expect, it } from 'vitest';
import { guest } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';

describe('heap guest', () => {
  it('survives a malloc/calloc/realloc/free stress and gets the whole heap back', () => {
    const r = nablaRun([guest('heap'), '--solo5:quiet']);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toBe('heap ok\n');
  });

  it('does the same in the 2 MiB upstream runs its tests in', () => {
    const r = nablaRun(['--mem=2', guest('heap'), '--solo5:quiet']);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toBe('heap ok\n');
  });

  it('aborts on a double free', () => {
    const r = nablaRun([guest('heap'), 'double']);
    expect(r.status).toBe(255); // SOLO5_EXIT_ABORT
    expect(r.stdout).toContain('Solo5: ABORT: free(): double free or invalid pointer\n');
  });

  it('aborts when an overflow has overwritten the next block header', () => {
    const r = nablaRun([guest('heap'), 'overflow']);
    expect(r.status).toBe(255); // SOLO5_EXIT_ABORT
    expect(r.stdout).toContain('Solo5: ABORT: malloc: heap corruption detected\n');
  });
});

describe('libc guest', () => {
  it('passes every string and number check', () => {
    const r = nablaRun([guest('libc'), '--solo5:quiet']);
    expect(r.stdout).toBe('libc ok\n');
    expect(r.status).toBe(0);
  });
});

describe('stack protector', () => {
  const guardOf = (stdout: string) => /^guard (0x[0-9a-f]+)$/m.exec(stdout)?.[1];

  it('sets a guard with a zero low byte, different at every boot', () => {
    const guards = new Set<string | undefined>();
    for (let i = 0; i < 3; i++) {
      const r = nablaRun([guest('stackguard'), '--solo5:quiet']);
      expect(r.status, r.stdout).toBe(0);
      expect(r.stdout).toContain('stackguard ok\n');
      guards.add(guardOf(r.stdout));
    }
    expect(guards.size).toBe(3);
  });

  it('aborts a guest that overruns a stack buffer, status 255 and an ABORT line', () => {
    const r = nablaRun([guest('stackguard'), 'smash']);
    expect(r.status).toBe(255); // SOLO5_EXIT_ABORT
    expect(r.stdout).toContain('Solo5: ABORT: stack smashing detected\n');
    expect(r.stdout).not.toContain('went unnoticed');
  });

  it('keeps --solo5:quiet quiet, as upstream does, but not the status', () => {
    const r = nablaRun([guest('stackguard'), '--solo5:quiet', 'smash']);
    expect(r.status).toBe(255); // SOLO5_EXIT_ABORT
    expect(r.stdout).toBe('stackguard: overrunning a stack buffer\n');
  });
});
