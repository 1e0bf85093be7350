// peer-bundle.ts: an OCI bundle with Docker's default seccomp profile and capabilities, for the audit to run under crun.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DATA_DIR } from '../package/paths.js';

const DockerData = z.object({
  capabilities: z.array(z.string().regex(/^CAP_[A-Z_]+$/)),
  allowed: z.array(z.object({ name: z.string(), when: z.string().optional() })),
});

const OPS: Record<string, string> = {
  eq: 'SCMP_CMP_EQ',
  ne: 'SCMP_CMP_NE',
  lt: 'SCMP_CMP_LT',
  le: 'SCMP_CMP_LE',
  gt: 'SCMP_CMP_GT',
  ge: 'SCMP_CMP_GE',
  masked_eq: 'SCMP_CMP_MASKED_EQ',
};

interface OciArg {
  index: number;
  value: number;
  valueTwo: number;
  op: string;
}

/**
 * One alternative of a `when` ("arg0 ne 40 && arg1 eq 2") as OCI seccomp arguments. The data
 * file writes SCMP_CMP_MASKED_EQ with its mask only: Docker compares the masked argument with
 * 0 (valueTwo) in every such rule.
 */
function ociArgs(file: string, text: string): OciArg[] {
  return text.split(' && ').map((term) => {
    const m = /^arg([0-5]) ([a-z_]+) (\d+)$/.exec(term.trim());
    const op = m ? OPS[m[2] as string] : undefined;
    if (!m || op === undefined)
      throw new Error(`${file}: cannot read the condition ${JSON.stringify(term)}`);
    return { index: Number(m[1]), value: Number(m[3]), valueTwo: 0, op };
  });
}

/** Docker's default profile (data/docker-default-x86_64.json) as an OCI `linux.seccomp`. */
export function dockerSeccomp(): { seccomp: Record<string, unknown>; capabilities: string[] } {
  const file = join(DATA_DIR, 'docker-default-x86_64.json');
  const data = DockerData.parse(JSON.parse(readFileSync(file, 'utf8')));
  const syscalls = data.allowed.flatMap(({ name, when }) =>
    when === undefined
      ? [{ names: [name], action: 'SCMP_ACT_ALLOW' }]
      : when
          .split(' || ')
          .map((alt) => ({ names: [name], action: 'SCMP_ACT_ALLOW', args: ociArgs(file, alt) })),
  );
  return {
    // As Docker's: EPERM for anything else, on x86_64 and its i386 and x32 ABIs.
    seccomp: {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls,
    },
    capabilities: data.capabilities,
  };
}

/**
 * Writes a bundle in `dir` whose process runs `args` with Docker's profile and capabilities:
 * the rootfs is empty but for the host's /usr, bound read-only, and the usual symlinks.
 */
export function writeDockerBundle(dir: string, args: readonly string[]): void {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'usr'), { recursive: true });
  for (const d of ['proc', 'dev', 'tmp']) mkdirSync(join(rootfs, d));
  for (const link of ['bin', 'lib', 'lib64', 'sbin'])
    symlinkSync(`usr/${link}`, join(rootfs, link));
  const { seccomp, capabilities } = dockerSeccomp();
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/bin:/bin'],
      cwd: '/',
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'nabla-audit-peer',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      { destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro'] },
    ],
    linux: {
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network'].map((type) => ({ type })),
      seccomp,
    },
  };
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}
