// stats.ts: medians, 95th percentiles and baseline ratios from the raw trial records.
import type { MetricSummary, ScenarioResult, TrialRecord } from './types.js';

/** The value at quantile q of `values` (0 <= q <= 1), interpolated linearly between ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Rank q * (n - 1), as R's default (type 7) and numpy's: the median of [1, 2] is 1.5.
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);
export const p95 = (values: readonly number[]): number => quantile(values, 0.95);

/** The key that keeps one metric at one scale apart from the others. */
function metricKey(metric: string, n: number | undefined): string {
  return n === undefined ? metric : `${metric}@${n}`;
}

/**
 * Groups the samples by variant, metric and scale, in the order of `variants` (then in the
 * order they first appear), and adds the ratio of each median to the baseline variant's median
 * for the same metric and scale (null when the baseline has none, or its median is 0); and,
 * when `peer` names a variant that has samples, the same ratio to the peer's median.
 */
export function summarize(
  scenario: string,
  baseline: string,
  records: readonly TrialRecord[],
  variants: readonly string[] = [],
  peer?: string,
): MetricSummary[] {
  const groups = new Map<string, MetricSummary>();
  for (const record of records) {
    for (const m of record.measurements) {
      const key = `${record.variant}\u0000${metricKey(m.metric, m.n)}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = {
          scenario,
          variant: record.variant,
          metric: m.metric,
          unit: m.unit,
          better: m.better,
          samples: [],
          median: Number.NaN,
          p95: Number.NaN,
          ratio: null,
          ...(m.n === undefined ? {} : { n: m.n }),
        };
        groups.set(key, group);
      }
      group.samples.push(m.value);
    }
  }
  const rank = (variant: string) => {
    const at = variants.indexOf(variant);
    return at < 0 ? variants.length : at;
  };
  // Array.prototype.sort is stable: within a variant, first-seen order stays.
  const summaries = [...groups.values()].sort((a, b) => rank(a.variant) - rank(b.variant));
  for (const s of summaries) {
    s.median = median(s.samples);
    s.p95 = p95(s.samples);
  }
  const ratioTo = (variant: string, s: MetricSummary): number | null => {
    const base = groups.get(`${variant}\u0000${metricKey(s.metric, s.n)}`);
    return base !== undefined && base.median !== 0 ? s.median / base.median : null;
  };
  const ran = peer !== undefined && summaries.some((s) => s.variant === peer) ? peer : undefined;
  for (const s of summaries) {
    s.ratio = ratioTo(baseline, s);
    if (ran !== undefined) s.peerRatio = ratioTo(ran, s);
  }
  return summaries;
}

/** The summaries of one scenario by metric, in first-seen order; scaled ones sorted by N. */
export function byMetric(result: ScenarioResult): MetricSummary[][] {
  const groups = new Map<string, MetricSummary[]>();
  for (const s of result.summaries) groups.set(s.metric, [...(groups.get(s.metric) ?? []), s]);
  const order = result.variants.map((v) => v.name);
  return [...groups.values()].map((g) =>
    [...g].sort(
      (a, b) => (a.n ?? 0) - (b.n ?? 0) || order.indexOf(a.variant) - order.indexOf(b.variant),
    ),
  );
}
