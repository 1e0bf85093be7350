// chart.ts: the comparison chart, specified in Vega-Lite and rendered to an SVG string by Vega (no browser needed).
import type { ComparisonRow } from './report.js';

const COLORS = { allowed: '#4c78a8', observed: '#f58518' } as const;
const TITLE = 'System calls allowed by each sandbox, and made in this run';

/** The Vega-Lite specification: one bar per sandbox and measure, labelled with its count. */
export function comparisonSpec(rows: readonly ComparisonRow[]): Record<string, unknown> {
  const values = rows.flatMap((row) =>
    (['allowed', 'observed'] as const)
      .filter((measure) => row[measure] !== null)
      .map((measure) => ({ sandbox: row.label, measure, count: row[measure] })),
  );
  const encoding = {
    y: {
      field: 'sandbox',
      type: 'nominal',
      sort: rows.map((r) => r.label),
      title: null,
      axis: { labelLimit: 320 },
    },
    yOffset: { field: 'measure', type: 'nominal', sort: ['allowed', 'observed'] },
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
  // Loaded here only: no other command (and not nabla-run) pays for Vega's start-up.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(
    comparisonSpec(rows) as unknown as Parameters<typeof vegaLite.compile>[0],
  );
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return titled(await view.toSVG(), TITLE);
  } finally {
    view.finalize();
  }
}

/**
 * The SVG with a <title> (its accessible name) and without the ARIA roles Vega still puts on
 * a few group containers: inlined in HTML, a <g> with a widget role reads as an interactive
 * element, which it is not (the tables beside the chart carry the same numbers).
 */
export function titled(svg: string, title: string): string {
  const text = title.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return svg
    .replace(/ (role|aria-roledescription)="[^"]*"/g, '')
    .replace(/^(<svg\b[^>]*>)/, `$1<title>${text}</title>`);
}
