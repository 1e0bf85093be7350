// charts.ts: one Vega-Lite chart per scenario and metric (bars of medians to p95, or lines over N), rendered to SVG.
import { type VegaLiteSpec, vegaLiteSvg } from '../charts/vega-svg.js';
import { byMetric } from './stats.js';
import type { BenchReport, MetricSummary, ScenarioResult } from './types.js';

export interface ChartRef {
  scenario: string;
  metric: string;
}

/** The chart's file name in the output directory, e.g. boot-wall_ms.svg. */
export function chartFile(ref: ChartRef): string {
  return `${ref.scenario}-${ref.metric}.svg`.replace(/[^A-Za-z0-9._-]/g, '_');
}

const BAR = '#4c78a8';
const RULE = '#333333';
// No ARIA roles on the marks: the report's tables carry the same numbers for assistive tools.
const CONFIG = {
  font: 'sans-serif',
  view: { stroke: null },
  aria: false,
  axis: { aria: false },
  legend: { aria: false },
  title: { aria: false },
};

/** Longer scenario titles (a sentence in the report) would not fit above a chart. */
const TITLE_MAX = 64;

function chartTitle(
  result: ScenarioResult,
  first: MetricSummary,
): { text: string; subtitle: string } {
  const name = result.title.length <= TITLE_MAX ? result.title : result.name;
  return {
    text: `${name}: ${first.metric}`,
    subtitle: `${first.unit}, ${first.better} is better; ratios to ${result.baseline}`,
  };
}

const round = (value: number) => Number(value.toPrecision(3));

/** Bars of the median per variant, a line on to the 95th percentile, labelled with the ratio. */
function barSpec(result: ScenarioResult, group: readonly MetricSummary[]): VegaLiteSpec {
  const first = group[0] as MetricSummary;
  const values = group.map((s) => ({
    variant: s.variant,
    median: s.median,
    p95: s.p95,
    label: `${round(s.median)} ${s.unit}${s.ratio === null ? '' : ` (${s.ratio.toFixed(2)}×)`}`,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle(result, first),
    width: 440,
    height: { step: 24 },
    data: { values },
    encoding: {
      y: {
        field: 'variant',
        type: 'nominal',
        sort: group.map((s) => s.variant),
        title: null,
        axis: { labelLimit: 260 },
      },
    },
    layer: [
      {
        mark: { type: 'bar', color: BAR, aria: false },
        encoding: {
          x: { field: 'median', type: 'quantitative', title: `median … p95 (${first.unit})` },
        },
      },
      {
        mark: { type: 'rule', color: RULE, aria: false },
        encoding: { x: { field: 'median', type: 'quantitative' }, x2: { field: 'p95' } },
      },
      {
        mark: { type: 'tick', color: RULE, thickness: 2, aria: false },
        encoding: { x: { field: 'p95', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, aria: false },
        encoding: { x: { field: 'p95', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
    config: CONFIG,
  };
}

/** One line per variant: the median at each N, on a logarithmic N axis. */
function lineSpec(result: ScenarioResult, group: readonly MetricSummary[]): VegaLiteSpec {
  const first = group[0] as MetricSummary;
  const values = group.map((s) => ({ variant: s.variant, n: s.n, median: s.median }));
  const variants = [...new Set(group.map((s) => s.variant))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle(result, first),
    width: 440,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true, aria: false },
    encoding: {
      x: {
        field: 'n',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'instances running (N, log scale)',
        axis: { values: [...new Set(group.map((s) => s.n))] },
      },
      y: { field: 'median', type: 'quantitative', title: `median (${first.unit})` },
      color: {
        field: 'variant',
        type: 'nominal',
        sort: variants,
        title: null,
        legend: { orient: 'bottom', labelLimit: 260 },
      },
    },
    config: CONFIG,
  };
}

/** Every chart of the report: the file name, its SVG. */
export async function renderCharts(
  report: BenchReport,
): Promise<Array<{ file: string; svg: string }>> {
  const charts: Array<{ file: string; svg: string }> = [];
  for (const result of report.scenarios) {
    for (const group of byMetric(result)) {
      const first = group[0] as MetricSummary;
      const spec = first.n === undefined ? barSpec(result, group) : lineSpec(result, group);
      const { text } = chartTitle(result, first);
      charts.push({
        file: chartFile({ scenario: result.name, metric: first.metric }),
        svg: await vegaLiteSvg(spec, text),
      });
    }
  }
  return charts;
}
