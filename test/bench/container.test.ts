// container.test.ts: the container-like peer: bwrap running a program under Docker's default profile and capabilities.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bwrapArgs, SECCOMP_FD, writeDockerFilter } from '../../src/bench/scenarios/container.js';
import { hosted } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const NR_UNSHARE = 272;

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
      `r = libc.syscall(${NR_UNSHARE}, 0); print(r, ctypes.get_errno())`;
    const r = inBwrap('/usr/bin/python3', ['-c', probe]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('-1 1'); // -1, EPERM
  });
});
