// markdown-table.ts: the one Markdown table writer, for the audit report and the benchmark report.

/** A cell: pipes and line breaks would end the cell or the row; a missing value shows as '—'. */
const cell = (value: unknown): string =>
  String(value ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');

/** Width as a reader counts it: code points, so '×' and '—' are one. */
const width = (text: string): number => [...text].length;

export interface TableOptions {
  /** Per column, '---' (left, the default) or '---:' (right). */
  align?: readonly string[];
  /**
   * Pad every column to its widest cell and align right-aligned columns right, as Markdown
   * formatters write tables: a committed report then stays as the formatter (biome) would leave
   * it, and reads as a table in plain text too. Without it, cells are written as they are.
   */
  padded?: boolean;
}

/** The table's lines: the header, the rule, one line per row. */
export function markdownTable(
  head: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
  options: TableOptions = {},
): string[] {
  const all = [head, ...rows].map((r) => r.map(cell));
  const right = head.map((_, i) => options.align?.[i]?.endsWith(':') ?? false);
  if (!options.padded) {
    const line = (r: readonly string[]) => `| ${r.join(' | ')} |`;
    const rule = right.map((r) => (r ? '---:' : '---'));
    return [line(all[0] as string[]), line(rule), ...all.slice(1).map(line)];
  }
  const widths = head.map((_, i) => Math.max(3, ...all.map((r) => width(r[i] ?? ''))));
  const line = (r: readonly string[]) =>
    `| ${r
      .map((text, i) => {
        const pad = ' '.repeat((widths[i] as number) - width(text));
        return right[i] ? pad + text : text + pad;
      })
      .join(' | ')} |`;
  const rule = widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  return [line(all[0] as string[]), `| ${rule.join(' | ')} |`, ...all.slice(1).map(line)];
}
