// runner.test.ts: interleaving, warm-up, unavailable and failing variants, setup and teardown, interruption.
import { describe, expect, it } from 'vitest';
import { plainProgress } from '../../src/bench/progress.js';
import { BenchAborted, runScenario, runScenarios } from '../../src/bench/runner.js';
import type { Scenario, Variant } from '../../src/bench/types.js';

const quiet = () => plainProgress(() => {});

function fake(name: string, log: string[], fail?: number): Variant {
  let calls = 0;
  return {
    name,
    async trial() {
      calls++;
      log.push(name);
      if (fail !== undefined && calls >= fail) throw new Error(`${name} broke`);
      return [{ metric: 'm', unit: 'ms', value: calls, better: 'lower' }];
    },
  };
}

const options = (signal = new AbortController().signal) => ({
  quick: true,
  peers: {},
  progress: quiet(),
  signal,
});

describe('runScenario', () => {
  it('interleaves variants trial by trial, rotating the order, and records no warm-up', async () => {
    const log: string[] = [];
    const scenario: Scenario = {
      name: 's',
      title: 'S',
      baseline: 'a',
      trials: { quick: 3, full: 9 },
      variants: [fake('a', log), fake('b', log), fake('c', log)],
    };
    const result = await runScenario(scenario, options());
    expect(log).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c']);
    expect(result.trials).toBe(3);
    expect(result.warmup).toBe(1);
    // The first call of each variant was its warm-up: samples are calls 2, 3, 4.
    expect(
      result.samples.filter((s) => s.variant === 'a').map((s) => s.measurements[0]?.value),
    ).toEqual([2, 3, 4]);
    expect(result.summaries.map((s) => [s.variant, s.median, s.ratio])).toEqual([
      ['a', 3, 1],
      ['b', 3, 1],
      ['c', 3, 1],
    ]);
  });

  it('skips an unavailable variant with its reason and drops a failing one, the rest go on', async () => {
    const log: string[] = [];
    const scenario: Scenario = {
      name: 's',
      title: 'S',
      baseline: 'a',
      trials: { quick: 4, full: 4 },
      warmup: 0,
      variants: [
        fake('a', log),
        fake('b', log, 2),
        { ...fake('c', log), unavailable: () => 'no peer given' },
      ],
    };
    const result = await runScenario(scenario, { ...options(), runs: 4 });
    expect(result.variants).toEqual([
      { name: 'a', status: 'ok' },
      { name: 'b', status: 'failed', reason: 'b broke' },
      { name: 'c', status: 'unavailable', reason: 'no peer given' },
    ]);
    expect(log.filter((n) => n === 'a')).toHaveLength(4);
    expect(log.filter((n) => n === 'b')).toHaveLength(2);
    expect(result.samples.filter((s) => s.variant === 'b')).toHaveLength(1);
  });

  it("keeps a scenario's remarks once each, and divides by its peer when the peer ran", async () => {
    const scenario: Scenario = {
      name: 's',
      title: 'S',
      baseline: 'a',
      peer: 'p',
      trials: { quick: 2, full: 2 },
      warmup: 0,
      variants: [
        { name: 'a', trial: async () => [{ metric: 'm', unit: 'ms', value: 6, better: 'lower' }] },
        {
          name: 'p',
          async trial(ctx) {
            ctx.remark('N = 10 not run: too big');
            return [{ metric: 'm', unit: 'ms', value: 3, better: 'lower' }];
          },
        },
      ],
    };
    const result = await runScenario(scenario, options());
    expect(result.peer).toBe('p');
    expect(result.notes).toEqual(['N = 10 not run: too big']);
    expect(result.summaries.map((s) => [s.variant, s.ratio, s.peerRatio])).toEqual([
      ['a', 1, 2],
      ['p', 0.5, 1],
    ]);
    // Without the peer's samples there is no peer column to fill.
    const alone = await runScenario(
      { ...scenario, variants: [scenario.variants[0] as Variant] },
      options(),
    );
    expect(alone.notes).toBeUndefined();
    expect(alone.summaries.map((s) => s.peerRatio)).toEqual([undefined]);
  });

  it('marks every variant failed when setup throws, and still tears down', async () => {
    const events: string[] = [];
    const scenario: Scenario = {
      name: 's',
      title: 'S',
      baseline: 'a',
      trials: { quick: 1, full: 1 },
      variants: [fake('a', events)],
      setup: async () => {
        throw new Error('no disk');
      },
      teardown: async () => {
        events.push('teardown');
      },
    };
    const result = await runScenario(scenario, options());
    expect(result.variants[0]).toEqual({
      name: 'a',
      status: 'failed',
      reason: 'setup failed: no disk',
    });
    expect(events).toEqual(['teardown']);
  });

  it('stops with BenchAborted when interrupted, after tearing down', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const scenario: Scenario = {
      name: 's',
      title: 'S',
      baseline: 'a',
      trials: { quick: 5, full: 5 },
      variants: [
        {
          name: 'a',
          async trial() {
            events.push('trial');
            controller.abort();
            return [];
          },
        },
      ],
      teardown: async () => {
        events.push('teardown');
      },
    };
    await expect(runScenarios([scenario], options(controller.signal))).rejects.toBeInstanceOf(
      BenchAborted,
    );
    expect(events).toEqual(['trial', 'teardown']);
  });
});
