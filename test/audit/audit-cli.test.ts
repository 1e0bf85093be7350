// audit-cli.test.ts: `nabla audit` with nabla-run's device options: stdout, --out DIR, a net guest on an @FD, errors.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';
import { example, NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { allowedOf, block, CORE, expectValidReport, net, sorted } from './expected.js';

const scratch = useScratch();
const FIRST_DEVICE_FD = 5;

function nabla(args: readonly string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  return r;
}

// Makes one end of a socketpair an inheritable descriptor, then execs the rest of the command
// line with @FD replaced by its number: a net device backed by no host interface at all.
const WITH_SOCKETPAIR = `
import os, socket, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
os.set_inheritable(a.fileno(), True)
os.execv(sys.argv[1], [x.replace('@FD', '@%d' % a.fileno()) for x in sys.argv[1:]])
`;

describe('nabla audit', () => {
  it('prints the Markdown report by default, with every section', () => {
    const r = nabla(['audit', '--no-observe', example('hello')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const heading of [
      '# Syscall-surface audit: hello.nabla',
      '**PASS: the filter allows exactly the policy table',
      '## 1. The enforced filter',
      '## 2. The allowlist, decoded and proven',
      '## 3. Observed behaviour',
      '## 4. Comparison',
      '## 5. Kernel-function footprint',
      '## Appendix A. libseccomp PFC',
    ])
      expect(r.stdout).toContain(heading);
    expect(r.stdout).toContain('| 231 | exit_group | `always` | solo5_exit and solo5_abort |');
    expect(r.stdout).toContain('skipped: not requested (--no-observe)');
  });

  it('--out DIR writes report.json (valid against the schema), report.md and report.html', () => {
    const dir = join(scratch.dir, 'out');
    const disk = scratch.disk('cli.img', 1 << 20);
    const r = nabla([
      'audit',
      '--out',
      dir,
      '--no-observe',
      `--block:storage=${disk}`,
      example('blk'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, 'report.json')}`);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as AuditReport;
    expectValidReport(report);
    expect(allowedOf(report)).toEqual(sorted([...CORE, ...block(FIRST_DEVICE_FD, 512, 1n << 20n)]));
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('pread64');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('a net guest on one end of a socketpair (--net:service=@FD): core plus read/write on its descriptor', () => {
    const r = spawnSync(
      'python3',
      [
        '-c',
        WITH_SOCKETPAIR,
        process.execPath,
        NABLA,
        'audit',
        '--format=json',
        '--no-observe',
        '--net:service=@FD',
        example('ping'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expectValidReport(report);
    expect(allowedOf(report)).toEqual(sorted([...CORE, ...net(FIRST_DEVICE_FD)]));
    expect(report.unikernel.devices[0]).toMatchObject({
      name: 'service',
      type: 'NET_BASIC',
      guestFd: 5,
    });
    expect(report.comparison.rows.find((row) => row.id === 'upstream')?.allowed).toBe(7);
  });

  it('passes guest ARGS after KERNEL and --observe-timeout to the observed run', () => {
    const r = nabla([
      'audit',
      '--format',
      'json',
      '--observe-timeout=5000',
      example('hello'),
      'a',
      'b',
    ]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.unikernel.args).toEqual(['a', 'b']);
    expect(report.observation).toMatchObject({ status: 'observed', timeoutMs: 5000 });
  });

  it("reports nabla-run's errors and its own under `nabla audit`, with status 1", () => {
    const missing = nabla(['audit', '--no-observe']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      'nabla audit: Missing KERNEL operand\nRun `nabla audit --help` for usage.\n',
    );
    const notAttached = nabla(['audit', '--no-observe', example('blk')]);
    expect(notAttached.status).toBe(1);
    expect(notAttached.stderr).toContain(
      "nabla audit: Device 'storage' of type BLOCK_BASIC declared but not attached.",
    );
    const badFormat = nabla(['audit', '--format=pdf', example('hello')]);
    expect(badFormat.status).toBe(1);
    expect(badFormat.stderr).toBe(
      'nabla audit: Expected md, json or html for --format but received "pdf"\n' +
        'Run `nabla audit --help` for usage.\n',
    );
  });

  it('is listed by `nabla --help` and has its own --help', () => {
    expect(nabla(['--help']).stdout).toContain('nabla audit');
    const help = nabla(['audit', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--no-observe');
    expect(help.stdout).toContain('--block:NAME=PATH');
  });
});
