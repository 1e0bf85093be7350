// html.ts: the audit report as one self-contained HTML page (tables, the comparison chart inlined as SVG).
import { kindOfType } from '../devices/registry.js';
import { comparisonSvg } from './chart.js';
import {
  addressSpaceSummary,
  clockSummary,
  footprintSummary,
  observationSummary,
  verdict,
} from './markdown.js';
import { COMPARISON_HEADER, comparisonCells, peerSentence } from './peer-text.js';
import type { AuditReport } from './report.js';
import { hostedSummary } from './sandbox-text.js';

const html = (value: unknown): string =>
  String(value ?? '—').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

function table(
  id: string,
  head: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
): string {
  const th = head.map((h) => `<th>${html(h)}</th>`).join('');
  const tr = rows.map((row) => `<tr>${row.map((v) => `<td>${html(v)}</td>`).join('')}</tr>`);
  return `<table id="${id}"><thead><tr>${th}</tr></thead><tbody>${tr.join('')}</tbody></table>`;
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code,pre{font-family:ui-monospace,monospace;font-size:.85rem}
pre{background:#f7f7f7;padding:.75rem;overflow:auto}.pass{color:#176117}.fail{color:#a11}
.meta{color:#666}figure{margin:1rem 0}`;

export async function renderHtml(report: AuditReport): Promise<string> {
  const u = report.unikernel;
  const f = report.filter;
  const v = report.verification;
  const o = report.observation;
  const c = report.comparison;
  const name = u.path.split('/').pop() ?? u.path;
  const svg = await comparisonSvg(c.rows);
  const allowed = new Set(report.allowlist.map((s) => s.nr));
  const parts: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Syscall-surface audit: ${html(name)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>Syscall-surface audit: ${html(name)}</h1>`,
    `<p class="meta">nabla ${html(report.tool.version)} · report schema ${html(report.schemaVersion)} · ` +
      `${html(report.generatedAt)} · Linux ${html(report.host.kernel)} (${html(report.host.arch)})</p>`,
    `<p id="verdict" class="${v.passed ? 'pass' : 'fail'}"><strong>${html(verdict(report))}</strong></p>`,
    '<h2>Unikernel</h2>',
    table(
      'unikernel',
      ['', 'value'],
      [
        ['path', u.path],
        ['size', `${u.bytes} bytes`],
        ['sha256', u.sha256],
        ['memory', `${u.memMiB} MiB`],
        ['arguments', u.args.join(' ') || '(none)'],
      ],
    ),
    u.devices.length === 0
      ? '<p>Devices: none.</p>'
      : table(
          'devices',
          ['index', 'name', 'type', 'attached', 'guest fd', 'geometry'],
          u.devices.map((d) => [
            d.index,
            d.name,
            d.type,
            d.attachment,
            d.guestFd,
            kindOfType(d.type)?.geometry(d) ?? '',
          ]),
        ),
    '<h2>1. The enforced filter</h2>',
    '<p>The BPF program <code>prepare()</code> compiled for this launch: byte for byte what the tender installs.</p>',
    table(
      'filter',
      ['', 'value'],
      [
        ['instructions', f.instructions],
        ['bytes', f.bytes],
        ['sha256', f.sha256],
        [
          'default action',
          'kill the process (any other syscall, x32 or i386 call, or architecture)',
        ],
      ],
    ),
    '<h2>2. The allowlist, decoded and proven</h2>',
    '<p>Proven by following every path through the program with the set of inputs that takes it: ' +
      `x86_64 ${html(v.probed.x86_64)}; x32 ${html(v.probed.x32)}; i386 ${html(v.probed.i386)}. ` +
      `${v.cases} paths.</p>`,
    table(
      'allowlist',
      ['nr', 'syscall', 'allowed when', 'reason (policy table)', 'device'],
      report.allowlist.flatMap((s) =>
        s.alternatives.map((alt) => [
          s.nr,
          s.name,
          alt.text,
          alt.reason ?? 'no table rule',
          alt.device,
        ]),
      ),
    ),
  ];
  if (!v.passed) {
    parts.push(
      `<p class="fail">Disagreements: ${v.disagreementCount} (first ${v.disagreements.length} listed).</p>`,
      table(
        'disagreements',
        ['nr', 'syscall', 'ABI', 'args', 'filter', 'table'],
        v.disagreements.map((d) => [d.nr, d.name, d.abi, d.args.join(', '), d.filter, d.table]),
      ),
      `<ul>${[
        ...v.unmatched.filter.map(
          (t) => `<li>in the filter, not in the table: <code>${html(t)}</code></li>`,
        ),
        ...v.unmatched.table.map(
          (t) => `<li>in the table, not in the filter: <code>${html(t)}</code></li>`,
        ),
      ].join('')}</ul>`,
    );
  }
  parts.push(
    '<h2>3. Observed behaviour</h2>',
    `<p>${html(observationSummary(report))}</p>`,
    `<p id="address-space">${html(addressSpaceSummary(report))}</p>`,
    `<p id="clock">${html(clockSummary(report))}</p>`,
  );
  if (o.status === 'observed') {
    parts.push(
      table(
        'observed',
        ['nr', 'syscall', 'calls', 'in the allowlist'],
        o.calls.map((call) => [
          call.nr,
          call.name,
          call.count,
          allowed.has(call.nr) ? 'yes' : 'no',
        ]),
      ),
      o.unusedRules.length === 0
        ? '<p>Every rule of the table was used.</p>'
        : `<p>Allowed but unused (candidates to tighten):</p><ul>${o.unusedRules
            .map((r) => `<li><code>${html(`${r.name}: ${r.text}`)}</code> — ${html(r.reason)}</li>`)
            .join('')}</ul>`,
      `<p>Denied: ${
        o.denied.length === 0
          ? 'none'
          : o.denied
              .map((d) => `<code>${html(`${d.name}(${d.args.join(', ')})`)}</code>`)
              .join(', ')
      }.</p>`,
    );
    if (o.installedFilterSha256) {
      const same = o.installedFilterSha256 === f.sha256;
      parts.push(
        `<p>The filter read back from the running guest has sha256 <code>${html(o.installedFilterSha256)}</code>: ` +
          `${same ? 'the same bytes as section 1' : '<strong>not the bytes of section 1</strong>'}.</p>`,
      );
    }
  }
  parts.push(
    '<h2>4. Comparison</h2>',
    table('comparison', COMPARISON_HEADER, c.rows.map(comparisonCells)),
    `<p>${c.sameSyscallsAsUpstream ? 'The same' : 'Not the same'} syscalls as upstream solo5-spt allows for these devices.</p>`,
    ...c.peers.map(
      (peer) =>
        `<p class="peer" id="peer-${peer.id}">${html(peerSentence(peer).replace(/`/g, ''))}</p>`,
    ),
    ...(hostedSummary(c.hosted)
      ? [`<p id="hosted-sandbox">${html(hostedSummary(c.hosted)?.replace(/\*\*/g, ''))}</p>`]
      : []),
    `<figure id="chart">${svg}</figure>`,
    '<h2>5. Kernel-function footprint</h2>',
    `<p id="footprint">${html(footprintSummary(report))}</p>`,
    '<h2>Appendix A. libseccomp PFC</h2>',
    `<pre id="pfc">${html(f.pfc.trimEnd())}</pre>`,
    '</body></html>',
    '',
  );
  return parts.join('\n');
}
