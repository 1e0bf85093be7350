// sandbox-text.ts: one paragraph saying which hosted build ran and how it was confined, for report.md and report.html.
import type { HostedSandbox, HostedSection, ReportLimit } from './report.js';

const list = (items: readonly string[]): string =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

const CAP_SETS = ['effective', 'permitted', 'inheritable', 'ambient', 'bounding'] as const;

function user(s: HostedSandbox): string {
  const u = s.user;
  const groups =
    u.groups === null
      ? ''
      : u.groups.length === 0
        ? ', no supplementary groups'
        : `, supplementary groups ${u.groups.join(', ')}`;
  return `as ${u.name} (uid ${u.uid ?? 'unknown'}, gid ${u.gid ?? 'unknown'}${groups})`;
}

function namespaces(s: HostedSandbox): string {
  const n = s.namespaces;
  const parts = [
    n.new.length > 0 ? `in new ${list(n.new)} namespaces` : 'in no namespace of its own',
  ];
  if (n.shared.length > 0) parts.push(`${list(n.shared)} shared with this host`);
  for (const r of n.refused)
    parts.push(`a new ${r.name} namespace refused by the host: ${r.reason}`);
  return parts.join('; ');
}

function capabilities(s: HostedSandbox): string {
  const held = CAP_SETS.filter((set) => !/^0+$/.test(s.capabilities[set] ?? '0'));
  const unknown = CAP_SETS.filter((set) => s.capabilities[set] === null);
  if (held.length === 0 && unknown.length === 0)
    return 'no capabilities (effective, permitted, inheritable, ambient and bounding sets empty)';
  return [
    ...held.map((set) => `${set} capabilities 0x${s.capabilities[set]}`),
    ...(unknown.length > 0 ? [`${list(unknown)} capabilities unknown`] : []),
  ].join(', ');
}

const limit = (name: string, l: ReportLimit | null): string =>
  l === null
    ? `${name} unknown`
    : l.soft === l.hard
      ? `${name} ${l.soft}`
      : `${name} ${l.soft} (hard ${l.hard})`;

/** "The hosted build (PATH, where from) ran as nobody (…); in new … namespaces; …". */
export function hostedSummary(hosted: HostedSection): string | null {
  if (hosted.status !== 'observed') return null;
  const s = hosted.sandbox;
  const from =
    hosted.from === 'option' ? 'given with --hosted' : "nabla's own build of this example";
  const facts = [
    user(s),
    namespaces(s),
    capabilities(s),
    s.noNewPrivs === null
      ? 'no_new_privs unknown'
      : s.noNewPrivs
        ? 'no_new_privs set'
        : 'no_new_privs **not** set',
    s.dumpable === null ? 'dumpability unknown' : s.dumpable ? 'dumpable' : 'not dumpable',
    `limits ${[limit('RLIMIT_NOFILE', s.rlimits.nofile), limit('RLIMIT_NPROC', s.rlimits.nproc), limit('RLIMIT_CORE', s.rlimits.core)].join(', ')}`,
    s.descriptors === null ? 'descriptors unknown' : `descriptors ${s.descriptors.join(', ')}`,
    s.environment === null
      ? 'environment unknown'
      : s.environment === 0
        ? 'an empty environment'
        : `${s.environment} environment variables`,
  ];
  return `The hosted build (${hosted.path}, ${from}) ran ${facts.join('; ')}.`;
}
