// observe.test.ts: the syscalls real guests and a hosted build make, recorded under syscall-trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  observeGuest,
  observeProcess,
  type RecordedObservation,
  traceGuest,
} from '../../src/audit/observe.js';
import { NablaError, prepare, type RunOptions } from '../../src/index.js';
import { installedFilter, openDescriptors, procStatus, waitFor } from '../helpers/live-guest.js';
import { example, guest, hosted, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const MiB = 1 << 20;

/** docs/abi.md §5: every syscall the bindings may issue after the filter is in place. */
const HELLO_SURFACE = [
  'write',
  'exit_group',
  'clock_gettime',
  'epoll_pwait',
  'timerfd_settime',
  'arch_prctl',
];

async function observe(options: RunOptions, timeoutMs = 20_000): Promise<RecordedObservation> {
  const prepared = prepare(options);
  try {
    return await observeGuest(prepared, { timeoutMs });
  } finally {
    prepared.release();
  }
}

const counts = (calls: RecordedObservation['calls']) =>
  Object.fromEntries(calls.map((c) => [c.name, c.count]));

/** Processes whose parent is `ppid` (this kernel has no /proc/PID/task/TID/children). */
function childrenOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return procStatus(Number(pid)).PPid === String(ppid);
      } catch {
        return false; // gone while we looked
      }
    })
    .map(Number);
}

describe('observe spt', () => {
  it('hello makes only hypercall syscalls after seccomp; the tender set the filter up before', async () => {
    const o = await observe({ kernel: example('hello'), args: ['observed'] });
    expect(o.exit).toEqual({ status: 0, code: 0, signal: null });
    expect(o.stdout).toContain('Command line: observed');
    expect(o.timedOut).toBe(false);
    expect(o.filterInstalled).toBe(true);
    expect(o.denied).toEqual([]);
    const calls = counts(o.calls);
    for (const name of Object.keys(calls)) expect(HELLO_SURFACE).toContain(name);
    expect(calls.write).toBeGreaterThanOrEqual(2);
    expect(calls.exit_group).toBe(1);
    const setup = counts(o.setupCalls ?? []);
    expect(setup.seccomp).toBe(1);
    expect(setup.prctl).toBeGreaterThanOrEqual(1); // PR_SET_NO_NEW_PRIVS
    expect(setup.execve).toBe(1);
    expect(o.calls.find((c) => c.name === 'write')?.nr).toBe(1);
  });

  it('sysdup: the call the filter kills is recorded as denied, with its arguments', async () => {
    const o = await observe({ kernel: guest('sysdup') });
    expect(o.exit).toEqual({ status: 159, code: null, signal: 'SIGSYS' }); // 159 = 128 + SIGSYS
    expect(o.denied).toHaveLength(1);
    expect(o.denied[0]?.nr).toBe(32);
    expect(o.denied[0]?.name).toBe('dup');
    expect(o.denied[0]?.args[0]).toBe('0x1'); // dup(1)
    expect(o.denied[0]?.args).toHaveLength(6);
    expect(counts(o.calls).dup).toBe(1); // attempted once, counted once
  });

  it('blk: one pwrite64 and one pread64 per 512-byte block of a 1 MiB disk', async () => {
    const o = await observe({
      kernel: example('blk'),
      block: [{ name: 'storage', path: scratch.disk('blk.img', MiB) }],
    });
    expect(o.exit.status).toBe(0);
    expect(o.stdout).toContain('blk: 2048 blocks of 512 bytes verified');
    const calls = counts(o.calls);
    expect(calls.pwrite64).toBe(MiB / 512);
    expect(calls.pread64).toBe(MiB / 512);
    // The refused reads (offset == capacity, misaligned) never reach the host.
    expect(o.denied).toEqual([]);
  });

  it('a guest still running at the deadline is killed, reaped and reported as timed out', async () => {
    const prepared = prepare({
      kernel: guest('sleeper'),
      block: [{ name: 'storage', path: scratch.disk('sleeper.img', MiB) }],
    });
    try {
      const started = Date.now();
      const { tracer, observation } = traceGuest(prepared, { timeoutMs: 1_000 });
      const o = await observation;
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(1_000);
      expect(elapsed).toBeLessThan(10_000);
      expect(o.timedOut).toBe(true);
      expect(o.exit).toEqual({ status: 137, code: null, signal: 'SIGKILL' }); // 137 = 128 + SIGKILL
      expect(o.stdout).toContain('ready');
      expect(counts(o.calls).epoll_pwait).toBeGreaterThanOrEqual(1);
      // Neither the guest nor the tracer is left, not even as a zombie.
      expect(existsSync(`/proc/${o.pid}`)).toBe(false);
      expect(tracer.exitCode).toBe(0);
      expect(existsSync(`/proc/${tracer.pid}`)).toBe(false);
      expect(childrenOf(tracer.pid as number)).toEqual([]);
    } finally {
      prepared.release();
    }
  });

  it('a traced guest holds the very BPF prepared, its only filter, and only planned descriptors', async () => {
    const prepared = prepare({
      kernel: guest('sleeper'),
      block: [{ name: 'storage', path: scratch.disk('traced.img', MiB) }],
    });
    try {
      const { tracer, observation } = traceGuest(prepared, { readFilter: true, timeoutMs: 20_000 });
      if (!tracer.stdout) throw new Error('stdout is not piped');
      await waitFor(tracer.stdout, 'ready');
      const [pid] = childrenOf(tracer.pid as number);
      if (pid === undefined) throw new Error('no tracee under syscall-trace');
      const status = procStatus(pid);
      expect(status.TracerPid).toBe(String(tracer.pid));
      expect(status.Seccomp).toBe('2');
      expect(status.Seccomp_filters).toBe('1'); // ptrace added no filter of its own
      expect(status.NoNewPrivs).toBe('1');
      // The tender's executable, whose argv went with its stack at the jump (docs/security.md §2.3).
      expect(readFileSync(`/proc/${pid}/comm`, 'utf8')).toBe('nabla-spt\n');
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('');
      // The tracer's report pipe is close-on-exec: the guest sees what run() gives it.
      const fds = openDescriptors(pid);
      expect(Object.keys(fds).map(Number).sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(fds[3]).toBe('anon_inode:[eventpoll]');
      expect(fds[4]).toBe('anon_inode:[timerfd]');
      // A process has one tracer: seccomp-dump (itself ptrace) cannot attach, hence --read-filter.
      expect(() => installedFilter(pid)).toThrow(/cannot attach: Operation not permitted/);
      process.kill(pid, 'SIGKILL');
      const o = await observation;
      expect(o.timedOut).toBe(false);
      expect(o.exit.signal).toBe('SIGKILL');
      expect(o.installedFilter?.equals(prepared.filter.bpf)).toBe(true);
    } finally {
      prepared.release();
    }
  });
});

describe('observe process', () => {
  it('the hosted hello, a normal Linux program, makes many more distinct syscalls and none denied', async () => {
    const o = await observeProcess(hosted('hello'), ['observed'], { timeoutMs: 20_000 });
    expect(o.exit).toEqual({ status: 0, code: 0, signal: null });
    expect(o.stdout).toContain('Hello, world!');
    expect(o.setupCalls).toBeUndefined();
    expect(o.denied).toEqual([]);
    const names = o.calls.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['execve', 'mmap', 'openat', 'write']));
    expect(names.length).toBeGreaterThanOrEqual(15);
    expect(names.length).toBeGreaterThan(2 * HELLO_SURFACE.length);
  });

  it('a fork is refused: the process is killed and the report says so', async () => {
    const o = await observeProcess('/bin/sh', ['-c', '/bin/true; echo after'], {
      timeoutMs: 20_000,
    });
    expect(o.forked).toBe(true);
    expect(o.exit.signal).toBe('SIGKILL');
    expect(o.stdout).not.toContain('after');
  });

  it("the tracer's own failure is a NablaError with its reason", async () => {
    const failure = observeProcess('/nonexistent/program', []);
    await expect(failure).rejects.toBeInstanceOf(NablaError);
    await expect(failure).rejects.toThrow(
      'syscall-trace: /nonexistent/program: cannot execute: No such file or directory',
    );
  });
});

describe('syscall-trace', () => {
  it('passes the program its argv[0] and console, and writes the report to --out', () => {
    const out = join(scratch.dir, 'report.json');
    const result = spawnSync(
      tool('syscall-trace'),
      ['--out', out, '--argv0', 'renamed', '--', '/bin/sh', '-c', 'echo $0; exit 3'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0); // traced to the end, whatever the program's own status
    expect(result.stdout).toBe('renamed\n');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({
      mechanism: 'ptrace',
      afterSeccomp: false,
      denied: [],
      exit: { code: 3 },
      timedOut: false,
      forked: false,
    });
    expect(report.setup).toBeUndefined();
    expect(report.calls['59']).toBe(1); // execve: counting starts there
  });

  it.skipIf(process.getuid?.() !== 0)(
    'says in one line why it could not confine a program, and runs none of it',
    () => {
      // As nobody, switching to root's ids is refused at the first step (the groups).
      const result = spawnSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          tool('syscall-trace'),
          '--confine',
          '--user',
          '0:0',
          '--',
          '/bin/sh',
          '-c',
          'echo ran',
        ],
        { encoding: 'utf8' },
      );
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'syscall-trace: /bin/sh: cannot confine it: cannot clear the supplementary groups: Operation not permitted\n',
      );
      const unconfined = spawnSync(tool('syscall-trace'), ['--user', '1:1', '--', '/bin/true'], {
        encoding: 'utf8',
      });
      expect(unconfined.status).toBe(2);
      expect(unconfined.stderr).toBe(
        'syscall-trace: --user, --namespaces, --rlimit-*, --fds and --exec-only need --confine\n',
      );
    },
  );

  it('fails with status 2 and one line for its own errors', () => {
    const result = spawnSync(tool('syscall-trace'), ['--bogus', '--', '/bin/true'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^syscall-trace: invalid option '--bogus' \(usage: .+\)\n$/);
  });
});
