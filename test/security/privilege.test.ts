// privilege.test.ts: a running guest holds no capability, no root, no extra descriptor, and its own namespaces.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepare, run } from '../../src/index.js';
import { planMemfd } from '../../src/launch/exec.js';
import { tenderPath } from '../../src/launch/tender-path.js';
import { PLAN_HEADER, PLAN_ID_KEEP } from '../../src/plan/format.js';
import { installedFilter, openDescriptors, procStatus, waitFor } from '../helpers/live-guest.js';
import { example, guest, NABLA_RUN } from '../helpers/paths.js';
import { limits, type Namespace, namespaces } from '../helpers/proc-state.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
// Guests started as another user must reach the disk: the directory is mkdtemp's 0700.
chmodSync(scratch.dir, 0o755);
const disk = (name: string) => {
  const path = scratch.disk(name, 1 << 20);
  chmodSync(path, 0o666);
  return path;
};

const root = process.geteuid?.() === 0;
const NOBODY = 65534;
/** The namespaces the tender makes for a guest without a network device. */
const NEW_NAMESPACES: Namespace[] = ['user', 'mnt', 'ipc', 'uts', 'net', 'cgroup'];

function passwdEntry(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} in /etc/passwd`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Starts the sleeper through nabla-run (the tender replaces Node) and waits for "ready". */
async function cliSleeper(
  extra: string[],
  options: { uid?: number; gid?: number } = {},
): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [NABLA_RUN, '--mem=16', ...extra, `--block:storage=${disk('cli.img')}`, guest('sleeper')],
    { stdio: ['ignore', 'pipe', 'pipe'], ...options },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  if (!child.stdout) throw new Error('stdout is not piped');
  await waitFor(child.stdout, 'ready');
  return { child, stderr: () => stderr };
}

function expectIds(pid: number, uid: number, gid: number): void {
  const status = procStatus(pid);
  expect(status.Uid).toBe(`${uid}\t${uid}\t${uid}\t${uid}`);
  expect(status.Gid).toBe(`${gid}\t${gid}\t${gid}\t${gid}`);
}

/** Everything the issue lists, for a guest with one block device and no network device. */
function expectLeastPrivilege(pid: number, bpf: Buffer): void {
  const status = procStatus(pid);
  for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
    expect([set, status[set]]).toEqual([set, '0000000000000000']);
  expect(status.NoNewPrivs).toBe('1');
  expect(status.Seccomp).toBe('2');
  expect(status.Groups).toBe('');
  // Only the planned descriptors: console, epoll set, timerfd, the disk.
  const fds = openDescriptors(pid);
  expect(Object.keys(fds).map(Number)).toEqual([0, 1, 2, 3, 4, 5]);
  expect([fds[3], fds[4]]).toEqual(['anon_inode:[eventpoll]', 'anon_inode:[timerfd]']);
  expect(fds[5]).toMatch(/\.img$/);
  // New namespaces, except pid: the guest stays the process that was started (see privilege.c).
  const mine = namespaces('self');
  const its = namespaces(pid);
  for (const ns of NEW_NAMESPACES) expect([ns, its[ns] === mine[ns]]).toEqual([ns, false]);
  expect(its.pid).toBe(mine.pid);
  expect(status.NSpid).toBe(String(pid));
  const limit = limits(pid);
  expect(limit['Max core file size']).toEqual({ soft: '0', hard: '0' });
  expect(limit['Max open files']).toEqual({ soft: '6', hard: '6' });
  expect(limit['Max processes']).toEqual({ soft: '0', hard: '0' });
  // Not dumpable: the kernel gives its private /proc files to root.
  expect(statSync(`/proc/${pid}/fd`).uid).toBe(0);
  // Root still reads the filter back (ptrace from the init user namespace).
  expect(installedFilter(pid).equals(bpf)).toBe(true);
}

/** Runs the tender directly on `plan` (hello's ELF on 4), as spawnTender lays descriptors out. */
function tenderOn(
  edit: (plan: Buffer) => void,
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stderr: string } {
  const prepared = prepare({ kernel: example('hello'), memMiB: 8 });
  const plan = prepared.encodePlan({ elfFd: 4, deviceFds: [] });
  edit(plan);
  const planFd = planMemfd(plan);
  try {
    const r = spawnSync(tenderPath(), ['3', example('hello')], {
      argv0: 'nabla-run',
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe', planFd, prepared.unikernel.fd],
    });
    return { status: r.status, stderr: r.stderr };
  } finally {
    closeSync(planFd);
    prepared.release();
  }
}

describe('least privilege spt', () => {
  it('the tender refuses to start with an environment', () => {
    expect(tenderOn(() => {}, { TZ: 'UTC', HOME: '/root' })).toEqual({
      status: 1,
      stderr:
        'nabla-run: refusing to start with 2 environment variables (the first is TZ): nabla-run starts the tender with none\n',
    });
  });

  it.each([
    [
      'half an id switch',
      (p: Buffer) => {
        p.writeUInt32LE(1000, PLAN_HEADER.uid);
        p.writeUInt32LE(PLAN_ID_KEEP, PLAN_HEADER.gid);
      },
      'uid 1000 and gid 4294967295: either both switch or both keep (0xffffffff)',
    ],
    [
      'an unknown namespace flag',
      (p: Buffer) => p.writeUInt32LE(0x80, PLAN_HEADER.namespaces),
      'unknown namespace flags 0x80',
    ],
    [
      'a parent pid without PDEATHSIG',
      (p: Buffer) => p.writeInt32LE(42, PLAN_HEADER.parentPid),
      'parent_pid 42 without the PDEATHSIG flag',
    ],
  ])('the tender refuses a plan with %s', (_, edit, message) => {
    const r = tenderOn(edit);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`nabla-run: invalid launch plan: ${message}`);
  });

  it.runIf(root)(
    'nabla-run started as root: the running guest is nobody with no capabilities, own namespaces and limits',
    async () => {
      const expected = prepare({
        kernel: guest('sleeper'),
        block: [{ name: 'storage', path: disk('expected.img') }],
      });
      expected.release();
      const { child } = await cliSleeper([]);
      try {
        const pid = child.pid as number;
        expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/\/nabla-spt$/);
        expectIds(pid, NOBODY, NOBODY);
        expectLeastPrivilege(pid, expected.filter.bpf);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it.runIf(root)('run() started as root: the same state', async () => {
    const handle = run({
      kernel: guest('sleeper'),
      memMiB: 16,
      block: [{ name: 'storage', path: disk('api.img') }],
    });
    try {
      if (!handle.stdout) throw new Error('stdout is not piped');
      await waitFor(handle.stdout, 'ready');
      expectIds(handle.pid, NOBODY, NOBODY);
      expectLeastPrivilege(handle.pid, handle.filter.bpf);
    } finally {
      handle.kill();
    }
  });

  it.runIf(root)('--user and run({ user }) are honoured: a name, and uid:gid numbers', async () => {
    const daemon = passwdEntry('daemon');
    const { child } = await cliSleeper(['--user=daemon']);
    try {
      expectIds(child.pid as number, daemon.uid, daemon.gid);
    } finally {
      child.kill('SIGKILL');
    }
    const handle = run({
      kernel: guest('sleeper'),
      memMiB: 16,
      user: '4321:8765',
      block: [{ name: 'storage', path: disk('numeric.img') }],
    });
    try {
      if (!handle.stdout) throw new Error('stdout is not piped');
      await waitFor(handle.stdout, 'ready');
      expectIds(handle.pid, 4321, 8765);
      expect(procStatus(handle.pid).CapEff).toBe('0000000000000000');
    } finally {
      handle.kill();
    }
  });

  it('an unknown user: status 1 and one clear line, nothing started', () => {
    const r = nablaRun(['--user=no-such-user', example('hello')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "nabla-run: Unknown user 'no-such-user' for --user: not found in the user database\n",
    );
    expect(() => run({ kernel: example('hello'), user: 'no-such-user' })).toThrow(
      "Unknown user 'no-such-user' for --user: not found in the user database",
    );
  });

  it.runIf(root)('--verbose lists every step, in order, before the guest prints', () => {
    const r = nablaRun(['--verbose', '--mem=8', example('hello'), 'quiet']);
    expect(r.status).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.every((line) => line.startsWith('nabla-run: '))).toBe(true);
    const steps = [
      'plan: user: nobody',
      'plan: namespaces:',
      'plan: limits:',
      'plan: version 3',
      'user: uid 0 -> 65534, gid 0 -> 65534',
      'user namespace: uid 65534 and gid 65534 mapped to themselves',
      'namespaces: new user mnt ipc uts net cgroup',
      'capabilities: effective, permitted, inheritable, ambient and bounding sets empty',
      'kernel: ',
      'descriptors: ',
      'limits: core 0, nofile 5, nproc 0',
      'dumpable: no',
      'clock: ', // the extension page (docs/abi.md §4.5)
      'seccomp: ',
    ];
    const at = steps.map((step) =>
      lines.findIndex((line) => line.startsWith(`nabla-run: ${step}`)),
    );
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.stdout).toContain('Command line: quiet');
  });

  it.runIf(root)(
    'a guest started by a non-root user keeps its ids, and still gets a user namespace and no capabilities',
    async () => {
      const user = { uid: 1000, gid: 1000 };
      const { child, stderr } = await cliSleeper(['--verbose'], user);
      try {
        const pid = child.pid as number;
        expectIds(pid, user.uid, user.gid);
        const status = procStatus(pid);
        for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
          expect([set, status[set]]).toEqual([set, '0000000000000000']);
        expect(namespaces(pid).user).not.toBe(namespaces('self').user);
        expect(stderr()).toContain('nabla-run: user: kept uid 1000, gid 1000 (as started)');
      } finally {
        child.kill('SIGKILL');
      }
      // Without root, another user cannot be had: an error, not a silent keep.
      const r = spawnSync(process.execPath, [NABLA_RUN, '--user=nobody', example('hello')], {
        encoding: 'utf8',
        ...user,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('nabla-run: --user=nobody needs root: running as uid 1000, gid 1000\n');
    },
  );

  it.runIf(root && spawnSync('unshare', ['--version']).status === 0)(
    'a host that refuses user namespaces: the guest runs, and --verbose says what was refused',
    () => {
      // Inside a user namespace whose limit for new ones is 0, as root of it.
      const script = `echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"`;
      const r = spawnSync(
        'unshare',
        [
          '--user',
          '--map-root-user',
          'sh',
          '-c',
          script,
          'sh',
          process.execPath,
          NABLA_RUN,
          '--user=0',
          '--verbose',
          '--mem=8',
          example('hello'),
        ],
        { encoding: 'utf8' },
      );
      expect(r.stdout).toContain('Hello, world!');
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(
        /nabla-run: namespaces: the host refused a new user namespace \(No space left on device\)/,
      );
      expect(r.stderr).toContain('nabla-run: namespaces: new mnt ipc uts net cgroup');
      expect(r.stderr).toContain('bounding sets empty');
    },
  );

  it.runIf(root)(
    '--core and run({ core }): core dumps allowed, and the guest stays dumpable',
    async () => {
      const handle = run({
        kernel: guest('sleeper'),
        memMiB: 16,
        core: true,
        block: [{ name: 'storage', path: disk('core.img') }],
      });
      try {
        if (!handle.stdout) throw new Error('stdout is not piped');
        await waitFor(handle.stdout, 'ready');
        const hard = limits(process.pid)['Max core file size']?.hard;
        expect(limits(handle.pid)['Max core file size']).toEqual({ soft: hard, hard });
        expect(statSync(`/proc/${handle.pid}/fd`).uid).toBe(NOBODY);
      } finally {
        handle.kill();
      }
    },
  );
});
