// cri.test.ts: a Kubernetes pod through containerd's CRI API with a RuntimeClass handler for nabla-oci, as kubelet drives it: the HTTP unikernel on the pod's IP.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCgroupLayout } from '../../src/daemon/limits/index.js';
import { freezerBase } from '../../src/oci/freezer.js';
import { type Containerd, startContainerd } from '../helpers/containerd.js';
import { oci, until } from '../helpers/oci.js';
import { BUILT, example, NABLA } from '../helpers/paths.js';
import { type CriClient, criClient } from './cri/client.js';

const PAUSE = 'docker.io/library/pause:nabla';
const HTTP = 'docker.io/library/http:latest';
/** CNI writes its results cache here whatever the configuration says. */
const CNI_CACHE = '/var/lib/cni';

let ctd: Containerd;
let cri: CriClient;
let hadCniCache = false;
/** Host interfaces before the pod: the pod's veth must be gone afterwards. */
let linksBefore: string[] = [];
const links = () =>
  (
    JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{
      ifname: string;
    }>
  )
    .map((l) => l.ifname)
    .sort();

function importImage(kernel: string, tag: string): void {
  const tar = join(ctd.dir, `${tag.replace(/[:/]/g, '_')}.tar`);
  const built = spawnSync(
    process.execPath,
    [NABLA, 'image', 'build', kernel, '--tag', tag, '-o', tar],
    { encoding: 'utf8' },
  );
  expect(built.status, built.stderr).toBe(0);
  const imported = ctd.ctr(['-n', 'k8s.io', 'images', 'import', tar]);
  expect(imported.status, imported.stderr).toBe(0);
}

beforeAll(async () => {
  hadCniCache = existsSync(CNI_CACHE);
  linksBefore = links();
  ctd = await startContainerd(PAUSE);
  importImage(join(BUILT.oci, 'pause.nabla'), 'pause:nabla');
  importImage(example('http'), 'http');
  cri = criClient(ctd.socket);
});
afterAll(async () => {
  cri?.close();
  await ctd?.stop();
  if (!hadCniCache) rmSync(CNI_CACHE, { recursive: true, force: true });
});

/** The guest's pid, as nabla-oci's state says (the CRI handler's root, namespace k8s.io). */
const pidOf = (id: string) => {
  const r = oci(join(ctd.criRoot, 'k8s.io'), ['state', id]);
  return (JSON.parse(r.stdout) as { pid: number }).pid;
};
const statusLine = (pid: number, name: string) =>
  new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
const fdTargets = (pid: number) =>
  readdirSync(`/proc/${pid}/fd`).map(
    (fd) => `${fd} ${readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/:\[\d+\]$/, ':')}`,
  );

describe('a pod with runtimeClassName nabla', () => {
  it('serves the HTTP unikernel at the pod IP, sandboxed, and leaves nothing behind', async () => {
    const site = join(ctd.dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), 'hello from a nabla pod\n');
    const image = join(ctd.dir, 'site.img');
    expect(spawnSync(process.execPath, [NABLA, 'fs', 'build', site, '-o', image]).status).toBe(0);

    const sandboxConfig = {
      metadata: { name: 'web', uid: `uid-${process.pid}`, namespace: 'default', attempt: 0 },
      hostname: 'web',
      log_directory: join(ctd.dir, 'pod-logs'),
    };
    const { pod_sandbox_id: podId } = await cri.call<{ pod_sandbox_id: string }>('RunPodSandbox', {
      config: sandboxConfig,
      runtime_handler: 'nabla',
    });
    const podStatus = await cri.call<{ status: { state: string; network: { ip: string } } }>(
      'PodSandboxStatus',
      { pod_sandbox_id: podId },
    );
    expect(podStatus.status.state).toBe('SANDBOX_READY');
    const ip = podStatus.status.network.ip;
    expect(ip).toMatch(/^10\.88\.77\.\d+$/);

    // The sandbox is nabla's pause guest, in the pod's network namespace, under seccomp.
    const pausePid = pidOf(podId);
    expect(statusLine(pausePid, 'Seccomp')).toBe('2');
    expect(statusLine(pausePid, 'CapEff')).toMatch(/^0+$/);

    const { container_id: id } = await cri.call<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: podId,
      config: {
        metadata: { name: 'http', attempt: 0 },
        image: { image: HTTP },
        log_path: 'http.log',
        annotations: { 'org.nabla.block.storage': '/data/site.img' },
        mounts: [{ container_path: '/data/site.img', host_path: image }],
      },
      sandbox_config: sandboxConfig,
    });
    await cri.call('StartContainer', { container_id: id });
    const status = await cri.call<{ status: { state: string } }>('ContainerStatus', {
      container_id: id,
    });
    expect(status.status.state).toBe('CONTAINER_RUNNING');

    const pid = pidOf(id);
    // The guest owns the pod's address: curl from the node reaches it.
    let body = '';
    await until(() => {
      const r = spawnSync('curl', ['-s', '--max-time', '2', `http://${ip}/`], { encoding: 'utf8' });
      body = r.stdout;
      return r.status === 0;
    }, 15_000);
    expect(body).toBe('hello from a nabla pod\n');

    // The sandbox holds inside containerd.
    expect(statusLine(pid, 'Seccomp')).toBe('2');
    expect(statusLine(pid, 'CapEff')).toMatch(/^0+$/);
    expect(statusLine(pid, 'Uid')).toBe('65534\t65534\t65534\t65534');
    expect(readlinkSync(`/proc/${pid}/ns/net`)).toBe(readlinkSync(`/proc/${pausePid}/ns/net`));
    const fds = fdTargets(pid);
    expect(fds.slice(0, 5)).toEqual([
      '0 /dev/null',
      '1 pipe:',
      '2 pipe:',
      '3 anon_inode:[eventpoll]',
      '4 anon_inode:[timerfd]',
    ]);
    expect(fds.slice(5)).toEqual(['5 /dev/net/tun', `6 ${image}`]);

    // Its groups: containerd's cgroupsPath is absolute (/k8s.io/ID), so from each hierarchy's
    // root, as runc puts them and kubelet's pod groups expect.
    const groups = [
      ...hostCgroupLayout().hierarchies.map((h) => join(h.mount, 'k8s.io', id)),
      join(freezerBase(true) ?? '/nonexistent', 'k8s.io', id),
    ];
    for (const dir of groups) expect(existsSync(dir), dir).toBe(true);
    expect(readFileSync(join(groups[0] as string, 'cgroup.procs'), 'utf8').trim()).toBe(
      String(pid),
    );

    await cri.call('StopPodSandbox', { pod_sandbox_id: podId });
    await cri.call('RemovePodSandbox', { pod_sandbox_id: podId });
    // Nothing left: processes, records, taps and veths, groups, mounts.
    expect(await until(() => !existsSync(`/proc/${pid}`) && !existsSync(`/proc/${pausePid}`))).toBe(
      true,
    );
    expect(readdirSync(join(ctd.criRoot, 'k8s.io'))).toEqual([]);
    expect(await until(() => links().join() === linksBefore.join())).toBe(true);
    for (const dir of groups) expect(existsSync(dir), dir).toBe(false);
    // The sandbox's groups, and the k8s.io parent once empty.
    for (const dir of groups) expect(existsSync(join(dir, '..', podId)), dir).toBe(false);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(
      join(ctd.dir, 'state', 'io.containerd.runtime.v2.task', 'k8s.io', id),
    );
  });
});
