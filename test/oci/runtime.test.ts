// runtime.test.ts: nabla-oci driven as containerd's shim drives it (create, start, state, kill, delete, ps, list, pause), with the real tender and guests.
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deleteContainersAfterAll, errorOf, makeBundle, oci, until } from '../helpers/oci.js';
import { BUILT, example, guest } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
deleteContainersAfterAll(scratch.dir);
let n = 0;
/** A fresh root, bundle directory and console file per test. */
function fresh() {
  n += 1;
  const root = join(scratch.dir, `root${n}`);
  return {
    root,
    bundle: join(scratch.dir, `bundle${n}`),
    console: join(scratch.dir, `console${n}`),
    id: `c${process.pid}x${n}`,
  };
}
const stateOf = (root: string, id: string) =>
  JSON.parse(oci(root, ['state', id]).stdout) as Record<string, unknown>;
const consoleText = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const IDLE = join(BUILT.bench, 'idle.nabla');

/** The access mode of process pid's descriptor for path: the low two bits of fdinfo's octal flags. */
function accessMode(pid: number, path: string): number {
  const fd = readdirSync(`/proc/${pid}/fd`).find(
    (f) => readlinkSync(`/proc/${pid}/fd/${f}`) === path,
  );
  if (fd === undefined) throw new Error(`process ${pid} has no descriptor for ${path}`);
  const flags = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').match(/^flags:\s+([0-7]+)$/m);
  return Number.parseInt(flags?.[1] ?? 'x', 8) & 3;
}

describe('nabla-oci create and start', () => {
  it('holds the container until start, then the guest is the pid it wrote, with the arguments after args[0]', async () => {
    const t = fresh();
    makeBundle(t.bundle, example('hello'), ['one', 'two']);
    const pidFile = join(t.bundle, 'init.pid');
    const created = oci(
      t.root,
      ['create', '--bundle', t.bundle, '--pid-file', pidFile, t.id],
      t.console,
    );
    expect(created.status, JSON.stringify(created.log)).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const state = stateOf(t.root, t.id);
    expect(state).toMatchObject({
      id: t.id,
      pid,
      status: 'created',
      bundle: t.bundle,
      ociVersion: '1.0.2',
    });
    // Created: the process exists, the guest has not run.
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    expect(consoleText(t.console)).not.toContain('Hello');
    // containerd always sets PATH: ignored, and said so.
    expect(created.log).toContainEqual(
      expect.objectContaining({ level: 'warning', msg: expect.stringContaining('PATH') }),
    );

    expect(oci(t.root, ['start', t.id]).status).toBe(0);
    expect(await until(() => stateOf(t.root, t.id).status === 'stopped')).toBe(true);
    expect(consoleText(t.console)).toContain('Hello, world!');
    expect(consoleText(t.console)).toContain('Command line: one two');
    expect(oci(t.root, ['delete', t.id]).status).toBe(0);
    expect(existsSync(join(t.root, t.id))).toBe(false);
  });

  it('gives the guest the memory limit less the tender reserve, and puts it in that memory group', async () => {
    const t = fresh();
    makeBundle(t.bundle, example('hello'), [], {
      linux: {
        cgroupsPath: `/nabla-oci-test/${t.id}`,
        resources: { memory: { limit: 64 * 2 ** 20 } },
      },
    });
    expect(oci(t.root, ['create', '--bundle', t.bundle, t.id], t.console).status).toBe(0);
    const pid = stateOf(t.root, t.id).pid as number;
    const memory = readFileSync(`/proc/${pid}/cgroup`, 'utf8').match(/:memory:(.*)/)?.[1] ?? '';
    // An absolute cgroupsPath starts at the hierarchy's root, as runc takes it (kubelet's pod
    // groups are there), not under the runtime's own group.
    expect(memory).toBe(`/nabla-oci-test/${t.id}`);
    const dir = join('/sys/fs/cgroup/memory', memory);
    expect(readFileSync(join(dir, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(
      String(64 * 2 ** 20),
    );
    expect(oci(t.root, ['start', t.id]).status).toBe(0);
    expect(await until(() => consoleText(t.console).includes('solo5_exit'))).toBe(true);
    expect(consoleText(t.console)).toContain('Memory map: 56 MB addressable');
    expect(await until(() => oci(t.root, ['delete', t.id]).status === 0)).toBe(true);
    // delete removed the group and the parent cgroupsPath named.
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(dir, '..'))).toBe(false);
  });

  it('attaches a block device named by an org.nabla.block annotation', async () => {
    const t = fresh();
    makeBundle(t.bundle, guest('sleeper'), [], {
      annotations: { 'org.nabla.block.storage': '/disk.img' },
    });
    scratch.disk(`disk${n}.img`, 4096);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(scratch.dir, `disk${n}.img`), join(t.bundle, 'rootfs', 'disk.img'));
    expect(oci(t.root, ['create', '--bundle', t.bundle, t.id], t.console).status).toBe(0);
    expect(oci(t.root, ['start', t.id]).status).toBe(0);
    expect(await until(() => consoleText(t.console).includes('ready'))).toBe(true);
    const pid = stateOf(t.root, t.id).pid as number;
    const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
    expect(fds).toContain(join(t.bundle, 'rootfs', 'disk.img'));
    expect(accessMode(pid, join(t.bundle, 'rootfs', 'disk.img'))).toBe(2); // O_RDWR
    expect(oci(t.root, ['delete', '--force', t.id]).status).toBe(0);
  });

  it('attaches a block image on a read-only bind mount read-only (the guest holds it O_RDONLY)', async () => {
    const t = fresh();
    const disk = scratch.disk(`ro${n}.img`, 4096);
    makeBundle(t.bundle, guest('sleeper'), [], {
      annotations: { 'org.nabla.block.storage': `/data/${basename(disk)}` },
      mounts: [
        { destination: '/data', source: dirname(disk), type: 'bind', options: ['rbind', 'ro'] },
      ],
    });
    const created = oci(t.root, ['create', '--bundle', t.bundle, t.id], t.console);
    expect(created.status, JSON.stringify(created.log)).toBe(0);
    expect(oci(t.root, ['start', t.id]).status).toBe(0);
    expect(await until(() => consoleText(t.console).includes('ready'))).toBe(true);
    const pid = stateOf(t.root, t.id).pid as number;
    expect(accessMode(pid, disk)).toBe(0); // O_RDONLY
    expect(oci(t.root, ['delete', '--force', t.id]).status).toBe(0);
  });

  it('in a read-only rootfs, a block image is read-only: the guest reads it, its write fails, the file is unchanged', async () => {
    const t = fresh();
    makeBundle(t.bundle, guest('blkro'), [], {
      root: { path: 'rootfs', readonly: true },
      annotations: { 'org.nabla.block.storage': '/disk.img' },
    });
    const image = join(t.bundle, 'rootfs', 'disk.img');
    const bytes = Buffer.from(Array.from({ length: 8 * 512 }, (_, i) => (i * 7) & 0xff));
    writeFileSync(image, bytes);
    expect(oci(t.root, ['create', '--bundle', t.bundle, t.id], t.console).status).toBe(0);
    expect(oci(t.root, ['start', t.id]).status).toBe(0);
    expect(await until(() => stateOf(t.root, t.id).status === 'stopped')).toBe(true);
    const out = consoleText(t.console);
    expect(out).toContain('blkro: read 8 blocks');
    expect(out).toContain('blkro: write of block 0: failed (result 3)'); // SOLO5_R_EUNSPEC
    expect(out).toContain('blkro: block 0 read back: unchanged');
    expect(readFileSync(image).equals(bytes)).toBe(true);
    expect(oci(t.root, ['delete', t.id]).status).toBe(0);
  });
});

describe('nabla-oci kill, pause, ps, list, delete', () => {
  it('runs, pauses, resumes and kills a long-lived guest; kill --all and delete --force are idempotent', async () => {
    const t = fresh();
    makeBundle(t.bundle, IDLE);
    expect(oci(t.root, ['create', '--bundle', t.bundle, t.id], t.console).status).toBe(0);
    expect(oci(t.root, ['start', t.id]).status).toBe(0);
    expect(await until(() => consoleText(t.console).includes('ready'))).toBe(true);
    const pid = stateOf(t.root, t.id).pid as number;
    expect(stateOf(t.root, t.id).status).toBe('running');
    expect(JSON.parse(oci(t.root, ['ps', '--format', 'json', t.id]).stdout)).toEqual([pid]);
    const listed = JSON.parse(oci(t.root, ['list', '--format', 'json']).stdout) as Array<{
      id: string;
    }>;
    expect(listed.map((c) => c.id)).toEqual([t.id]);
    // The guest is sandboxed as under nabla-run: seccomp filter, no capabilities, nobody.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^Seccomp:\s+2$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^Uid:\s+65534\s/m);

    expect(oci(t.root, ['pause', t.id]).status).toBe(0);
    expect(stateOf(t.root, t.id).status).toBe('paused');
    expect(errorOf(oci(t.root, ['start', t.id]))).toBe('cannot start a container that is paused');
    expect(oci(t.root, ['resume', t.id]).status).toBe(0);
    expect(stateOf(t.root, t.id).status).toBe('running');

    expect(errorOf(oci(t.root, ['delete', t.id]))).toContain('not stopped: running');
    expect(oci(t.root, ['kill', t.id, '9']).status).toBe(0);
    expect(await until(() => stateOf(t.root, t.id).status === 'stopped')).toBe(true);
    // The shim's strings: "container not running" (NotFound); --all after the end is fine.
    expect(errorOf(oci(t.root, ['kill', t.id, 'SIGTERM']))).toBe('container not running');
    expect(oci(t.root, ['kill', '--all', t.id, '9']).status).toBe(0);
    expect(oci(t.root, ['delete', t.id]).status).toBe(0);
    expect(errorOf(oci(t.root, ['delete', t.id]))).toBe(`container "${t.id}" does not exist`);
    expect(oci(t.root, ['delete', '--force', t.id]).status).toBe(0);
  });

  it('delete --force kills a container that was created but never started', async () => {
    const t = fresh();
    makeBundle(t.bundle, IDLE);
    expect(oci(t.root, ['create', '--bundle', t.bundle, t.id], t.console).status).toBe(0);
    const pid = stateOf(t.root, t.id).pid as number;
    expect(oci(t.root, ['delete', '--force', t.id]).status).toBe(0);
    expect(
      await until(
        () =>
          !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'),
      ),
    ).toBe(true);
    expect(consoleText(t.console)).not.toContain('ready');
  });
});
