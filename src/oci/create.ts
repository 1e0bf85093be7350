// create.ts: `nabla-oci create`: the bundle checked and prepared, then a holder process that waits for `start` to exec the tender.
import { closeSync, mkdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RunOptions } from '../api.js';
import { normalizeRunOptions } from '../api-options.js';
import {
  atHierarchyRoots,
  createGuestCgroups,
  hostCgroupLayout,
  removeGuestCgroups,
} from '../daemon/limits/index.js';
import { planMemfd } from '../launch/exec.js';
import { prepareLaunch } from '../launch/prepare.js';
import { CLONE_NEWNET, openPty, sendFdTo, setNamespace } from '../native/oci.js';
import { STARTED_ELF_FD, startedDeviceFd } from '../plan/layout.js';
import { mapBundle } from './bundle.js';
import { readSpec } from './config.js';
import { ociError } from './errors.js';
import { makeFifo } from './fifo.js';
import { createFreezer, removeFreezer } from './freezer.js';
import { spawnHolder } from './holder.js';
import type { RuntimeLog } from './log.js';
import { type PodNetwork, removePodNetwork, setupPodNetwork } from './pod-network.js';
import {
  type ContainerRecord,
  containerDir,
  fifoPath,
  loadRecord,
  procStat,
  removeRecord,
  saveRecord,
} from './state.js';

export interface CreateOptions {
  root: string;
  id: string;
  bundle: string;
  pidFile?: string | undefined;
  consoleSocket?: string | undefined;
  preserveFds: number;
}

/** Writes the pid file by rename: the shim reads it as soon as create exits. */
function writePidFile(path: string, pid: number): void {
  const tmp = join(dirname(path), `.${process.pid}.pid`);
  writeFileSync(tmp, String(pid));
  renameSync(tmp, path);
}

/** Puts the holder into its groups now, so the shim finds its cgroup right after create. */
function join_(dirs: readonly string[], pid: number): void {
  for (const dir of dirs) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
}

export async function create(options: CreateOptions, log: RuntimeLog): Promise<void> {
  const { root, id } = options;
  const bundle = resolve(options.bundle);
  if (loadRecord(root, id)) throw ociError(`container with id exists: ${id}`);
  const spec = readSpec(bundle);
  const guest = mapBundle(bundle, spec, id);
  for (const warning of guest.warnings) log.write('warning', warning);
  if (guest.terminal && !options.consoleSocket)
    throw ociError('process.terminal is true but no --console-socket was given');

  // From here on everything made is undone on failure.
  const undo: Array<() => void | Promise<void>> = [];
  try {
    mkdirSync(containerDir(root, id), { recursive: true, mode: 0o711 });
    undo.push(() => removeRecord(root, id));
    makeFifo(fifoPath(root, id));

    const layout = hostCgroupLayout();
    const groups = createGuestCgroups(
      guest.cgroupsFromRoot ? atHierarchyRoots(layout) : layout,
      guest.cgroupNames.slice(0, -1).join('/') || 'nabla-oci',
      guest.cgroupNames.at(-1) as string,
      guest.limits,
    );
    undo.push(() => removeGuestCgroups(groups));
    const freezer = createFreezer(guest.cgroupNames, guest.cgroupsFromRoot);
    undo.push(() => removeFreezer(freezer));

    let net: PodNetwork | undefined;
    const run: RunOptions = {
      kernel: guest.kernel,
      args: guest.args,
      memMiB: guest.memMiB,
      ...(guest.user ? { user: guest.user } : {}),
      ...(guest.blocks.length > 0 ? { block: guest.blocks } : {}),
    };
    if (guest.netns) {
      // This thread joins the pod's namespace: the tap is opened there, and the holder
      // (and so the guest) starts there.
      const { inspectKernelNets } = await import('./kernel-nets.js');
      const nets = inspectKernelNets(guest.kernel, guest.memMiB);
      if (!guest.sandbox && nets.length > 0) {
        if (nets.length > 1)
          throw ociError(
            `the unikernel declares ${nets.length} network devices (${nets.join(', ')}); a pod has one`,
          );
        net = setupPodNetwork(guest.netns, id);
        const made = net;
        undo.push(() => removePodNetwork(made));
        run.net = [{ name: nets[0] as string, iface: net.tap, mac: net.mac }];
        run.args = [
          `--ipv4=${net.ipv4}`,
          ...(net.gateway ? [`--ipv4-gateway=${net.gateway}`] : []),
          ...(run.args ?? []),
        ];
      }
      setNamespace(guest.netns, CLONE_NEWNET);
    }
    const request = { ...normalizeRunOptions(run, 'api'), keepNetwork: guest.sandbox };
    const prepared = prepareLaunch(request);
    let pty: { master: number; slave: number } | undefined;
    try {
      if (guest.terminal) pty = openPty();
      const planFd = planMemfd(
        prepared.encodePlan({
          elfFd: STARTED_ELF_FD,
          deviceFds: prepared.devices.map((_, i) => startedDeviceFd(i)),
          // The parent the tender starts with is the shim (create has exited): the guest dies with it.
          supervisor: { pid: 0 },
        }),
      );
      const pid = spawnHolder({
        fifo: fifoPath(root, id),
        planFd,
        elfFd: prepared.unikernel.fd,
        deviceFds: prepared.devices.map((d) => d.fd),
        kernel: guest.kernel,
        args: request.args,
        stdio: pty?.slave,
        tty: pty ? readlinkSync(`/proc/self/fd/${pty.slave}`) : undefined,
      });
      closeSync(planFd);
      undo.push(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      });
      join_([...groups.dirs, ...(freezer ? [freezer] : [])], pid);
      const record: ContainerRecord = {
        ociVersion: spec.ociVersion ?? '1.0.2',
        id,
        pid,
        pidStart: procStat(pid)?.start ?? '',
        bundle,
        rootfs: resolve(bundle, spec.root.path),
        created: new Date().toISOString(),
        annotations: spec.annotations ?? {},
        started: false,
        cgroups: groups.dirs,
        cgroupDepth: guest.cgroupNames.length - 1,
        freezer,
        ...(net ? { network: { netns: net.netns, tap: net.tap, iface: net.iface } } : {}),
      };
      saveRecord(root, record);
      if (pty && options.consoleSocket) sendFdTo(options.consoleSocket, pty.master);
      if (options.pidFile) writePidFile(resolve(options.pidFile), pid);
      log.write('debug', `created ${id}: pid ${pid}, ${guest.kernel} ${request.args.join(' ')}`);
      if (options.preserveFds > 0)
        log.write(
          'warning',
          `--preserve-fds ${options.preserveFds} ignored: the tender closes every descriptor the guest does not use`,
        );
    } finally {
      prepared.release();
      if (pty) {
        closeSync(pty.master);
        closeSync(pty.slave);
      }
    }
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // the first failure is the one reported
      }
    }
    throw error;
  }
}
