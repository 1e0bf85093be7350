// audit.test.ts: audit() proves the filter a run installs against docs/abi.md §5, observes the guest, and fails on a mismatch.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addressSpaceText, classifyAddressSpace } from '../../src/audit/address-space.js';
import { AuditError, audit, auditPrepared } from '../../src/audit/audit.js';
import { currentClocksource, VDSO_CLOCKSOURCES } from '../../src/audit/clock.js';
import { renderMarkdown } from '../../src/audit/markdown.js';
import { prepare, run } from '../../src/index.js';
import { buildElf } from '../helpers/elf-builder.js';
import { installedFilter, waitFor } from '../helpers/live-guest.js';
import { example, guest, hosted } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { allowedOf, block, CORE, expectValidReport, sorted } from './expected.js';

const scratch = useScratch();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The first device's descriptor in the guest (src/plan/layout.ts). */
const FIRST_DEVICE_FD = 5;
const MiB = 1n << 20n;

describe('audit spt', () => {
  it('hello (no devices): the allowlist is §5 core, proven over every syscall, x32 and i386', async () => {
    const report = await audit({ kernel: example('hello'), observe: false });
    expect(allowedOf(report)).toEqual(sorted(CORE));
    expect(report.verification).toMatchObject({ passed: true, disagreementCount: 0 });
    // Paths through the program: together they hold every input, each decided alike.
    expect(report.verification.cases).toBeGreaterThan(10);
    const reasons = report.allowlist.flatMap((s) => s.alternatives.map((a) => a.reason));
    expect(reasons.every((r) => typeof r === 'string' && r.length > 0)).toBe(true);
    expect(report.filter.instructions * 8).toBe(report.filter.bytes);
    expect(report.filter.pfc).toContain('pseudo filter code start');
    expect(report.comparison.sameSyscallsAsUpstream).toBe(true);
    expectValidReport(report);
  });

  it('clock: says whether the guest reads the clock without a system call, and the observed run agrees', async () => {
    const report = await audit({
      kernel: guest('clock'),
      args: ['--solo5:quiet'],
      footprint: false,
    });
    const source = currentClocksource();
    const inVdso = source !== null && VDSO_CLOCKSOURCES.includes(source);
    expect(report.clock).toMatchObject({
      withoutSyscall: inVdso,
      pagePublished: true,
      vdsoMapped: true,
      clocksource: source,
      clocksourceInVdso: inVdso,
      guestPageVersion: 1, // the SDK's EXT1 note
    });
    expect(report.clock.reason).toMatch(
      inVdso ? /SDK in the image calls it/ : /not read in user space/,
    );
    expect(renderMarkdown(report)).toContain(
      `Clock without a system call: ${inVdso ? 'yes' : 'no'}: ${report.clock.reason}.`,
    );
    // What it says is what the guest did: 20,001 clock reads, only ssp_init's 2 as system calls.
    if (report.observation.status !== 'observed') throw new Error(report.observation.reason);
    const made = report.observation.calls.find((c) => c.name === 'clock_gettime')?.count ?? 0;
    if (report.clock.withoutSyscall) expect(made).toBe(2);
    else expect(made).toBeGreaterThan(20_000);
    expectValidReport(report);
  });

  it('clock: an image without the EXT1 note (as upstream builds) makes the system call: no', async () => {
    const kernel = scratch.file('no-ext-note.spt', buildElf());
    const report = await audit({ kernel, observe: false, footprint: false });
    expect(report.clock).toMatchObject({
      withoutSyscall: false,
      pagePublished: true,
      guestPageVersion: null,
    });
    expect(report.clock.reason).toContain('no EXT1 note');
    expect(renderMarkdown(report)).toContain('Clock without a system call: no: ');
    expectValidReport(report);
  });

  it('blk (one block device, 4096-byte blocks): core plus pread64/pwrite64 bounded to the device', async () => {
    const path = scratch.disk('blk.img', Number(2n * MiB));
    const report = await audit({
      kernel: example('blk'),
      block: [{ name: 'storage', path, sectorSize: 4096 }],
      observe: false,
    });
    expect(allowedOf(report)).toEqual(sorted([...CORE, ...block(FIRST_DEVICE_FD, 4096, 2n * MiB)]));
    const pread = report.allowlist.find((s) => s.name === 'pread64');
    expect(pread?.alternatives[0]?.device).toBe('storage');
    expect(report.unikernel.devices).toEqual([
      expect.objectContaining({
        name: 'storage',
        guestFd: 5,
        blockSize: 4096,
        capacity: `${2n * MiB}`,
        readOnly: false,
      }),
    ]);
    const rows = Object.fromEntries(report.comparison.rows.map((r) => [r.id, r.allowed]));
    expect(rows).toMatchObject({ unikernel: 8, upstream: 8 });
    expectValidReport(report);
  });

  it('a read-only block device: the same rules (pwrite64 stays: its writes fail with EBADF), shown read-only', async () => {
    const path = scratch.disk('blk-ro.img', Number(2n * MiB));
    const report = await audit({
      kernel: example('blk'),
      block: [{ name: 'storage', path, sectorSize: 4096, readOnly: true }],
      observe: false,
    });
    expect(allowedOf(report)).toEqual(sorted([...CORE, ...block(FIRST_DEVICE_FD, 4096, 2n * MiB)]));
    expect(report.unikernel.devices).toEqual([
      expect.objectContaining({ name: 'storage', readOnly: true, mtu: null }),
    ]);
    expect(renderMarkdown(report)).toContain(`${2n * MiB} bytes, block 4096, read-only`);
    expectValidReport(report);
  });

  it.each([
    ['the start engine', true],
    ['a spawned tender', false],
  ])(
    'the sha256 in the report is the sha256 of the filter read back from a guest run with the same options (%s)',
    async (_, engine) => {
      const options = {
        kernel: guest('sleeper'),
        block: [{ name: 'storage', path: scratch.disk(`live-${engine}.img`, 1 << 20) }],
      };
      const report = await audit({ ...options, observe: false });
      const handle = run(options, { engine });
      try {
        if (!handle.stdout) throw new Error('stdout is not piped');
        await waitFor(handle.stdout, 'ready');
        const live = installedFilter(handle.pid);
        expect(sha(live)).toBe(report.filter.sha256);
        expect(live.length).toBe(report.filter.bytes);
      } finally {
        handle.kill();
      }
    },
  );

  it('fails, with the report attached, when the policy table lacks a rule the filter has', async () => {
    const prepared = prepare({ kernel: example('hello') });
    try {
      const lacking = {
        ...prepared,
        policy: prepared.policy.filter((r) => r.syscall !== 'arch_prctl'),
      };
      const error = await auditPrepared(lacking, {
        kernel: example('hello'),
        observe: false,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuditError);
      const report = (error as AuditError).report;
      expect((error as Error).message).toMatch(
        /disagree in \d+ regions? of inputs \(\d+ paths followed\); first: arch_prctl\(158\)/,
      );
      expect(report.verification.passed).toBe(false);
      expect(report.verification.disagreements[0]).toMatchObject({
        nr: 158,
        filter: 'allow',
        table: 'kill',
      });
      expect(report.verification.unmatched.filter).toEqual(['arch_prctl: a0 == 0x1002']);
      expect(report.observation).toMatchObject({ status: 'skipped' });
      expectValidReport(report);
    } finally {
      prepared.release();
    }
  });

  it('fails when the table is stricter on an argument than the filter', async () => {
    const prepared = prepare({
      kernel: example('blk'),
      block: [{ name: 'storage', path: scratch.disk('strict.img', 1 << 20) }],
    });
    try {
      const stricter = prepared.policy.map((r) =>
        r.syscall === 'pread64'
          ? { ...r, args: r.args.map((a) => (a.index === 3 ? { ...a, value: a.value - 512n } : a)) }
          : r,
      );
      const error = await auditPrepared(
        { ...prepared, policy: stricter },
        { kernel: example('blk'), observe: false },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuditError);
      const { verification } = (error as AuditError).report;
      expect(verification.disagreements.some((d) => d.nr === 17 && d.filter === 'allow')).toBe(
        true,
      );
      expect(verification.unmatched.table).toHaveLength(1);
    } finally {
      prepared.release();
    }
  });

  it('observes hello: its calls with counts, the unused rules, nothing denied, and the hosted build', async () => {
    const report = await audit({ kernel: example('hello'), args: ['audit'] });
    const o = report.observation;
    if (o.status !== 'observed') throw new Error(`not observed: ${o.status}: ${o.reason}`);
    expect(o.exit.status).toBe(0);
    expect(o.timedOut).toBe(false);
    expect(o.denied).toEqual([]);
    const names = o.calls.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['write', 'exit_group']));
    expect(o.calls.find((c) => c.name === 'exit_group')?.count).toBe(1);
    expect(o.unusedRules.map((r) => r.name)).toContain('epoll_pwait');
    expect(o.stdout).toContain('Command line: audit');
    if (o.installedFilterSha256 !== null)
      expect(o.installedFilterSha256).toBe(report.filter.sha256);
    const h = report.comparison.hosted;
    expect(h.status).toBe('observed');
    expect(resolve(h.path ?? '')).toBe(hosted('hello'));
    const rows = Object.fromEntries(report.comparison.rows.map((r) => [r.id, r]));
    expect(rows.unikernel?.observed).toBe(o.distinct);
    expect(rows.hosted?.observed).toBeGreaterThan(o.distinct);
    expect(rows.hosted?.allowed).toBeGreaterThan(300);
    expect(rows.docker?.allowed).toBe(298);
    expectValidReport(report);
  });

  it("says what the guest's address space holds when its filter goes in: guest memory, the vDSO, one trampoline page, nothing of the tender", async () => {
    const report = await audit({ kernel: example('hello'), memMiB: 8 });
    const o = report.observation;
    if (o.status !== 'observed') throw new Error(`not observed: ${o.status}: ${o.reason}`);
    const a = o.addressSpace;
    if ('error' in a) throw new Error(`address space not read: ${a.error}`);
    expect(a.guestMemory).toEqual({
      start: '0x10000',
      end: '0x800000',
      mappings: expect.any(Number),
      covered: true,
    });
    expect(a.vdso).toContain('[vdso]');
    expect(a.trampoline.map((t) => t.perms)).toEqual(['r-xp']);
    expect(a.other).toEqual([]);
    expect(renderMarkdown(report)).toContain(
      `Address space at the jump (/proc/PID/maps when the filter went in): ${addressSpaceText(a)}.`,
    );
    expectValidReport(report);
  });

  it('the address-space groups: a mapping of the tender left behind is reported as other', () => {
    const maps = [
      '00010000-00100000 rw-p 00000000 00:00 0',
      '00100000-00101000 r-xp 00000000 00:00 0',
      '00101000-00800000 rw-p 00000000 00:00 0',
      '55d0c0a00000-55d0c0a10000 r-xp 00000000 fe:01 1234                       /opt/nabla/build/tenders/bin/nabla-spt',
      '7f00aa000000-7f00aa001000 rw-p 00000000 00:00 0',
      '7f00ab000000-7f00ab001000 r-xp 00000000 00:00 0',
      '7ffd1c9f0000-7ffd1c9f4000 r--p 00000000 00:00 0                          [vvar]',
      '7ffd1c9f4000-7ffd1c9f6000 r-xp 00000000 00:00 0                          [vdso]',
      'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
    ].join('\n');
    const a = classifyAddressSpace(maps, 8n * MiB);
    expect(a.guestMemory).toEqual({
      start: '0x10000',
      end: '0x800000',
      mappings: 3,
      covered: true,
    });
    expect(a.vdso).toEqual(['[vvar]', '[vdso]']);
    expect(a.trampoline).toEqual([
      { start: '0x7f00ab000000', end: '0x7f00ab001000', perms: 'r-xp', name: '' },
    ]);
    expect(a.kernel).toEqual(['[vsyscall]']);
    expect(a.other.map((m) => m.name || m.perms)).toEqual([
      '/opt/nabla/build/tenders/bin/nabla-spt',
      'rw-p',
    ]);
    expect(addressSpaceText(a)).toMatch(
      /; and 2 other mappings: 0x55d0c0a00000-0x55d0c0a10000 r-xp \/opt\/nabla/,
    );
    // A gap in guest memory shows too.
    expect(
      classifyAddressSpace(maps.replace('00101000-00800000', '00102000-00800000'), 8n * MiB)
        .guestMemory.covered,
    ).toBe(false);
  });

  it('stops a guest that never exits at the observe timeout and says so', async () => {
    const report = await audit({
      kernel: guest('sleeper'),
      block: [{ name: 'storage', path: scratch.disk('sleep.img', 1 << 20) }],
      observeTimeoutMs: 500,
      hosted: null,
    });
    expect(report.observation).toMatchObject({ status: 'observed', timedOut: true });
    expect(report.comparison.hosted).toMatchObject({ status: 'not given' });
    expect(report.comparison.rows.find((r) => r.id === 'hosted')?.allowed).toBeNull();
  });

  it('reports the kernel-function footprint, or why the host does not allow it', async () => {
    const report = await audit({ kernel: example('hello'), observe: false });
    const f = report.footprint;
    if (f.status === 'measured') expect(f.uniqueFunctions).toBeGreaterThan(0);
    else expect(f.reason).toMatch(/available_tracers|current_tracer|function tracer|not run/);
  });

  it('refuses bad audit options with the API message format', async () => {
    await expect(audit({ kernel: example('hello'), observeTimeoutMs: -1 })).rejects.toThrow(
      'Expected a positive integer (milliseconds) for observeTimeoutMs but received -1',
    );
    await expect(audit({ kernel: example('hello'), hosted: '/nonexistent/app' })).rejects.toThrow(
      '/nonexistent/app: No such hosted executable',
    );
  });
});
