// sandbox.test.ts: a running guest holds exactly the BPF TypeScript compiled, and nothing else.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyFilter } from '../../src/audit/verify-policy.js';
import { prepare, run } from '../../src/index.js';
import { installedFilter, openDescriptors, procStatus, waitFor } from '../helpers/live-guest.js';
import { guest, NABLA_RUN } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const disk = (name: string) => scratch.disk(name, 1 << 20);

function expectSandboxed(pid: number, expectedBpf: Buffer): void {
  const status = procStatus(pid);
  expect(status.Seccomp).toBe('2');
  expect(status.NoNewPrivs).toBe('1');
  const fds = openDescriptors(pid);
  expect(Object.keys(fds).map(Number).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  expect(fds[3]).toBe('anon_inode:[eventpoll]');
  expect(fds[4]).toBe('anon_inode:[timerfd]');
  expect(fds[5]).toMatch(/sandbox\.img$|disk\.img$/);
  const live = installedFilter(pid);
  expect(sha(live)).toBe(sha(expectedBpf));
  expect(live.equals(expectedBpf)).toBe(true);
}

describe('sandbox spt', () => {
  it('the BPF simulated for every syscall allows exactly the policy table', () => {
    const prepared = prepare({
      kernel: guest('sleeper'),
      block: [{ name: 'storage', path: disk('sim.img') }],
    });
    try {
      const { cases, disagreements } = verifyFilter(prepared.filter.bpf, prepared.policy);
      expect(cases).toBeGreaterThan(10); // paths through the program, each a region of inputs
      expect(disagreements).toEqual([]);
    } finally {
      prepared.release();
    }
  });

  it('a guest started through the API runs with the exact filter, NoNewPrivs and only planned descriptors', async () => {
    const handle = run({
      kernel: guest('sleeper'),
      block: [{ name: 'storage', path: disk('sandbox.img') }],
    });
    try {
      const out = handle.output();
      expect(handle.pid).toBeGreaterThan(0);
      if (!handle.stdout) throw new Error('stdout is not piped');
      await waitFor(handle.stdout, 'ready');
      expectSandboxed(handle.pid, handle.filter.bpf);
      handle.kill();
      expect((await out).signal).toBe('SIGKILL');
    } finally {
      handle.kill();
    }
  });

  it('nabla-run replaces itself with the tender (no Node process stays) and installs the same filter', async () => {
    const path = disk('disk.img');
    const expected = prepare({ kernel: guest('sleeper'), block: [{ name: 'storage', path }] });
    expected.release();
    const child = spawn(
      process.execPath,
      [NABLA_RUN, `--block:storage=${path}`, guest('sleeper')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      await waitFor(child.stdout, 'ready');
      const pid = child.pid as number;
      expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/\/nabla-spt$/);
      expectSandboxed(pid, expected.filter.bpf);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
