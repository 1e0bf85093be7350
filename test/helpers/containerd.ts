// containerd.ts: Debian's containerd started for one test file as a background process, with private root, state and sockets, and removed afterwards.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { until } from './oci.js';
import { NABLA_OCI, scratchDir } from './paths.js';

export interface Containerd {
  dir: string;
  /** What containerd logged so far (for a failing test's message). */
  log(): string;
  socket: string;
  /** nabla-oci's --root for `ctr run --runc-root` and for the CRI handler. */
  ctrRoot: string;
  criRoot: string;
  /** `ctr -a SOCKET ARGS`: status and output. */
  ctr(
    args: readonly string[],
    timeoutMs?: number,
  ): { status: number; stdout: string; stderr: string };
  /** `ctr run` with nabla-oci as the runtime: the words after `run`'s options. */
  runArgs(): string[];
  stop(): Promise<void>;
}

/** /run/containerd holds shim sockets and ctr's fifos whatever the config says (containerd 1.6). */
const RUN_DIR = '/run/containerd';

function config(dir: string, criRoot: string, cniDir: string, pauseImage: string): string {
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "${dir}/containerd.sock"
[ttrpc]
  address = "${dir}/containerd-ttrpc.sock"
[plugins."io.containerd.grpc.v1.cri"]
  # This machine cannot lower a process's oom_score_adj (the sandbox asks for -998).
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  sandbox_image = "${pauseImage}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${cniDir}"
  # Naming runtimes replaces containerd's default list: runc stays the default handler.
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nabla]
    runtime_type = "io.containerd.runc.v2"
    # CRI passes only the annotations these match into config.json (org.nabla.block.NAME).
    pod_annotations = ["org.nabla.*"]
    container_annotations = ["org.nabla.*"]
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.nabla.options]
      BinaryName = "${NABLA_OCI}"
      Root = "${criRoot}"
`;
}

/** A CNI ptp network for the CRI pods: one veth per pod, addresses from 10.88.77.0/24. */
function cniConfig(cniDir: string): void {
  mkdirSync(cniDir, { recursive: true });
  writeFileSync(
    join(cniDir, '10-nabla-test.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'nabla-test',
      plugins: [
        {
          type: 'ptp',
          ipMasq: false,
          ipam: {
            type: 'host-local',
            dataDir: join(cniDir, 'ipam'),
            ranges: [[{ subnet: '10.88.77.0/24' }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
      ],
    }),
  );
}

/** The pids of processes whose command line contains `text` (the shims of this containerd). */
function pidsWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether any containerd daemon runs on this host (its command line's first word). */
function containerdRuns(): boolean {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .some((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0]?.endsWith('containerd');
      } catch {
        return false;
      }
    });
}

export async function startContainerd(
  pauseImage = 'docker.io/library/pause:nabla',
): Promise<Containerd> {
  const dir = scratchDir('nabla-containerd-');
  const socket = join(dir, 'containerd.sock');
  const ctrRoot = join(dir, 'nabla-ctr');
  const criRoot = join(dir, 'nabla-cri');
  const cniDir = join(dir, 'cni');
  cniConfig(cniDir);
  writeFileSync(join(dir, 'config.toml'), config(dir, criRoot, cniDir, pauseImage));
  // Its log is kept in the directory while it runs (a failing test can print it).
  const logFd = openSync(join(dir, 'containerd.log'), 'a');
  const daemon: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], {
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const ctr = (args: readonly string[], timeoutMs = 30_000) => {
    const r = spawnSync('ctr', ['-a', socket, ...args], { encoding: 'utf8', timeout: timeoutMs });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  if (!(await until(() => existsSync(socket) && ctr(['version']).status === 0, 20_000))) {
    daemon.kill('SIGKILL');
    throw new Error(
      `containerd did not start within 20 s: ${readFileSync(join(dir, 'containerd.log'), 'utf8')}`,
    );
  }
  return {
    dir,
    log: () => readFileSync(join(dir, 'containerd.log'), 'utf8'),
    socket,
    ctrRoot,
    criRoot,
    ctr,
    runArgs: () => ['--runc-binary', NABLA_OCI, '--runc-root', ctrRoot],
    async stop() {
      daemon.kill('SIGTERM');
      await until(() => daemon.exitCode !== null || daemon.signalCode !== null, 10_000);
      // Shims of tasks a failed test left: by pid, never by name alone.
      for (const pid of pidsWith(socket)) process.kill(pid, 'SIGKILL');
      spawnSync('sh', [
        '-c',
        `grep -o ' ${dir}[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l`,
      ]);
      rmSync(dir, { recursive: true, force: true });
      // Another containerd (the host's, or another test file's) still uses it: kept then.
      if (!containerdRuns()) rmSync(RUN_DIR, { recursive: true, force: true });
    },
  };
}
