// container.test.ts: the container-like peer: Docker's default profile compiled with errno EPERM, and bwrap running under it.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH_X86_64,
  decodeProgram,
  runFilter,
  SECCOMP_RET_ALLOW,
} from '../../src/audit/bpf-sim.js';
import {
  bwrapArgs,
  dockerFilter,
  dockerRules,
  parseCondition,
  SECCOMP_FD,
  writeDockerFilter,
} from '../../src/bench/scenarios/container.js';
import { hosted } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const SECCOMP_RET_ERRNO_EPERM = 0x00050001;
const NR = { read: 0, clone: 56, unshare: 272, mount: 165, personality: 135 } as const;
const CLONE_NEWNS = 0x00020000n;
const SIGCHLD = 17n;

const verdict = (bpf: Buffer, nr: number, args: bigint[] = []) =>
  runFilter(decodeProgram(bpf), { nr, arch: AUDIT_ARCH_X86_64, args }) >>> 0;

/** Runs `program args` in the container-like sandbox, the filter on descriptor 3. */
function inBwrap(program: string, args: string[]) {
  const fd = openSync(writeDockerFilter(scratch.dir), 'r');
  try {
    return spawnSync('bwrap', bwrapArgs(program, args), {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe', fd],
    });
  } finally {
    closeSync(fd);
  }
}

describe('container-like peer', () => {
  it('reads the conditions of the data file: Docker masked_eq compares the masked value with 0', () => {
    expect(parseCondition('arg0 ne 40')).toEqual([{ index: 0, op: 'ne', value: 40n }]);
    expect(parseCondition('arg0 masked_eq 2114060288')).toEqual([
      { index: 0, op: 'masked_eq', mask: 2114060288n, value: 0n },
    ]);
    expect(parseCondition('arg0 eq 1 && arg2 le 7')).toHaveLength(2);
    expect(() => parseCondition('arg9 eq 1')).toThrow(/cannot read the condition "arg9 eq 1"/);
  });

  it("has one rule per allowed name, one per alternative of personality's five values", () => {
    const rules = dockerRules();
    expect(new Set(rules.map((r) => r.syscall)).size).toBe(298);
    expect(rules.filter((r) => r.syscall === 'personality')).toHaveLength(5);
  });

  it("answers calls outside Docker's profile with EPERM, and keeps its argument conditions", () => {
    const bpf = dockerFilter();
    expect(verdict(bpf, NR.read)).toBe(SECCOMP_RET_ALLOW);
    expect(verdict(bpf, NR.mount)).toBe(SECCOMP_RET_ERRNO_EPERM);
    expect(verdict(bpf, NR.unshare)).toBe(SECCOMP_RET_ERRNO_EPERM);
    expect(verdict(bpf, NR.clone, [SIGCHLD])).toBe(SECCOMP_RET_ALLOW);
    expect(verdict(bpf, NR.clone, [SIGCHLD | CLONE_NEWNS])).toBe(SECCOMP_RET_ERRNO_EPERM);
    expect(verdict(bpf, NR.personality, [0n])).toBe(SECCOMP_RET_ALLOW);
    expect(verdict(bpf, NR.personality, [1n])).toBe(SECCOMP_RET_ERRNO_EPERM);
  });

  it('passes the filter to bwrap on descriptor 3, with Docker namespaces and capabilities', () => {
    const args = bwrapArgs('/x/hello', ['a']);
    expect(args.slice(args.indexOf('--seccomp'), args.indexOf('--seccomp') + 2)).toEqual([
      '--seccomp',
      String(SECCOMP_FD),
    ]);
    for (const flag of ['--unshare-pid', '--unshare-net', '--unshare-ipc', '--die-with-parent'])
      expect(args).toContain(flag);
    expect(args.filter((a) => a === '--cap-add')).toHaveLength(14);
    expect(args.slice(-2)).toEqual(['/app/hello', 'a']);
  });

  it('runs the hosted hello in bwrap under the profile', () => {
    const r = inBwrap(hosted('hello'), ['--solo5:quiet', 'boxed']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Hello, world!');
    expect(r.stdout).toContain('Command line: boxed');
  });

  it('a call outside the profile fails with EPERM in the sandbox instead of killing it', () => {
    // unshare(0) changes nothing and succeeds for anyone; Docker's profile does not allow it.
    const probe =
      'import ctypes; libc = ctypes.CDLL(None, use_errno=True); ' +
      `r = libc.syscall(${NR.unshare}, 0); print(r, ctypes.get_errno())`;
    const r = inBwrap('/usr/bin/python3', ['-c', probe]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('-1 1'); // -1, EPERM
  });
});
