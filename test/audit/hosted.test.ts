// hosted.test.ts: the audit runs only a hosted build someone named (or nabla's own), confined as the guest is.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import type { AuditReport, HostedSandbox } from '../../src/audit/report.js';
import { example, hosted, NABLA, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { expectValidReport } from './expected.js';

const scratch = useScratch();
const asRoot = process.getuid?.() === 0;
const NAMESPACES = ['user', 'mnt', 'ipc', 'uts', 'net', 'cgroup'];
const NO_CAPS = '0000000000000000';

function nablaAudit(args: readonly string[], cwd?: string) {
  const r = spawnSync(process.execPath, [NABLA, 'audit', '--no-footprint', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return r;
}

/** A directory as a stranger's download: NAME.nabla (a real unikernel) and build/hosted/NAME beside it. */
function strangersDirectory(name: string): { dir: string; marker: string } {
  const dir = join(scratch.dir, `stranger-${name}`);
  mkdirSync(join(dir, 'build/hosted'), { recursive: true });
  copyFileSync(example('hello'), join(dir, `${name}.nabla`));
  const marker = join(dir, 'marker');
  writeFileSync(join(dir, 'build/hosted', name), `#!/bin/sh\necho ran > ${marker}\n`, {
    mode: 0o755,
  });
  return { dir, marker };
}

describe('audit hosted: which program runs', () => {
  it.each(['app', 'hello'])(
    'never runs a build/hosted/%s that arrives beside the KERNEL in the current directory',
    (name) => {
      const { dir, marker } = strangersDirectory(name);
      const r = nablaAudit(['--format', 'json', `${name}.nabla`], dir);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(existsSync(marker)).toBe(false);
      const report = JSON.parse(r.stdout) as AuditReport;
      expect(report.observation.status).toBe('observed'); // the guest itself still runs
      expect(report.comparison.hosted).toEqual({
        status: 'not given',
        path: null,
        reason:
          "no hosted build given (--hosted PATH; found by itself only for nabla's own examples)",
      });
      expect(report.comparison.rows.find((row) => row.id === 'hosted')?.source).toBe(
        "not given: no hosted build given (--hosted PATH; found by itself only for nabla's own examples)",
      );
    },
  );

  it("finds nabla's own hosted build for nabla's own example, also through a symbolic link", async () => {
    const link = join(scratch.dir, 'linked.nabla');
    symlinkSync(example('hello'), link);
    for (const kernel of [example('hello'), link]) {
      const report = await audit({ kernel, footprint: false });
      expect(report.comparison.hosted).toMatchObject({ status: 'observed', from: 'nabla example' });
      expect(resolve(report.comparison.hosted.path ?? '')).toBe(hosted('hello'));
    }
    // The same name elsewhere is another file: nothing is found for it.
    const copy = join(scratch.dir, 'hello.nabla');
    copyFileSync(example('hello'), copy);
    const report = await audit({ kernel: copy, footprint: false, observe: false });
    expect(report.comparison.hosted.status).toBe('not given');
  });
});

describe('hosted target --block:NAME=@FD', () => {
  it('takes a regular file open read-write, and refuses any other descriptor in one line', () => {
    const disk = scratch.disk('at-fd.img', 1 << 20);
    const run = (flags: string, path = disk) => {
      const fd = openSync(path, flags);
      try {
        return spawnSync(hosted('blk'), ['--block:storage=@3', '--solo5:quiet'], {
          stdio: ['ignore', 'pipe', 'pipe', fd],
          encoding: 'utf8',
        });
      } finally {
        closeSync(fd);
      }
    };
    const ok = run('r+');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    for (const [flags, path] of [
      ['r', disk],
      ['r', '/dev/null'],
    ] as const) {
      const refused = run(flags, path);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toBe(
        'blk: Could not open block device: @3: not a regular file open for reading and writing\n',
      );
    }
  });
});

describe.skipIf(!asRoot)('audit hosted: how it runs (as root)', () => {
  let whoami = '';
  let outDir = '';
  beforeAll(() => {
    whoami = join(scratch.dir, 'whoami');
    execFileSync('gcc', [
      '-std=gnu11',
      '-Wall',
      '-Werror',
      '-O2',
      '-o',
      whoami,
      join(ROOT, 'test/audit/hosted-whoami.c'),
    ]);
    // The program writes what it saw here: as nobody, it needs a directory anyone may write.
    outDir = mkdtempSync(join(tmpdir(), 'nabla-hosted-'));
    chmodSync(outDir, 0o1777);
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  /** The program's own "KEY VALUE" lines. */
  function seenBy(file: string): Map<string, string> {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return new Map(
      lines.map((line) => {
        const [key = '', ...rest] = line.split(/[:\s]\s*/);
        return [
          key === 'ns' ? `ns ${rest[0]}` : key,
          (key === 'ns' ? rest.slice(1) : rest).join(' '),
        ];
      }),
    );
  }
  const ours = (name: string) => /\[(\d+)\]/.exec(readlinkSync(`/proc/self/ns/${name}`))?.[1];

  it('runs a --hosted program as nobody with no capabilities, no_new_privs, its own namespaces, its device as a descriptor', async () => {
    const out = join(outDir, 'nobody.txt');
    const disk = scratch.disk('whoami.img', 1 << 20);
    chmodSync(disk, 0o600); // root's alone: the program gets it only as the descriptor the audit opened
    const report = await audit({
      kernel: example('blk'),
      block: [{ name: 'storage', path: disk }],
      args: [out],
      hosted: whoami,
      footprint: false,
    });
    const h = report.comparison.hosted;
    if (h.status !== 'observed') throw new Error(`hosted: ${h.status}: ${h.reason}`);
    expect(h.exit.status).toBe(0);
    expect(h.from).toBe('option');

    const seen = seenBy(out);
    expect(seen.get('Uid')).toMatch(/^(\d+) \1 \1 \1$/);
    const uid = Number(seen.get('Uid')?.split(' ')[0]);
    expect(uid).not.toBe(0);
    expect(seen.get('Groups')).toBe('');
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
      expect(seen.get(set), set).toBe(NO_CAPS);
    expect(seen.get('NoNewPrivs')).toBe('1');
    for (const name of NAMESPACES) expect(seen.get(`ns ${name}`), name).not.toBe(ours(name));
    expect(seen.get('env')).toBe('0');
    expect(seen.get('fds')).toBe('0 1 2 3');
    expect(seen.get('fd3')).toBe(`${1 << 20} rdwr`);
    expect(seen.get('dumpable')).toBe('0');
    // EINVAL: uid 0 does not even exist in its user namespace.
    expect(['EPERM', 'EINVAL']).toContain(seen.get('setuid0'));
    if (existsSync('/etc/shadow')) expect(seen.get('shadow')).toBe('EACCES');

    // The report says the same, from what the recorder read at the program's exec.
    expect(h.sandbox).toEqual({
      user: { name: 'nobody', uid, gid: expect.any(Number), groups: [] },
      namespaces: { new: NAMESPACES, shared: ['pid', 'time'], refused: [] },
      capabilities: {
        effective: NO_CAPS,
        permitted: NO_CAPS,
        inheritable: NO_CAPS,
        ambient: NO_CAPS,
        bounding: NO_CAPS,
      },
      noNewPrivs: true,
      dumpable: false,
      rlimits: {
        nofile: { soft: '20', hard: '20' },
        nproc: { soft: '0', hard: '0' },
        core: { soft: '0', hard: '0' },
      },
      descriptors: [0, 1, 2, 3],
      environment: 0,
    } satisfies HostedSandbox);
    // Counting starts at the program's exec: none of the calls that confined it are its.
    const names = h.calls.map((c) => c.name);
    expect(names).toContain('execveat');
    for (const drop of ['setgroups', 'setresgid', 'setresuid', 'unshare', 'capset'])
      expect(names).not.toContain(drop);
    expectValidReport(report);
  });

  it("gives nabla's own hosted blk its disk as a descriptor it may use though nobody may open the file", async () => {
    const disk = scratch.disk('own-blk.img', 1 << 20);
    chmodSync(disk, 0o600);
    const report = await audit({
      kernel: example('blk'),
      block: [{ name: 'storage', path: disk }],
      footprint: false,
    });
    const h = report.comparison.hosted;
    if (h.status !== 'observed') throw new Error(`hosted: ${h.status}: ${h.reason}`);
    expect(h.from).toBe('nabla example');
    expect(h.exit).toEqual({ status: 0, code: 0, signal: null }); // it read and wrote every block
    expect(h.sandbox.user.name).toBe('nobody');
    expect(h.sandbox.descriptors).toEqual([0, 1, 2, 3]);
    expect(h.calls.map((c) => c.name)).toEqual(expect.arrayContaining(['pread64', 'pwrite64']));
  });

  it('refuses a script as the hosted build: it cannot run from an execute-only copy', async () => {
    const script = scratch.file('script.sh', '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o755);
    const report = await audit({ kernel: example('hello'), hosted: script, footprint: false });
    expect(report.comparison.hosted).toEqual({
      status: 'unavailable',
      path: script,
      reason: `recording failed: syscall-trace: ${script}: not an ELF executable (only a compiled program runs from an execute-only copy)`,
    });
  });

  it("honours nabla-run's --user, and says how it ran in report.md", () => {
    const out = join(outDir, 'user.txt');
    const dir = join(scratch.dir, 'report-user');
    const r = nablaAudit([
      '--out',
      dir,
      '--hosted',
      whoami,
      '--user=12345:12345',
      example('hello'),
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(seenBy(out).get('Uid')).toBe('12345 12345 12345 12345');
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain(
      `The hosted build (${whoami}, given with --hosted) ran as uid 12345 (uid 12345, gid 12345, no supplementary groups); in new user, mnt, ipc, uts, net and cgroup namespaces; pid and time shared with this host; no capabilities (effective, permitted, inheritable, ambient and bounding sets empty); no_new_privs set; not dumpable; limits RLIMIT_NOFILE 19, RLIMIT_NPROC 0, RLIMIT_CORE 0; descriptors 0, 1, 2; an empty environment.`,
    );
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<p id="hosted-sandbox">The hosted build');
  });
});
