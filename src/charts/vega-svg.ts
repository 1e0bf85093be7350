// vega-svg.ts: renders a Vega-Lite specification to a standalone SVG string in Node (Vega's headless renderer, no browser).

/** A Vega-Lite specification as plain data (the audit's and the benchmarks' charts). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Compiles `spec` with Vega-Lite and renders it with Vega to SVG, titled `title` (the SVG's
 * accessible name). Vega and Vega-Lite are imported here only, so that no command but the ones
 * that draw charts (and never nabla-run) pays for their start-up.
 */
export async function vegaLiteSvg(spec: VegaLiteSpec, title: string): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return titled(await view.toSVG(), title);
  } finally {
    view.finalize();
  }
}

/**
 * The SVG with a <title> (its accessible name) and without the ARIA roles Vega still puts on
 * a few group containers: inlined in HTML, a <g> with a widget role reads as an interactive
 * element, which it is not (the tables beside each chart carry the same numbers).
 */
function titled(svg: string, title: string): string {
  const text = title.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return svg
    .replace(/ (role|aria-roledescription)="[^"]*"/g, '')
    .replace(/^(<svg\b[^>]*>)/, `$1<title>${text}</title>`);
}
