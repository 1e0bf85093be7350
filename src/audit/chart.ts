// chart.ts: the comparison chart, specified in Vega-Lite and rendered to an SVG string by Vega (no browser needed).
import { vegaLiteSvg } from '../charts/vega-svg.js';
import type { ComparisonRow } from './report.js';

const COLORS = { allowed: '#4c78a8', 'argument-filtered': '#54a24b', observed: '#f58518' } as const;
const MEASURES = ['allowed', 'argument-filtered', 'observed'] as const;
const FIELD = {
  allowed: 'allowed',
  'argument-filtered': 'argumentFiltered',
  observed: 'observed',
} as const;
const TITLE = 'System calls each sandbox allows (of which argument-filtered), and made in this run';

/**
 * The Vega-Lite specification: one bar per sandbox and measure (syscalls allowed, those of them
 * allowed only for some arguments, those made), labelled with its count.
 */
export function comparisonSpec(rows: readonly ComparisonRow[]): Record<string, unknown> {
  const values = rows.flatMap((row) =>
    MEASURES.filter((measure) => row[FIELD[measure]] !== null).map((measure) => ({
      sandbox: row.label,
      measure,
      count: row[FIELD[measure]],
    })),
  );
  const encoding = {
    y: {
      field: 'sandbox',
      type: 'nominal',
      sort: rows.map((r) => r.label),
      title: null,
      axis: { labelLimit: 320 },
    },
    yOffset: { field: 'measure', type: 'nominal', sort: [...MEASURES] },
    x: { field: 'count', type: 'quantitative', title: 'x86_64 system calls' },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: TITLE,
    width: 520,
    height: { step: 22 },
    data: { values },
    encoding,
    layer: [
      {
        mark: { type: 'bar', aria: false },
        encoding: {
          color: {
            field: 'measure',
            type: 'nominal',
            title: null,
            scale: { domain: Object.keys(COLORS), range: Object.values(COLORS) },
            legend: { orient: 'bottom' },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 11, aria: false },
        encoding: { text: { field: 'count', type: 'quantitative' } },
      },
    ],
    // No ARIA roles on the marks: the page's tables carry the same numbers for assistive tools.
    config: {
      font: 'sans-serif',
      view: { stroke: null },
      aria: false,
      axis: { aria: false },
      legend: { aria: false },
      title: { aria: false },
    },
  };
}

/** Renders the chart to a standalone SVG string (Vega's headless renderer). */
export async function comparisonSvg(rows: readonly ComparisonRow[]): Promise<string> {
  return vegaLiteSvg(comparisonSpec(rows), TITLE);
}
