// side-by-side.ts: the report's comparison: per scenario and metric, nabla and every peer in columns, each median with its ratio to nabla's.
import { markdownTable } from '../markdown-table.js';
import { formatValue } from './markdown.js';
import { byMetric } from './stats.js';
import type { BenchReport, MetricSummary, ScenarioResult } from './types.js';

/*
 * The scenario tables list variants in rows, against the scenario's own baseline. A reader
 * choosing a sandbox asks another question: for the same work, where does nabla stand against
 * each peer? Scenarios that declare roles (Scenario.roles: nabla, nabla-api, solo5-spt,
 * runsc, crun, bwrap, hosted) get one table per metric here, a row per scale N (or one row), a column per
 * role that ran: the median and, beside every peer's, its ratio to nabla's median (above 1:
 * the peer's figure is larger, whichever direction is better).
 */

/** Column headings for the roles, in this order. */
const ROLE_TITLES: ReadonlyArray<[string, string]> = [
  ['nabla', 'nabla'],
  ['nabla-api', 'nabla API run()'],
  ['solo5-spt', 'solo5-spt'],
  ['runsc', 'gVisor runsc (ptrace)'],
  ['crun', 'crun + Docker profile'],
  ['bwrap', 'bwrap + Docker profile'],
  ['hosted', 'hosted (no sandbox)'],
];

function cell(s: MetricSummary | undefined, nabla: MetricSummary | undefined, role: string) {
  if (s === undefined) return '—';
  const value = formatValue(s.median);
  if (role === 'nabla' || nabla === undefined || nabla.median === 0) return value;
  return `${value} (${(s.median / nabla.median).toFixed(2)}×)`;
}

/** The side-by-side tables of one scenario (none when it declares no roles or nabla did not run). */
export function sideBySideSection(result: ScenarioResult): string[] {
  const roles = result.roles;
  if (roles === undefined) return [];
  const ran = new Set(result.variants.filter((v) => v.status === 'ok').map((v) => v.name));
  const columns = ROLE_TITLES.filter(([role]) => {
    const variant = roles[role];
    return variant !== undefined && ran.has(variant);
  });
  if (!columns.some(([role]) => role === 'nabla')) return [];
  const out: string[] = [];
  for (const group of byMetric(result)) {
    const first = group[0] as MetricSummary;
    const scales = [...new Set(group.map((s) => s.n))];
    const find = (role: string, n: number | undefined) =>
      group.find((s) => s.variant === roles[role] && s.n === n);
    const rows = scales.map((n) => [
      ...(n === undefined ? [] : [String(n)]),
      ...columns.map(([role]) => cell(find(role, n), find('nabla', n), role)),
    ]);
    const head = [...(first.n === undefined ? [] : ['N']), ...columns.map(([, title]) => title)];
    out.push(
      `#### ${result.name}: ${first.metric} (${first.unit}, ${first.better} is better)`,
      '',
      ...markdownTable(head, rows, { align: head.map(() => '---:'), padded: true }),
      '',
    );
  }
  return out;
}

/** The report's "Side by side" part: every scenario with roles, in run order. */
export function sideBySide(report: BenchReport): string[] {
  const sections = report.scenarios.flatMap(sideBySideSection);
  if (sections.length === 0) return [];
  const { runsc, crun } = report.machine.tools;
  return [
    '## Side by side: nabla and each peer, for the same work',
    '',
    'Each peer runs the same app: solo5-spt the same `.nabla` under upstream’s tender; gVisor ' +
      `(${runsc ?? 'runsc'}, **ptrace platform**, no KVM) and crun (${crun ?? 'crun'}, Docker’s default ` +
      'seccomp profile and capabilities) its hosted build in an OCI bundle the harness makes; ' +
      'bwrap the hosted build with Docker’s profile (benchmarks/README.md). A cell is the ' +
      'median, and for a peer its ratio to nabla’s median. Peers that did not run have no column.',
    '',
    ...sections,
  ];
}
