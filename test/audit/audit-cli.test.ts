// audit-cli.test.ts: `nabla audit` with nabla-run's device options: stdout, --out DIR, a net guest on a tap @FD, errors.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { example, NABLA, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { allowedOf, block, CORE, expectValidReport, net, sorted } from './expected.js';

const scratch = useScratch();
const FIRST_DEVICE_FD = 5;

function nabla(args: readonly string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout });
  if (r.error) throw r.error;
  return r;
}

describe('nabla audit', () => {
  const netns = useNetns();
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

  // nabla takes only a tap for @FD (docs/security.md §2.4): one made in a private namespace and
  // handed over by fd-exec on descriptor 3, as another program would.
  it.skipIf(!canUseNetns)(
    'a net guest on a tap descriptor (--net:service=@3): core plus read/write on its descriptor',
    async () => {
      const ns = netns();
      ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
      const r = await ns.run(tool('fd-exec'), [
        '3',
        'tap',
        'tap0',
        '--',
        process.execPath,
        'node',
        NABLA,
        'audit',
        '--format=json',
        '--no-observe',
        '--net:service=@3',
        example('ping'),
      ]);
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
    },
  );

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
