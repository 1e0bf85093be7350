// bundle.test.ts: mapBundle's decisions from config.json alone: memory, limits, user, cgroupsPath, sandbox, environment, block devices.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapBundle } from '../../src/oci/bundle.js';
import type { OciSpec } from '../../src/oci/config.js';
import { BUILT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const bundle = join(scratch.dir, 'bundle');
mkdirSync(join(bundle, 'rootfs'), { recursive: true });
writeFileSync(join(bundle, 'rootfs', 'app.nabla'), 'x');
writeFileSync(join(bundle, 'rootfs', 'disk.img'), 'x');
symlinkSync('/etc/passwd', join(bundle, 'rootfs', 'escape.nabla'));

const spec = (over: Partial<OciSpec> = {}, proc: Partial<OciSpec['process']> = {}): OciSpec => ({
  root: { path: 'rootfs' },
  ...over,
  process: { args: ['/app.nabla', 'a', 'b'], ...proc },
});
const MiB = 2 ** 20;

describe('mapBundle', () => {
  it('takes args[0] as the unikernel and the rest as the guest command line, 512 MiB without a limit', () => {
    const g = mapBundle(bundle, spec(), 'c1');
    expect(g).toMatchObject({
      args: ['a', 'b'],
      memMiB: 512,
      sandbox: false,
      cgroupNames: ['nabla-oci', 'c1'],
      cgroupsFromRoot: false,
    });
    expect(g.kernel).toBe(join(bundle, 'rootfs', 'app.nabla'));
    expect(g.user).toBeUndefined(); // uid 0: the guest runs as nobody
  });

  it('maps the memory limit (less 8 MiB), the CPU quota, the pids limit, the user and cgroupsPath', () => {
    const g = mapBundle(
      bundle,
      spec(
        {
          linux: {
            cgroupsPath: '/k8s.io/abc',
            resources: {
              memory: { limit: 128 * MiB },
              cpu: { quota: 50_000, period: 100_000 },
              pids: { limit: 4 },
            },
          },
        },
        { user: { uid: 1000, gid: 100 } },
      ),
      'c2',
    );
    expect(g).toMatchObject({
      memMiB: 120,
      limits: { memoryBytes: 128 * MiB, cpus: 0.5, pids: 4 },
      user: '1000:100',
      cgroupNames: ['k8s.io', 'abc'],
      cgroupsFromRoot: true,
    });
    expect(() =>
      mapBundle(bundle, spec({ linux: { cgroupsPath: 'system.slice:cri:abc' } }), 'c3'),
    ).toThrow(/systemd slice path/);
    // A relative path: under the runtime's own group, as the OCI spec lets a runtime choose.
    expect(mapBundle(bundle, spec({ linux: { cgroupsPath: 'k8s.io/abc' } }), 'c4')).toMatchObject({
      cgroupNames: ['k8s.io', 'abc'],
      cgroupsFromRoot: false,
    });
  });

  it('makes the sandbox of a pod the pause guest, in the pod network namespace', () => {
    const g = mapBundle(
      bundle,
      spec(
        {
          annotations: { 'io.kubernetes.cri.container-type': 'sandbox' },
          linux: { namespaces: [{ type: 'network', path: '/var/run/netns/cni-1' }] },
        },
        { args: ['/pause'] },
      ),
      'p1',
    );
    expect(g).toMatchObject({
      sandbox: true,
      kernel: join(BUILT.oci, 'pause.nabla'),
      args: [],
      netns: '/var/run/netns/cni-1',
    });
  });

  it("ignores the platform's variables with a warning and refuses the user's", () => {
    const g = mapBundle(
      bundle,
      spec(
        {},
        {
          env: [
            'PATH=/bin',
            'HOSTNAME=web',
            'KUBERNETES_SERVICE_HOST=10.0.0.1',
            'KUBERNETES_PORT_443_TCP_ADDR=10.0.0.1',
          ],
        },
      ),
      'e1',
    );
    expect(g.warnings).toEqual([
      'process.env ignored (set by the platform; a unikernel has no environment): PATH HOSTNAME KUBERNETES_SERVICE_HOST KUBERNETES_PORT_443_TCP_ADDR',
    ]);
    expect(() => mapBundle(bundle, spec({}, { env: ['DEBUG=1'] }), 'e2')).toThrow(
      /^process\.env DEBUG: /,
    );
  });

  it('finds block devices in the rootfs or on a bind mount, and refuses links out of the rootfs', () => {
    const g = mapBundle(
      bundle,
      spec({
        annotations: { 'org.nabla.block.a': '/disk.img', 'org.nabla.block.b': '/data/x/site.img' },
        mounts: [
          { destination: '/data', source: '/srv/data', type: 'bind', options: ['rbind', 'rw'] },
        ],
      }),
      'b1',
    );
    expect(g.blocks).toEqual([
      { name: 'a', path: join(bundle, 'rootfs', 'disk.img') },
      { name: 'b', path: '/srv/data/x/site.img' },
    ]);
    expect(() => mapBundle(bundle, spec({}, { args: ['/escape.nabla'] }), 'x1')).toThrow(
      /escape\.nabla: leads outside the container's root file system/,
    );
  });

  it('makes a block device read-only when its mount has "ro" or the rootfs is read-only', () => {
    const mounts = [
      { destination: '/ro', source: '/srv/ro', type: 'bind', options: ['rbind', 'ro'] },
      { destination: '/rw', source: '/srv/rw', type: 'bind', options: ['rbind', 'rw'] },
    ];
    const annotations = {
      'org.nabla.block.a': '/ro/a.img',
      'org.nabla.block.b': '/rw/b.img',
      'org.nabla.block.c': '/disk.img',
    };
    expect(mapBundle(bundle, spec({ annotations, mounts }), 'r1').blocks).toEqual([
      { name: 'a', path: '/srv/ro/a.img', readOnly: true },
      { name: 'b', path: '/srv/rw/b.img' },
      { name: 'c', path: join(bundle, 'rootfs', 'disk.img') },
    ]);
    // A read-only rootfs: its files are read-only devices, a read-write mount's stay read-write.
    const readonlyRoot = spec({ annotations, mounts, root: { path: 'rootfs', readonly: true } });
    expect(mapBundle(bundle, readonlyRoot, 'r2').blocks).toEqual([
      { name: 'a', path: '/srv/ro/a.img', readOnly: true },
      { name: 'b', path: '/srv/rw/b.img' },
      { name: 'c', path: join(bundle, 'rootfs', 'disk.img'), readOnly: true },
    ]);
  });
});
