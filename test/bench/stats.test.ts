// stats.test.ts: quantiles, and summaries grouped by variant, metric and scale with ratios to the baseline.
import { describe, expect, it } from 'vitest';
import { byMetric, median, p95, quantile, summarize } from '../../src/bench/stats.js';
import type { Measurement, ScenarioResult, TrialRecord } from '../../src/bench/types.js';

const ms = (value: number, n?: number): Measurement => ({
  metric: 'wall_ms',
  unit: 'ms',
  value,
  better: 'lower',
  ...(n === undefined ? {} : { n }),
});

describe('quantiles', () => {
  it('interpolates between ranks (type 7)', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2])).toBe(1.5);
    expect(p95([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21])).toBe(
      20,
    );
    expect(quantile([5], 0.95)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('summarize', () => {
  const records: TrialRecord[] = [
    { variant: 'base', trial: 0, measurements: [ms(10)] },
    { variant: 'x', trial: 0, measurements: [ms(15)] },
    { variant: 'base', trial: 1, measurements: [ms(20)] },
    { variant: 'x', trial: 1, measurements: [ms(45)] },
  ];

  it('gives every sample, the median, the p95 and the ratio of medians to the baseline', () => {
    const [base, x] = summarize('s', 'base', records);
    expect(base).toMatchObject({ variant: 'base', samples: [10, 20], median: 15, ratio: 1 });
    expect(x).toMatchObject({ variant: 'x', samples: [15, 45], median: 30, ratio: 2 });
    expect(x?.p95).toBeCloseTo(43.5);
  });

  it('adds the ratio to the peer only when the peer has samples', () => {
    const [base, x] = summarize('s', 'base', records, [], 'x');
    expect(base?.peerRatio).toBe(0.5);
    expect(x?.peerRatio).toBe(1);
    expect(summarize('s', 'base', records, [], 'absent').some((s) => 'peerRatio' in s)).toBe(false);
  });

  it('has no ratio when the baseline did not measure the metric', () => {
    const only = summarize('s', 'missing', records);
    expect(only.every((s) => s.ratio === null)).toBe(true);
  });

  it('keeps each scale apart and divides by the baseline at the same scale', () => {
    const scaled: TrialRecord[] = [
      { variant: 'base', trial: 0, measurements: [ms(100, 10), ms(1000, 100)] },
      { variant: 'x', trial: 0, measurements: [ms(300, 10), ms(1500, 100)] },
    ];
    const summaries = summarize('density', 'base', scaled);
    expect(summaries.map((s) => [s.variant, s.n, s.ratio])).toEqual([
      ['base', 10, 1],
      ['base', 100, 1],
      ['x', 10, 3],
      ['x', 100, 1.5],
    ]);
    const result = {
      variants: [{ name: 'base' }, { name: 'x' }],
      summaries,
    } as unknown as ScenarioResult;
    expect(byMetric(result)[0]?.map((s) => `${s.n}:${s.variant}`)).toEqual([
      '10:base',
      '10:x',
      '100:base',
      '100:x',
    ]);
  });
});
