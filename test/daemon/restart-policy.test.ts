// restart-policy.test.ts: the restart decisions alone: which exits restart, the doubling delay and its cap, the reset after a good run, the crash-loop window.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMINGS, type Timings, timingsFromEnv } from '../../src/daemon/config.js';
import { RestartTracker } from '../../src/daemon/restart-policy.js';

const T: Timings = {
  ...DEFAULT_TIMINGS,
  backoffInitialMs: 100,
  backoffMaxMs: 1000,
  resetAfterMs: 10_000,
  crashLoopRestarts: 5,
  crashLoopWindowMs: 60_000,
};

describe('RestartTracker', () => {
  it('restarts by policy: no never, on-failure on a non-zero status, always always', () => {
    const t = new RestartTracker(T);
    expect(t.decide('no', 1, 0)).toEqual({ restart: false });
    expect(t.decide('on-failure', 0, 0)).toEqual({ restart: false });
    expect(t.decide('on-failure', 143, 0)).toMatchObject({ restart: true });
    expect(new RestartTracker(T).decide('always', 0, 0)).toMatchObject({
      restart: true,
      delayMs: 100,
    });
  });

  it('doubles the delay from the first, up to the cap, and calls more than 5 restarts in the window a crash loop', () => {
    const t = new RestartTracker(T);
    const decisions = Array.from({ length: 7 }, (_, i) => t.decide('always', 1, 5, 1000 + i));
    expect(decisions.map((d) => (d.restart ? d.delayMs : -1))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    expect(decisions.map((d) => d.restart && d.crashLoop)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('forgets restarts older than the window', () => {
    const t = new RestartTracker(T);
    for (let i = 0; i < 5; i++) t.decide('always', 1, 5, i);
    expect(t.decide('always', 1, 5, 60_000 + 10)).toMatchObject({ crashLoop: false });
  });

  it('starts over after a run that lasted resetAfterMs, and after reset()', () => {
    const t = new RestartTracker(T);
    for (let i = 0; i < 6; i++) t.decide('always', 1, 5, i);
    expect(t.decide('always', 1, 10_000, 10)).toEqual({
      restart: true,
      delayMs: 100,
      crashLoop: false,
    });
    t.decide('always', 1, 5, 11);
    t.reset();
    expect(t.decide('always', 1, 5, 12)).toEqual({ restart: true, delayMs: 100, crashLoop: false });
  });
});

describe('timingsFromEnv', () => {
  it('overrides the defaults it names and refuses anything else in one line', () => {
    expect(timingsFromEnv(undefined)).toEqual(DEFAULT_TIMINGS);
    expect(timingsFromEnv('{"backoffInitialMs": 5}')).toEqual({
      ...DEFAULT_TIMINGS,
      backoffInitialMs: 5,
    });
    for (const bad of ['{"backoffInitialMs": -1}', '{"speed": 1}', 'fast', '[]'])
      expect(() => timingsFromEnv(bad), bad).toThrow(
        /^NABLA_DAEMON_TIMINGS: expected a JSON object of whole milliseconds/,
      );
  });
});
