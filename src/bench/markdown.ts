// markdown.ts: the benchmark report as Markdown: the machine, the method, and one table per scenario and metric.
import { markdownTable } from '../markdown-table.js';
import { type ChartRef, chartFile } from './charts.js';
import { sideBySide } from './side-by-side.js';
import { byMetric } from './stats.js';
import type { BenchReport, MetricSummary, ScenarioResult } from './types.js';

/** About three significant digits: enough to compare, not so many that noise reads as signal. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const formatRatio = (ratio: number | null): string =>
  ratio === null ? '—' : `${ratio.toFixed(2)}×`;

function header(report: BenchReport): string[] {
  const m = report.machine;
  const mode = report.options.quick ? 'quick' : 'full';
  const tools = Object.entries(m.tools).map(([name, version]) => [name, version]);
  const rows = [
    ['CPU', `${m.cpu} (${m.cores} cores available)`],
    ['Memory', `${(m.memoryMiB / 1024).toFixed(1)} GiB`],
    ['OS', m.os],
    ['Kernel', m.kernel],
    ['Node', m.node],
    ['Compiler', m.compiler],
    ...tools,
  ];
  const peers = Object.entries(report.options.peers);
  return [
    '# nabla benchmarks',
    '',
    `A ${mode} run (\`nabla bench${report.options.quick ? ' --quick' : ''}\`), started ${report.startedAt}, ` +
      `${(report.durationMs / 1000).toFixed(0)} s in all.` +
      (peers.length > 0 ? ` Peers: ${peers.map(([n, p]) => `${n} = \`${p}\``).join(', ')}.` : ''),
    '',
    // Padded, as the formatter (biome) leaves the committed report.
    ...markdownTable(['Machine', ''], rows, { padded: true }),
    '',
    'Method: every scenario runs its variants interleaved, one trial of each in turn (the ' +
      'order rotating every round), after untimed warm-up trials; each trial is a fresh ' +
      'process (or, for density and start, a fresh set of processes). Tables give the median ' +
      'and the 95th percentile (linear interpolation) of the samples (one per trial, or one ' +
      'per start where a trial times several), and the ratio of each median to the baseline ' +
      "variant's median for the same metric, and, where the upstream peer ran, to the peer's. " +
      'Raw samples are in results.json.',
    '',
  ];
}

function betterText(s: MetricSummary): string {
  return `${s.unit}, ${s.better} is better`;
}

function metricSection(result: ScenarioResult, group: MetricSummary[], chart: ChartRef): string[] {
  const first = group[0] as MetricSummary;
  const scaled = first.n !== undefined;
  // The peer's column shows when the peer ran in this scenario (its summaries carry peerRatio).
  const peer = group.some((s) => s.peerRatio !== undefined) ? result.peer : undefined;
  const head = [
    ...(scaled ? ['N'] : []),
    'variant',
    'median',
    'p95',
    `× ${result.baseline}`,
    ...(peer === undefined ? [] : [`× ${peer}`]),
    'samples',
  ];
  const align = head.map((h) => (h === 'variant' ? '---' : '---:'));
  const rows = group.map((s) => [
    ...(scaled ? [String(s.n)] : []),
    `${s.variant === result.baseline ? `**${s.variant}**` : s.variant}`,
    formatValue(s.median),
    formatValue(s.p95),
    formatRatio(s.ratio),
    ...(peer === undefined ? [] : [formatRatio(s.peerRatio ?? null)]),
    String(s.samples.length),
  ]);
  return [
    `### ${first.metric} (${betterText(first)})`,
    '',
    ...markdownTable(head, rows, { align, padded: true }),
    '',
    `![${result.name}: ${first.metric}](${chartFile(chart)})`,
    '',
  ];
}

function scenarioSection(result: ScenarioResult): string[] {
  const out = [
    `## ${result.title}`,
    '',
    `Scenario \`${result.name}\`: baseline **${result.baseline}**; ${result.trials} trial${result.trials === 1 ? '' : 's'} ` +
      `per variant after ${result.warmup} warm-up; ${(result.durationMs / 1000).toFixed(1)} s.`,
    '',
  ];
  for (const group of byMetric(result)) {
    const first = group[0] as MetricSummary;
    out.push(...metricSection(result, group, { scenario: result.name, metric: first.metric }));
  }
  const skipped = result.variants.filter((v) => v.status !== 'ok');
  if (skipped.length > 0) {
    out.push(
      ...skipped.map(
        (v) =>
          `- ${v.status === 'failed' ? '**failed**' : 'not run'}: ${v.name} — ${v.reason ?? 'no reason given'}`,
      ),
      '',
    );
  }
  if (result.notes !== undefined && result.notes.length > 0)
    out.push(...result.notes.map((note) => `- ${note}`), '');
  if (result.samples.length === 0) out.push('_No variant produced a sample._', '');
  return out;
}

export function renderMarkdown(report: BenchReport): string {
  const lines = [...header(report), ...sideBySide(report)];
  for (const result of report.scenarios) lines.push(...scenarioSection(result));
  return `${lines.join('\n').trimEnd()}\n`;
}
