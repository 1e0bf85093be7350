// allowlist.ts: the report's proof section: the filter decoded path by path, matched against the policy table.
import type { PolicyRule } from '../policy/rules.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT } from './bpf-sim.js';
import { syscallNameOf } from './data.js';
import { conditionKey, type DecodedCondition, proveFilter } from './decode-filter.js';
import {
  type Abi,
  type AllowedSyscall,
  type AuditReport,
  conditionsText,
  type ReportCondition,
  type ReportDisagreement,
} from './report.js';

/** How many disagreements a report lists in full (the count is always given). */
const SHOWN_DISAGREEMENTS = 50;
/** What the path proof (verify-policy.ts) covers on each ABI: every input, none sampled. */
const PROBED: Record<Abi, string> = {
  x86_64: 'every number 0-0xffffffff, every argument value (path by path)',
  x32: 'every number with the x32 bit (all must be killed)',
  i386: 'every number (all must be killed), as every other architecture value',
};

const toReport = (c: DecodedCondition | PolicyRule['args'][number]): ReportCondition => ({
  index: c.index,
  op: c.op,
  value: c.value.toString(),
  ...('half' in c && c.half ? { half: c.half } : {}),
});

/** The ABI a disagreeing input came through; 'other' for an architecture value that is neither. */
function abiOf(nr: number, arch: number): ReportDisagreement['abi'] {
  if (arch === AUDIT_ARCH_I386) return 'i386';
  if (arch !== AUDIT_ARCH_X86_64) return 'other';
  return (nr & X32_SYSCALL_BIT) !== 0 ? 'x32' : 'x86_64';
}

const ruleText = (rule: PolicyRule): string =>
  `${rule.syscall}: ${conditionsText(rule.args.map(toReport))}`;

export interface ProvenAllowlist {
  verification: AuditReport['verification'];
  allowlist: AllowedSyscall[];
}

/**
 * Follows every path of the filter (every syscall number, ABI and argument value), lists
 * what it allows (with the table's reasons) and says where it and the table disagree, in
 * either direction.
 */
export function proveAllowlist(bpf: Buffer, policy: readonly PolicyRule[]): ProvenAllowlist {
  const proof = proveFilter(bpf, policy);
  const rulesByKey = new Map<string, PolicyRule[]>();
  for (const rule of policy) {
    const key = `${rule.nr}: ${conditionKey(rule.args)}`;
    rulesByKey.set(key, [...(rulesByKey.get(key) ?? []), rule]);
  }
  const matched = new Set<PolicyRule>();
  const unmatchedFilter: string[] = [];
  const allowlist: AllowedSyscall[] = proof.allowed.map((decoded) => {
    const name =
      syscallNameOf(decoded.nr) ??
      policy.find((r) => r.nr === decoded.nr)?.syscall ??
      `#${decoded.nr}`;
    return {
      nr: decoded.nr,
      name,
      argsVaried: decoded.argsVaried,
      alternatives: decoded.alternatives.map((alt) => {
        const conditions = alt.map(toReport);
        const rules = rulesByKey.get(`${decoded.nr}: ${conditionKey(alt)}`) ?? [];
        for (const rule of rules) matched.add(rule);
        const text = conditionsText(conditions);
        if (rules.length === 0) unmatchedFilter.push(`${name}: ${text}`);
        return {
          conditions,
          text,
          reason: rules.length > 0 ? rules.map((r) => r.reason).join('; ') : null,
          device: rules.find((r) => r.device !== undefined)?.device ?? null,
        };
      }),
    };
  });
  const unmatchedTable = policy.filter((r) => !matched.has(r)).map(ruleText);
  const disagreements = proof.disagreements.slice(0, SHOWN_DISAGREEMENTS).map((d) => {
    const abi = abiOf(d.nr, d.arch);
    const plain = abi === 'x32' ? (d.nr & ~X32_SYSCALL_BIT) >>> 0 : d.nr;
    return {
      nr: plain,
      // The names are x86_64's (x32 shares them); an i386 number names another call.
      name: abi === 'x86_64' || abi === 'x32' ? syscallNameOf(plain) : null,
      abi,
      args: d.args.map((a) => a.toString()),
      filter: d.filter ? ('allow' as const) : ('kill' as const),
      table: d.policy ? ('allow' as const) : ('kill' as const),
    };
  });
  return {
    verification: {
      passed:
        proof.disagreements.length === 0 &&
        unmatchedFilter.length === 0 &&
        unmatchedTable.length === 0,
      cases: proof.cases,
      probed: PROBED,
      disagreementCount: proof.disagreements.length,
      disagreements,
      unmatched: { filter: unmatchedFilter, table: unmatchedTable },
    },
    allowlist,
  };
}

/** One line for a failed verification: how many cases, and the first of them in words. */
export function verificationMessage(v: AuditReport['verification']): string {
  const first = v.disagreements[0];
  if (first) {
    const args = first.args.map((a) => `0x${BigInt(a).toString(16)}`).join(', ');
    return (
      `the compiled filter and the policy table disagree in ${v.disagreementCount} region${v.disagreementCount === 1 ? '' : 's'} of inputs (${v.cases} paths followed); ` +
      `first: ${first.name ?? '#'}(${first.nr}) ${first.abi} args [${args}]: filter would ${first.filter}, table says ${first.table}`
    );
  }
  const extra = [
    ...v.unmatched.filter.map((t) => `filter has ${t}`),
    ...v.unmatched.table.map((t) => `table has ${t}`),
  ];
  return `the compiled filter and the policy table differ: ${extra.join('; ')}`;
}
