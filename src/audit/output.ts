// output.ts: the audit report in its three forms, on stdout or as report.{json,md,html} in a directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { terminalJson } from '../text-escape.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { AuditReport } from './report.js';

export type ReportFormat = 'md' | 'json' | 'html';

/** The report as JSON (docs/audit-report.schema.json), Markdown, or one self-contained HTML page. */
export async function formatReport(report: AuditReport, format: ReportFormat): Promise<string> {
  // Same values as JSON.stringify's, with DEL and C1 controls escaped too (it is printed).
  if (format === 'json') return `${terminalJson(report, 2)}\n`;
  if (format === 'md') return renderMarkdown(report);
  return renderHtml(report);
}

/** Writes report.json, report.md and report.html into `dir` (made if missing); returns their paths. */
export async function writeReport(report: AuditReport, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const format of ['json', 'md', 'html'] as const) {
    const path = join(dir, `report.${format}`);
    writeFileSync(path, await formatReport(report, format));
    written.push(path);
  }
  return written;
}
