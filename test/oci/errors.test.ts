// errors.test.ts: every refusal of nabla-oci is a failure status and one {"level":"error","msg"} line in --log naming what is wrong.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deleteContainersAfterAll, errorOf, makeBundle, oci } from '../helpers/oci.js';
import { example } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
deleteContainersAfterAll(scratch.dir);
let n = 0;
function fresh() {
  n += 1;
  return {
    root: join(scratch.dir, `root${n}`),
    bundle: join(scratch.dir, `bundle${n}`),
    id: `e${process.pid}x${n}`,
  };
}

/** create with this bundle; returns its one error line, and checks nothing was left. */
function createError(bundle: string, root: string, id: string, extra: string[] = []): string {
  const message = errorOf(oci(root, ['create', '--bundle', bundle, ...extra, id]));
  expect(existsSync(join(root, id))).toBe(false);
  return message;
}

describe('nabla-oci refuses, in one log line', () => {
  it('an entrypoint that is not a unikernel (a Linux image)', () => {
    const t = fresh();
    makeBundle(t.bundle, example('hello'), [], { process: { args: ['/bin/sh', '-c', 'echo'] } });
    expect(createError(t.bundle, t.root, t.id)).toBe(
      'process.args[0] "/bin/sh" is not a unikernel: nabla-oci runs a .nabla or .spt file of the image (its entrypoint)',
    );
  });

  it('a .nabla file that fails the KERNEL checks, with the same message nabla-run gives', () => {
    const t = fresh();
    const fake = scratch.file(
      'fake.nabla',
      'not an ELF file at all, just text....................................',
    );
    makeBundle(t.bundle, fake);
    expect(createError(t.bundle, t.root, t.id)).toMatch(/fake\.nabla.*ELF/);
  });

  it('an args[0] that leads outside the rootfs', () => {
    const t = fresh();
    makeBundle(t.bundle, example('hello'), [], { process: { args: ['/../../../etc/x.nabla'] } });
    expect(createError(t.bundle, t.root, t.id)).toMatch(
      /^process\.args\[0\] \/\.\.\/\.\.\/\.\.\/etc\/x\.nabla: not found/,
    );
  });

  it('an environment variable the user set (a unikernel has none)', () => {
    const t = fresh();
    makeBundle(t.bundle, example('hello'), [], { process: { env: ['PATH=/bin', 'GREETING=hi'] } });
    expect(createError(t.bundle, t.root, t.id)).toMatch(
      /^process\.env GREETING: a unikernel has no environment/,
    );
  });

  it('a memory limit too small for a guest', () => {
    const t = fresh();
    makeBundle(t.bundle, example('hello'), [], {
      linux: { resources: { memory: { limit: 8 * 2 ** 20 } } },
    });
    expect(createError(t.bundle, t.root, t.id)).toMatch(
      /memory\.limit: 8388608 bytes is below nabla-oci's minimum of 16 MiB/,
    );
  });

  it('a config.json that is not a runtime spec, naming the field', () => {
    const t = fresh();
    mkdirSync(t.bundle, { recursive: true });
    writeFileSync(
      join(t.bundle, 'config.json'),
      JSON.stringify({ root: { path: 'rootfs' }, process: { args: [] } }),
    );
    expect(createError(t.bundle, t.root, t.id)).toMatch(/config\.json: process\.args: /);
  });

  it('a terminal without a console socket', () => {
    const t = fresh();
    makeBundle(t.bundle, example('hello'), [], { process: { terminal: true } });
    expect(createError(t.bundle, t.root, t.id)).toBe(
      'process.terminal is true but no --console-socket was given',
    );
  });

  it('exec, saying why and what to use for probes; checkpoint and update too', () => {
    const t = fresh();
    const exec = errorOf(oci(t.root, ['exec', '--process', '/tmp/p.json', '--detach', 'x']));
    expect(exec).toMatch(
      /^command 'exec' is not supported by nabla-oci: a unikernel is one program/,
    );
    expect(exec).toContain('httpGet or tcpSocket probes');
    expect(errorOf(oci(t.root, ['checkpoint', '--image-path', '/tmp/i', 'x']))).toMatch(
      /checkpoint/,
    );
    expect(errorOf(oci(t.root, ['update', '--resources=-', 'x']))).toMatch(/memory is fixed/);
  });

  it('--systemd-cgroup, an unknown container, an existing id, a bad signal', () => {
    const t = fresh();
    expect(errorOf(oci(t.root, ['--systemd-cgroup', 'state', 'x']))).toMatch(
      /^--systemd-cgroup is not supported/,
    );
    expect(errorOf(oci(t.root, ['state', 'nope']))).toBe('container "nope" does not exist');
    expect(errorOf(oci(t.root, ['start', 'nope']))).toBe('container "nope" does not exist');
    expect(errorOf(oci(t.root, ['kill', 'nope', '9']))).toBe('container "nope" does not exist');
    makeBundle(t.bundle, example('hello'));
    const created = oci(t.root, ['create', '--bundle', t.bundle, t.id]);
    expect(created.status, JSON.stringify(created.log)).toBe(0);
    expect(errorOf(oci(t.root, ['create', '--bundle', t.bundle, t.id]))).toBe(
      `container with id exists: ${t.id}`,
    );
    expect(errorOf(oci(t.root, ['kill', t.id, 'SIGNOPE']))).toBe('invalid signal "SIGNOPE"');
    expect(errorOf(oci(t.root, ['frobnicate']))).toMatch(/frobnicate/);
    expect(oci(t.root, ['delete', '--force', t.id]).status).toBe(0);
  });
});
