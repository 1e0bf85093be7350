// peer-text.ts: one sentence per peer sandbox for report.md and report.html: what was measured, which version, or why not.
import type { ComparisonRow, PeerSection } from './report.js';

/** The comparison table's header and cells, shared by report.md and report.html. */
export const COMPARISON_HEADER = [
  'sandbox',
  'syscalls allowed',
  'of which argument-filtered',
  'syscalls observed',
  'source',
];

export const comparisonCells = (r: ComparisonRow): Array<string | number> => [
  r.label,
  r.allowed ?? 'not given',
  r.argumentFiltered ?? '—',
  r.observed ?? '—',
  r.source,
];

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function peerSentence(peer: PeerSection): string {
  if (peer.status !== 'measured')
    return `${peer.label}: ${peer.status}${peer.version ? ` (${peer.version})` : ''}: ${peer.reason}.`;
  const approx =
    peer.approximatePaths > 0
      ? ` On ${peer.approximatePaths} of its ${peer.paths} paths a masked or bit test of an argument was taken both ways (an upper bound there).`
      : '';
  const witnesses =
    peer.unwitnessed === 0
      ? ' Each reachable syscall was confirmed by an input the plain BPF interpreter lets through.'
      : ` ${peer.unwitnessed} reachable syscalls were not confirmed by a witness input: the count is an upper bound.`;
  return (
    `${peer.label}, measured: ${peer.version} (${peer.binary}); set up as ${peer.setup}. ` +
    `${capitalized(peer.process)} holds ${peer.filters} filter${peer.filters === 1 ? '' : 's'} (${peer.instructions} instructions, sha256 ${peer.sha256.map((h) => h.slice(0, 16)).join(', ')}), ` +
    `read back with PTRACE_SECCOMP_GET_FILTER: ${peer.reachable} x86_64 syscalls reachable, ${peer.argumentFiltered} of them only for some argument values.${approx}${witnesses}`
  );
}
