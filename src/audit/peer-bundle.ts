// peer-bundle.ts: an OCI bundle with Docker's default seccomp profile and capabilities, for the audit to run under crun.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerCapabilities, dockerOciSeccomp } from '../policy/docker-profile.js';

/**
 * Writes a bundle in `dir` whose process runs `args` with Docker's profile and capabilities:
 * the rootfs is empty but for the host's /usr, bound read-only, and the usual symlinks.
 */
export function writeDockerBundle(dir: string, args: readonly string[]): void {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'usr'), { recursive: true });
  for (const d of ['proc', 'dev', 'tmp']) mkdirSync(join(rootfs, d));
  for (const link of ['bin', 'lib', 'lib64', 'sbin'])
    symlinkSync(`usr/${link}`, join(rootfs, link));
  const capabilities = dockerCapabilities();
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/bin:/bin'],
      cwd: '/',
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'nabla-audit-peer',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
      { destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro'] },
    ],
    linux: {
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network'].map((type) => ({ type })),
      seccomp: dockerOciSeccomp(),
    },
  };
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}
