// docker-profile.ts: Docker's default seccomp profile and capabilities (data/docker-default-x86_64.json), read once, in each form a comparison needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type ArgComparison,
  type ComparisonOp,
  compileFilter,
  type FilterRule,
} from '../native/index.js';
import { DATA_DIR } from '../package/paths.js';

/*
 * One reader for the three places that stand Docker beside nabla: the audit's comparison (the
 * profile as names), the bench's bubblewrap sandbox (the profile compiled to BPF by our addon)
 * and the OCI bundles that crun runs for the bench and the audit (the profile in the runtime
 * spec's linux.seccomp form, which crun compiles with its own libseccomp).
 */

const FILE = join(DATA_DIR, 'docker-default-x86_64.json');
/** Docker answers a call outside the profile with EPERM (defaultErrnoRet 1). */
const EPERM = 1;

const DockerFile = z.object({
  source: z.object({
    repository: z.string(),
    path: z.string(),
    commit: z.string(),
    license: z.string(),
  }),
  capabilities: z.array(z.string().regex(/^CAP_[A-Z_]+$/)),
  count: z.number().int(),
  allowed: z.array(
    z.object({ name: z.string(), nr: z.number().int(), when: z.string().optional() }),
  ),
});
export type DockerProfile = z.infer<typeof DockerFile>;

let profile: DockerProfile | undefined;

/** The data file, checked against its shape on first use. */
export function dockerProfile(): DockerProfile {
  if (profile !== undefined) return profile;
  const parsed = DockerFile.safeParse(JSON.parse(readFileSync(FILE, 'utf8')));
  if (!parsed.success) throw new Error(`${FILE}: not the expected shape: ${parsed.error.message}`);
  profile = parsed.data;
  return profile;
}

const OPS = new Set<ComparisonOp>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq']);

/**
 * One alternative of a `when` condition ("arg0 ne 40 && arg1 eq 2") as comparisons. The data
 * file writes Docker's SCMP_CMP_MASKED_EQ with its mask only: Docker's profile compares the
 * masked argument with 0 (valueTwo) in every such rule, so the value is 0 (e.g. clone without
 * namespace flags).
 */
export function parseCondition(text: string): ArgComparison[] {
  return text.split(' && ').map((term) => {
    const match = /^arg([0-5]) ([a-z_]+) (\d+)$/.exec(term.trim());
    if (!match || !OPS.has(match[2] as ComparisonOp))
      throw new Error(`${FILE}: cannot read the condition ${JSON.stringify(term)}`);
    const index = Number(match[1]) as ArgComparison['index'];
    const op = match[2] as ComparisonOp;
    const value = BigInt(match[3] as string);
    return op === 'masked_eq' ? { index, op, mask: value, value: 0n } : { index, op, value };
  });
}

/** Docker's default capability set. */
export const dockerCapabilities = (): string[] => [...dockerProfile().capabilities];

/** Docker's default profile as allow rules: one per name, or one per alternative of its `when`. */
export function dockerRules(): FilterRule[] {
  return dockerProfile().allowed.flatMap(({ name, when }) =>
    when === undefined
      ? [{ syscall: name, args: [] }]
      : when
          .split(' || ')
          .map((alternative) => ({ syscall: name, args: parseCondition(alternative) })),
  );
}

/** The profile compiled to BPF by our addon, default action errno EPERM as Docker's. */
export function dockerFilter(): Buffer {
  return compileFilter(dockerRules(), { defaultAction: { errno: EPERM } }).bpf;
}

const SPEC_OPS: Readonly<Record<ComparisonOp, string>> = {
  eq: 'SCMP_CMP_EQ',
  ne: 'SCMP_CMP_NE',
  lt: 'SCMP_CMP_LT',
  le: 'SCMP_CMP_LE',
  gt: 'SCMP_CMP_GT',
  ge: 'SCMP_CMP_GE',
  masked_eq: 'SCMP_CMP_MASKED_EQ',
};

/**
 * The profile as an OCI runtime spec's `linux.seccomp`, as Docker hands it to its runtime:
 * errno EPERM for anything else, on x86_64 and the i386 and x32 ABIs Docker lists beside it;
 * the unconditional names in one entry, each alternative of a condition in its own.
 */
export function dockerOciSeccomp(): Record<string, unknown> {
  const plain: string[] = [];
  const conditional: Array<Record<string, unknown>> = [];
  for (const rule of dockerRules()) {
    if (rule.args.length === 0) {
      plain.push(rule.syscall);
      continue;
    }
    conditional.push({
      names: [rule.syscall],
      action: 'SCMP_ACT_ALLOW',
      // The spec's MASKED_EQ: (arg & value) == valueTwo.
      args: rule.args.map((a) =>
        a.op === 'masked_eq'
          ? { index: a.index, value: Number(a.mask), valueTwo: Number(a.value), op: SPEC_OPS[a.op] }
          : { index: a.index, value: Number(a.value), op: SPEC_OPS[a.op] },
      ),
    });
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names: plain, action: 'SCMP_ACT_ALLOW' }, ...conditional],
  };
}
