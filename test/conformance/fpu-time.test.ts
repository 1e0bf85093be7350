// fpu-time.test.ts: upstream's fpu and time outcomes: floating point, clocks and solo5_yield sleeps.
import { describe, expect, it } from 'vitest';
import { conformanceGuest, expectSuccess, sptRun } from '../helpers/conformance.js';

const MS = 1_000_000;
/**
 * How much longer than asked a 100 ms sleep may take. Upstream allows 100 ms on an idle
 * CI host; the suite runs guests in parallel, so this is more generous.
 */
const SLACK_NS = 400 * MS;

/** The guest's "key value" lines; values are nanoseconds, exact as BigInt. */
function values(stdout: string, key: string): bigint[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`${key} `))
    .map((l) => BigInt(l.slice(key.length + 1)));
}

describe('fpu and time conformance', () => {
  it('fpu spt', () => {
    const r = sptRun([conformanceGuest('fpu')]);
    expectSuccess(r);
    expect(r.stdout).not.toContain('FAILED');
  });

  it('time spt', () => {
    const before = BigInt(Date.now()) * BigInt(MS);
    const r = sptRun([conformanceGuest('time'), '--solo5:quiet']);
    const after = BigInt(Date.now()) * BigInt(MS);
    expectSuccess(r);

    // A deadline already passed returns at once instead of hanging.
    const [pastDeadline] = values(r.stdout, 'past-deadline-yield');
    expect(pastDeadline).toBeLessThan(BigInt(50 * MS));

    // Five sleeps of 100 ms: never short (the guest checks it against its deadline), never long.
    const slept = values(r.stdout, 'slept');
    expect(slept).toHaveLength(5);
    for (const ns of slept) {
      expect(ns).toBeGreaterThanOrEqual(BigInt(100 * MS));
      expect(ns).toBeLessThan(BigInt(100 * MS + SLACK_NS));
    }

    // Over the sleeps the wall clock moved with the monotonic one.
    const [mono] = values(r.stdout, 'mono-elapsed');
    const [wall] = values(r.stdout, 'wall-elapsed');
    if (mono === undefined || wall === undefined) throw new Error(r.stdout);
    const drift = mono > wall ? mono - wall : wall - mono;
    expect(drift).toBeLessThan(BigInt(100 * MS));

    // The guest's wall clock is the host's: it falls between the test's two readings.
    const [guestWall] = values(r.stdout, 'wall');
    expect(guestWall).toBeGreaterThanOrEqual(before - BigInt(1000 * MS));
    expect(guestWall).toBeLessThanOrEqual(after + BigInt(1000 * MS));
  });
});
