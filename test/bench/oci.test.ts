// oci.test.ts: the OCI peers (runsc, crun): the bundle's config, crun enforcing Docker's profile and capabilities, and a missing runtime reported, not failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  makeBundle,
  ociConfig,
  ociDelete,
  ociRun,
  runtimeCommand,
  runtimeMissing,
} from '../../src/bench/oci.js';
import { capture } from '../../src/bench/procs.js';
import { densityScenario } from '../../src/bench/scenarios/density.js';
import type { BenchReport } from '../../src/bench/types.js';
import { benchContext } from '../helpers/bench-scenario.js';
import { hosted, NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
/** Docker's 14 default capabilities as /proc/PID/status's CapEff mask. */
const DOCKER_CAP_EFF = '00000000a80425fb';

describe('OCI peers: the bundle', () => {
  it("gives Docker's namespaces and capabilities, a read-only rootfs, the app at /app", () => {
    const config = ociConfig({ program: hosted('hello'), args: ['x'] }) as {
      process: { args: string[]; capabilities: Record<string, string[]> };
      root: { readonly: boolean };
      linux: { namespaces: Array<{ type: string }> };
    };
    expect(config.process.args).toEqual(['/app/hello', 'x']);
    expect(config.process.capabilities.effective).toHaveLength(14);
    expect(config.root.readonly).toBe(true);
    expect(config.linux.namespaces.map((n) => n.type).sort()).toEqual([
      'ipc',
      'mount',
      'network',
      'pid',
      'uts',
    ]);
  });
});

describe('OCI peers: the runtimes', () => {
  it("crun runs the app under Docker's seccomp filter and capabilities", async () => {
    expect(await runtimeMissing('crun')).toBeUndefined();
    const bundle = makeBundle(scratch.dir, 'crun-cat', {
      program: '/usr/bin/cat',
      args: ['/proc/self/status'],
    });
    const r = await capture(ociRun('crun', bundle, 'nabla-test-crun-cat'));
    await ociDelete('crun', bundle, 'nabla-test-crun-cat');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Seccomp:\s+2$/m); // a filter
    expect(r.stdout).toMatch(new RegExp(`^CapEff:\\s+${DOCKER_CAP_EFF}$`, 'm'));
    // A call outside the profile fails with EPERM: unshare(CLONE_NEWNS) for example.
    const denied = makeBundle(scratch.dir, 'crun-unshare', {
      program: '/usr/bin/unshare',
      args: ['--mount', '/usr/bin/true'],
    });
    const u = await capture(ociRun('crun', denied, 'nabla-test-crun-unshare'));
    await ociDelete('crun', denied, 'nabla-test-crun-unshare');
    expect(u.status).not.toBe(0);
    expect(u.stderr).toMatch(/Operation not permitted/);
  }, 30_000);

  it('runsc (ptrace) runs the hosted hello in the same bundle layout', async () => {
    expect(await runtimeMissing('runsc')).toBeUndefined();
    const bundle = makeBundle(scratch.dir, 'runsc-hello', {
      program: hosted('hello'),
      args: ['--solo5:quiet'],
    });
    const r = await capture(ociRun('runsc', bundle, 'nabla-test-runsc-hello'));
    await ociDelete('runsc', bundle, 'nabla-test-runsc-hello');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Hello, world!');
    // Its sandbox went with it: nothing left in the state directory's list.
    const list = await capture({ file: 'runsc', args: [`--root=${bundle.state}`, 'list', '-q'] });
    expect(list.stdout.trim()).toBe('');
  }, 30_000);

  it('a runtime not on PATH: the variant says so and is skipped, the run still succeeds', () => {
    // A PATH with every program of /usr/bin and /usr/sbin but runsc and crun.
    const bin = join(scratch.dir, 'bin');
    mkdirSync(bin);
    for (const dir of ['/usr/bin', '/usr/sbin'])
      for (const name of readdirSync(dir))
        if (name !== 'runsc' && name !== 'crun' && !existsSync(join(bin, name)))
          symlinkSync(join(dir, name), join(bin, name));
    const out = join(scratch.dir, 'out');
    const r = spawnSync(
      process.execPath,
      [NABLA, 'bench', '--quick', '--only', 'boot', '--runs', '1', '--out', out],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: bin } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('runsc hello: not run: runsc not installed (apt-get install runsc)');
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchReport;
    const boot = report.scenarios[0];
    expect(
      boot?.variants.filter((v) => v.name === 'runsc hello' || v.name === 'crun hello'),
    ).toEqual([
      {
        name: 'runsc hello',
        status: 'unavailable',
        reason: 'runsc not installed (apt-get install runsc)',
      },
      {
        name: 'crun hello',
        status: 'unavailable',
        reason: 'crun not installed (apt-get install crun)',
      },
    ]);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('- not run: crun hello — crun not installed (apt-get install crun)');
    // The side-by-side table has no column for them.
    expect(md).toContain('#### boot: wall_ms');
    expect(md).not.toContain('gVisor runsc (ptrace) |');
  }, 120_000);
});

describe('OCI peers in density', () => {
  it('climb no higher than N = 500, say so, and leave no container behind', async () => {
    const remarks: string[] = [];
    const ctx = benchContext(scratch.dir, {}, remarks);
    const crun = densityScenario({ quick: [2, 501], full: [2, 501] }).variants.find(
      (v) => v.name === 'crun idle',
    );
    expect(await crun?.unavailable?.(ctx)).toBeUndefined();
    const measurements = (await crun?.trial(ctx)) ?? [];
    expect(measurements.map((m) => [m.metric, m.n])).toEqual([
      ['pss_kib_per_instance', 2],
      ['page_tables_kib_per_instance', 2],
    ]);
    expect(remarks).toEqual([
      "crun idle: N = 501 not run: the OCI peers' ladder ends at N = 500 (density.ts, OCI_TOP)",
    ]);
    // Both containers were deleted: the runtime's state directory lists none.
    const state = join(scratch.dir, 'oci-state');
    expect(existsSync(state)).toBe(true);
    const list = await capture(runtimeCommand('crun', state, ['list', '-q']));
    expect(list.status).toBe(0);
    expect(list.stdout.trim()).toBe('');
  }, 60_000);
});
