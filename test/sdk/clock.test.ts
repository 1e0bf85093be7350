// clock.test.ts: an SDK guest reads both clocks through the vDSO the tender publishes (docs/abi.md §4.5), or by the system call when the page is gone.
import { describe, expect, it } from 'vitest';
import { currentClocksource, VDSO_CLOCKSOURCES } from '../../src/audit/clock.js';
import { observeGuest, type RecordedObservation } from '../../src/audit/observe.js';
import { prepare } from '../../src/index.js';
import { guest } from '../helpers/paths.js';

/** Each clock read this many times by the guest (test/guests/clock). */
const CALLS = 10_000;
/** clock_gettime system calls the SDK makes at boot whatever the page says: ssp_init's two. */
const BOOT_CLOCK_CALLS = 2;
const NS_PER_MS = 1_000_000n;

async function observeClock(args: string[]): Promise<RecordedObservation> {
  const prepared = prepare({ kernel: guest('clock'), args: ['--solo5:quiet', ...args] });
  try {
    return await observeGuest(prepared, { timeoutMs: 20_000 });
  } finally {
    prepared.release();
  }
}

/** The guest's "key value" lines. */
function values(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes(' '))
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  );
}

const clockSyscalls = (o: RecordedObservation) =>
  o.calls.find((c) => c.name === 'clock_gettime')?.count ?? 0;

/** Sane readings: monotonic never went back and moved forward; wall within a second of ours. */
function expectSaneClocks(v: Record<string, string>, before: bigint, after: bigint): void {
  expect(v.calls).toBe(String(CALLS));
  expect(v['mono-backwards']).toBe('0');
  const first = BigInt(v['mono-first'] ?? '0');
  const last = BigInt(v['mono-last'] ?? '0');
  expect(first).toBeGreaterThan(0n);
  expect(last).toBeGreaterThan(first);
  const wall = BigInt(v.wall ?? '0');
  expect(wall).toBeGreaterThanOrEqual(before - 1000n * NS_PER_MS);
  expect(wall).toBeLessThanOrEqual(after + 1000n * NS_PER_MS);
}

const nowNs = () => BigInt(Date.now()) * NS_PER_MS;

describe('clock spt', () => {
  it('20,000 reads of solo5_clock_monotonic and solo5_clock_wall make no clock_gettime system call', async () => {
    const before = nowNs();
    const o = await observeClock([]);
    const after = nowNs();
    expect(o.exit).toEqual({ status: 0, code: 0, signal: null });
    expect(o.filterInstalled).toBe(true);
    expect(o.denied).toEqual([]);
    const v = values(o.stdout);
    expect(v.page).toBe('present');
    expectSaneClocks(v, before, after);
    const source = currentClocksource();
    if (source !== null && VDSO_CLOCKSOURCES.includes(source)) {
      // Only the two of ssp_init, which runs before anything else: none of the 20,001 reads.
      expect(clockSyscalls(o)).toBe(BOOT_CLOCK_CALLS);
    } else {
      // docs/abi.md §4.5: the vDSO itself makes the (allowed) system call for such a clocksource.
      expect(clockSyscalls(o)).toBeGreaterThanOrEqual(2 * CALLS);
    }
  });

  it('with the magic cleared (as under upstream solo5-spt) every read is the system call, and correct', async () => {
    const before = nowNs();
    const o = await observeClock(['cleared']);
    const after = nowNs();
    expect(o.exit).toEqual({ status: 0, code: 0, signal: null });
    expect(o.denied).toEqual([]);
    const v = values(o.stdout);
    expect(v.page).toBe('absent');
    expectSaneClocks(v, before, after);
    // Both clocks CALLS times, the first monotonic read, and ssp_init's two.
    expect(clockSyscalls(o)).toBe(2 * CALLS + 1 + BOOT_CLOCK_CALLS);
  });
});
