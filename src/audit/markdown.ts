// markdown.ts: the audit report as Markdown (the terminal's default output and report.md).

import { kindOfType } from '../devices/registry.js';
import { markdownTable as table } from '../markdown-table.js';
import { escapeName, escapeText } from '../text-escape.js';
import { addressSpaceText } from './address-space.js';
import { COMPARISON_HEADER, comparisonCells, peerSentence } from './peer-text.js';
import type { AuditReport } from './report.js';
import { hostedSummary } from './sandbox-text.js';

const code = (text: string) => `\`${text}\``;

/** Short summary lines shared by the Markdown and HTML forms. */
export function verdict(report: AuditReport): string {
  const v = report.verification;
  return v.passed
    ? `PASS: the filter allows exactly the policy table (all ${v.cases} paths through it followed, 0 disagreements).`
    : `FAIL: the filter and the policy table disagree (${v.disagreementCount} disagreeing regions over ${v.cases} paths; ` +
        `${v.unmatched.filter.length} filter conditions and ${v.unmatched.table.length} table rules unmatched).`;
}

export function observationSummary(report: AuditReport): string {
  const o = report.observation;
  if (o.status !== 'observed') return `${o.status}: ${o.reason}`;
  const end = o.timedOut
    ? `still running after ${o.timeoutMs} ms: stopped`
    : `exited with status ${o.exit.status}${o.exit.signal ? ` (${o.exit.signal})` : ''}`;
  return `recorded with ${o.mechanism}: ${o.distinct} distinct syscalls, ${o.total} calls; the guest ${end}.`;
}

/** The address-space line (docs/security.md §2.9): what the guest starts with, read live. */
export function addressSpaceSummary(report: AuditReport): string {
  const o = report.observation;
  if (o.status !== 'observed') return `Address space at the jump: not observed (${o.reason}).`;
  const a = o.addressSpace;
  if ('error' in a) return `Address space at the jump: not read (${a.error}).`;
  return `Address space at the jump (/proc/PID/maps when the filter went in): ${escapeText(addressSpaceText(a))}.`;
}

/** The clock line (docs/abi.md §4.5): whether the guest reads it without a system call, and why. */
export function clockSummary(report: AuditReport): string {
  const k = report.clock;
  return `Clock without a system call: ${k.withoutSyscall ? 'yes' : 'no'}: ${k.reason}.`;
}

export function footprintSummary(report: AuditReport): string {
  const f = report.footprint;
  return f.status === 'measured'
    ? `${f.uniqueFunctions} unique kernel functions (${f.tracer} tracer, ${f.tracefs}): ${f.note}`
    : `${f.status}: ${f.reason}`;
}

export function renderMarkdown(report: AuditReport): string {
  const u = report.unikernel;
  const f = report.filter;
  const v = report.verification;
  const o = report.observation;
  const c = report.comparison;
  const name = u.path.split('/').pop() ?? u.path;
  const lines: string[] = [
    `# Syscall-surface audit: ${escapeText(name)}`,
    '',
    `nabla ${report.tool.version} · report schema ${report.schemaVersion} · ${report.generatedAt} · ` +
      `Linux ${report.host.kernel} (${report.host.arch})`,
    '',
    `**${verdict(report)}**`,
    '',
    '## Unikernel',
    '',
    ...table(
      ['', 'value'],
      [
        ['path', code(escapeText(u.path))],
        ['size', `${u.bytes} bytes`],
        ['sha256', code(u.sha256)],
        ['memory', `${u.memMiB} MiB`],
        ['arguments', u.args.length > 0 ? code(escapeText(u.args.join(' '))) : '(none)'],
      ],
    ),
    '',
    ...(u.devices.length === 0
      ? ['Devices: none.']
      : table(
          ['index', 'name', 'type', 'attached', 'guest fd', 'geometry'],
          u.devices.map((d) => [
            d.index,
            escapeName(d.name),
            d.type,
            code(escapeText(d.attachment)),
            d.guestFd,
            kindOfType(d.type)?.geometry(d) ?? '',
          ]),
        )),
    '',
    '## 1. The enforced filter',
    '',
    'The BPF program `prepare()` compiled for this launch: byte for byte what the tender installs.',
    '',
    ...table(
      ['', 'value'],
      [
        ['instructions', f.instructions],
        ['bytes', f.bytes],
        ['sha256', code(f.sha256)],
        [
          'default action',
          'kill the process (any other syscall, x32 or i386 call, or architecture)',
        ],
      ],
    ),
    '',
    "libseccomp's text form of the program is Appendix A.",
    '',
    '## 2. The allowlist, decoded and proven',
    '',
    `Proven by following every path through the program with the set of inputs that takes it: ` +
      `x86_64 ${v.probed.x86_64}; x32 ${v.probed.x32}; i386 ${v.probed.i386}. ${v.cases} paths.`,
    '',
    ...table(
      ['nr', 'syscall', 'allowed when', 'reason (policy table)', 'device'],
      report.allowlist.flatMap((s) =>
        s.alternatives.map((alt) => [
          s.nr,
          s.name,
          code(alt.text),
          alt.reason ?? '**no table rule**',
          alt.device,
        ]),
      ),
    ),
    '',
  ];
  if (!v.passed) {
    lines.push(
      `**Disagreements: ${v.disagreementCount}** (first ${v.disagreements.length} listed).`,
      '',
      ...table(
        ['nr', 'syscall', 'ABI', 'args', 'filter', 'table'],
        v.disagreements.map((d) => [
          d.nr,
          d.name,
          d.abi,
          code(d.args.join(', ')),
          d.filter,
          d.table,
        ]),
      ),
      '',
      ...v.unmatched.filter.map((t) => `- in the filter, not in the table: ${code(t)}`),
      ...v.unmatched.table.map((t) => `- in the table, not in the filter: ${code(t)}`),
      '',
    );
  }
  lines.push(
    '## 3. Observed behaviour',
    '',
    observationSummary(report),
    '',
    addressSpaceSummary(report),
    '',
    clockSummary(report),
    '',
  );
  if (o.status === 'observed') {
    const allowed = new Set(report.allowlist.map((s) => s.nr));
    lines.push(
      ...table(
        ['nr', 'syscall', 'calls', 'in the allowlist'],
        o.calls.map((call) => [
          call.nr,
          call.name,
          call.count,
          allowed.has(call.nr) ? 'yes' : '**no**',
        ]),
      ),
      '',
      o.unusedRules.length === 0
        ? 'Every rule of the table was used.'
        : 'Allowed but unused (candidates to tighten):',
      '',
      ...o.unusedRules.map((r) => `- ${code(`${r.name}: ${r.text}`)} — ${r.reason}`),
      '',
      o.denied.length === 0
        ? 'Denied: none.'
        : `Denied: ${o.denied.map((d) => `${code(`${d.name}(${d.args.join(', ')})`)}`).join(', ')}`,
      '',
    );
    if (o.setupCalls) {
      const calls = o.setupCalls.reduce((sum, s) => sum + s.count, 0);
      lines.push(
        `Before the filter, the tender's own setup made ${o.setupCalls.length} distinct syscalls (${calls} calls; listed in report.json).`,
        '',
      );
    }
    if (o.installedFilterSha256) {
      const same = o.installedFilterSha256 === f.sha256;
      lines.push(
        `The filter read back from the running guest has sha256 ${code(o.installedFilterSha256)}: ` +
          `${same ? 'the same bytes as section 1' : '**not the bytes of section 1**'}.`,
        '',
      );
    }
  }
  lines.push(
    '## 4. Comparison',
    '',
    ...table(COMPARISON_HEADER, c.rows.map(comparisonCells)),
    '',
    c.sameSyscallsAsUpstream
      ? 'The same syscalls as upstream solo5-spt allows for these devices.'
      : 'Not the same syscalls as upstream solo5-spt allows for these devices.',
    '',
    ...c.peers.flatMap((peer) => [peerSentence(peer), '']),
    ...(hostedSummary(c.hosted) ? [hostedSummary(c.hosted) as string, ''] : []),
    'The chart of this table is in report.html.',
    '',
    '## 5. Kernel-function footprint',
    '',
    footprintSummary(report),
    '',
    '## Appendix A. libseccomp PFC',
    '',
    '```text',
    f.pfc.trimEnd(),
    '```',
    '',
  );
  return lines.join('\n');
}
