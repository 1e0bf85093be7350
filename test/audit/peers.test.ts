// peers.test.ts: gVisor's sentry and crun with Docker's profile, started for real, their filters read back and decoded; a missing peer.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { formatReport } from '../../src/audit/output.js';
import { measurePeers } from '../../src/audit/peers.js';
import type { AuditReport, PeerSection } from '../../src/audit/report.js';
import { example, NABLA } from '../helpers/paths.js';
import { expectValidReport } from './expected.js';

type Measured = Extract<PeerSection, { status: 'measured' }>;

const versionLine = (binary: string) =>
  spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];

function measured(peers: readonly PeerSection[], id: PeerSection['id']): Measured {
  const peer = peers.find((p) => p.id === id);
  if (peer?.status !== 'measured') throw new Error(`${id} not measured: ${JSON.stringify(peer)}`);
  return peer;
}

const names = (peer: Measured) => new Set(peer.syscalls.map((s) => s.name));

describe('audit peers (root: runsc and crun from Debian)', () => {
  let peers: PeerSection[];
  beforeAll(async () => {
    peers = await measurePeers();
  }, 60_000);

  it("reads back crun's filter with Docker's profile: read and write allowed, kexec_load and reboot not", () => {
    const crun = measured(peers, 'crun-docker');
    expect(crun.version).toBe(versionLine('crun'));
    expect(crun.filters).toBeGreaterThanOrEqual(1);
    const allowed = names(crun);
    for (const name of ['read', 'write', 'futex', 'clone', 'socket'])
      expect(allowed).toContain(name);
    for (const name of ['kexec_load', 'reboot', 'init_module', 'mount', 'unshare', 'bpf'])
      expect(allowed).not.toContain(name);
    // The profile's three conditional names (clone without namespace flags, socket, personality).
    const filtered = crun.syscalls.filter((s) => s.argumentFiltered).map((s) => s.name);
    expect(filtered.sort()).toEqual(['clone', 'personality', 'socket']);
    expect(crun.reachable).toBe(crun.syscalls.length);
    // Every reachable syscall confirmed by an input the plain interpreter lets through.
    expect(crun.unwitnessed).toBe(0);
    expect(crun.reachable).toBeGreaterThan(250);
  });

  it("reads back gVisor's sentry filter: non-empty, far narrower than Docker's, argument-filtered", () => {
    const gvisor = measured(peers, 'gvisor');
    const crun = measured(peers, 'crun-docker');
    expect(gvisor.version).toBe(versionLine('runsc'));
    expect(gvisor.process).toMatch(/sentry/);
    expect(gvisor.reachable).toBeGreaterThan(20);
    expect(gvisor.reachable * 2).toBeLessThan(crun.reachable);
    expect(gvisor.argumentFiltered).toBeGreaterThan(0);
    expect(gvisor.unwitnessed).toBe(0);
    const allowed = names(gvisor);
    for (const name of ['futex', 'read', 'write']) expect(allowed).toContain(name);
    for (const name of ['execve', 'open', 'openat', 'kexec_load', 'reboot'])
      expect(allowed).not.toContain(name);
  });
});

describe('audit report with peers', () => {
  let report: AuditReport;
  beforeAll(async () => {
    report = await audit({ kernel: example('hello'), observe: false, footprint: false });
  }, 60_000);

  it('has a comparison row per peer, with the versions measured, in every form', async () => {
    expectValidReport(report);
    expect(report.schemaVersion).toBe('1.4.0');
    const rows = Object.fromEntries(report.comparison.rows.map((r) => [r.id, r]));
    const gvisor = measured(report.comparison.peers, 'gvisor');
    const crun = measured(report.comparison.peers, 'crun-docker');
    expect(rows.gvisor).toMatchObject({
      allowed: gvisor.reachable,
      argumentFiltered: gvisor.argumentFiltered,
    });
    expect(rows['crun-docker']).toMatchObject({ allowed: crun.reachable, argumentFiltered: 3 });
    expect(rows.unikernel).toMatchObject({ allowed: 6, argumentFiltered: 5 });
    const md = await formatReport(report, 'md');
    for (const version of [versionLine('runsc'), versionLine('crun')])
      expect(md).toContain(version);
    expect(md).toContain('| of which argument-filtered |');
    const html = await formatReport(report, 'html');
    expect(html).toContain('id="peer-gvisor"');
  });
});

describe('audit with a peer not installed', () => {
  it('says so in the report and still succeeds', () => {
    // PATH without runsc and crun (the CLI is started by its absolute path and needs no other).
    const r = spawnSync(
      process.execPath,
      [NABLA, 'audit', '--format', 'json', '--no-observe', '--no-footprint', example('hello')],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: '/nonexistent' },
        timeout: 60_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expectValidReport(report);
    expect(report.comparison.peers).toEqual([
      expect.objectContaining({
        id: 'gvisor',
        status: 'not installed',
        reason: 'runsc is not in PATH',
      }),
      expect.objectContaining({
        id: 'crun-docker',
        status: 'not installed',
        reason: 'crun is not in PATH',
      }),
    ]);
    const row = report.comparison.rows.find((x) => x.id === 'gvisor');
    expect(row).toMatchObject({ allowed: null, source: 'not installed: runsc is not in PATH' });
  });
});
