// prepare.ts: turns the launch request (derived from RunOptions) into every decision of a run: devices, policy, BPF, command line.
import { closeSync } from 'node:fs';
import { bytesToText } from '../bytes.js';
import { attachDevices, releaseDevices } from '../devices/attach.js';
import type { AttachedDevice, DeviceRequest } from '../devices/kind.js';
import { SPT_CMDLINE_SIZE } from '../elf/abi.js';
import { inspectUnikernel, openUnikernel, type Unikernel } from '../elf/unikernel.js';
import { NablaError } from '../errors.js';
import { compileFilter } from '../native/index.js';
import { encodePlan } from '../plan/encode.js';
import { deviceHostFd, EPOLL_FD, TIMER_FD } from '../plan/layout.js';
import { buildPolicy, type PolicyRule } from '../policy/rules.js';
import { fileIdentity, type LaunchCache } from './cache.js';
import { decidePrivileges, type Privileges } from './privilege.js';
import type { StdioMode } from './spawn.js';

/**
 * A request as everything after the one normalisation reads it (normalizeRunOptions in
 * src/api-options.ts derives it from RunOptions): bytes, sizes and defaults decided, each
 * device with its kind.
 */
export interface LaunchRequest {
  /** The KERNEL operand as given: bytes, which need not be UTF-8. */
  kernel: Buffer;
  /** Guest arguments (bytes), joined with single spaces into its command line. */
  args: readonly Buffer[];
  memSize: bigint;
  xExecHeap: boolean;
  devices: readonly DeviceRequest[];
  /** `--user`: NAME|UID[:GROUP|GID]; default nobody when root (see privilege.ts). */
  user?: string;
  /** Allow core dumps (and keep the guest dumpable). */
  core: boolean;
  /** The tender reports each step on stderr. */
  verbose: boolean;
  /**
   * Kill the guest after this long: nabla-run's tender keeps the time itself (its watchdog,
   * PlanSources.watchdogMs), run() as the guest's supervisor.
   */
  timeoutMs?: number;
  /** run(): the guest's stdout and stderr. */
  stdio: StdioMode;
  /**
   * Keep the network namespace the tender starts in, even without a network device: nabla-oci's
   * pod sandbox must stay in the pod's namespace, which other containers join through its pid.
   */
  keepNetwork?: boolean;
}

/** Where the tender finds its inputs, and who supervises it. */
export interface PlanSources {
  elfFd: number;
  deviceFds: readonly number[];
  /**
   * A supervised guest (run()) is killed when its parent exits; `pid` is that parent (0: the one
   * the tender starts with, when a wrapper sits between). The supervisor keeps time itself.
   */
  supervisor?: { pid: number };
  /** nabla-run, which no process supervises: the tender's watchdog kills the guest after this long. */
  watchdogMs?: number;
  /** Where the tender finds the cgroup.procs files it joins first: consecutive numbers from firstFd. */
  cgroups?: { firstFd: number; count: number };
}

export interface PreparedLaunch {
  request: LaunchRequest;
  unikernel: Unikernel;
  /** The identity of the file opened (device, inode, size, mtime, ctime): what the checks were for. */
  identity: string;
  /** Attached devices in manifest order, each with the descriptor number the guest will see. */
  devices: ReadonlyArray<AttachedDevice & { hostFd: number }>;
  epollFd: number;
  timerFd: number;
  /** The guest's command line: the arguments' bytes joined with single spaces. */
  cmdline: Buffer;
  policy: PolicyRule[];
  /** The user, namespaces, limits and dumpability the tender gives the guest. */
  privileges: Privileges;
  /** The BPF program the tender installs, byte for byte, and libseccomp's text form of it. */
  filter: { bpf: Buffer; pfc: string };
  /** The plan, given where the tender will find the ELF and each device when it starts. */
  encodePlan(sources: PlanSources): Buffer;
  /** Closes every descriptor this preparation opened. */
  release(): void;
}

/** ARGS joined with single spaces, as bytes (as upstream's tender joins them). */
function joinArgs(args: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const [i, arg] of args.entries()) parts.push(...(i === 0 ? [arg] : [SPACE, arg]));
  return Buffer.concat(parts);
}
const SPACE = Buffer.from(' ');

/**
 * Every decision of a run, for the request. With a cache (run(), from a resident process), the
 * ELF checks and the filter compilation are done once per image and option set (cache.ts);
 * everything else is done for every launch.
 */
export function prepareLaunch(request: LaunchRequest, cache?: LaunchCache): PreparedLaunch {
  const fd = openUnikernel(request.kernel);
  let attached: AttachedDevice[] = [];
  try {
    const identity = fileIdentity(fd);
    const inspect = () => inspectUnikernel(request.kernel, fd, request.memSize);
    const unikernel: Unikernel = cache
      ? {
          ...cache.inspection(identity, request.memSize, inspect),
          path: bytesToText(request.kernel),
          fd,
        }
      : inspect();
    attached = attachDevices(unikernel.manifest, request.devices);
    const cmdline = joinArgs(request.args);
    // The limit counts bytes (upstream's SPT_CMDLINE_SIZE); its words say characters.
    if (cmdline.length > SPT_CMDLINE_SIZE - 1) {
      throw new NablaError(`Guest command line too long (max=${SPT_CMDLINE_SIZE - 1} characters)`, {
        code: 'CMDLINE_TOO_LONG',
      });
    }
    const devices = attached.map((device, position) => ({
      ...device,
      hostFd: deviceHostFd(position),
    }));
    const privileges = decidePrivileges(request, {
      euid: process.geteuid?.() ?? 0,
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      highestFd: Math.max(EPOLL_FD, TIMER_FD, ...devices.map((d) => d.hostFd)),
      keepsHostNetwork:
        request.keepNetwork === true || devices.some((d) => d.kind.keepsHostNetwork),
    });
    const policy = buildPolicy({ epollFd: EPOLL_FD, timerFd: TIMER_FD, devices });
    const compile = () =>
      compileFilter(
        policy.map((rule) => ({ syscall: rule.syscall, args: rule.args.map((a) => ({ ...a })) })),
      );
    const filter = cache ? cache.filter(identity, request.memSize, policy, compile) : compile();
    const owned = attached;
    return {
      request,
      unikernel,
      identity,
      devices,
      epollFd: EPOLL_FD,
      timerFd: TIMER_FD,
      cmdline,
      policy,
      privileges,
      filter,
      encodePlan: (sources) =>
        encodePlan({
          memSize: request.memSize,
          xExecHeap: request.xExecHeap,
          elfFd: sources.elfFd,
          epollFd: EPOLL_FD,
          timerFd: TIMER_FD,
          devices: devices.map((d, i) => ({
            index: d.index,
            type: d.type,
            sourceFd: sources.deviceFds[i] ?? -1,
            hostFd: d.hostFd,
            ...d.kind.planFields(d),
          })),
          bpf: filter.bpf,
          cmdline,
          kernelPath: request.kernel,
          privileges,
          verbose: request.verbose,
          timeoutMs: sources.watchdogMs ?? 0,
          ...(sources.supervisor ? { supervisor: sources.supervisor } : {}),
          ...(sources.cgroups ? { cgroups: sources.cgroups } : {}),
        }),
      release: () => {
        releaseDevices(owned);
        closeSync(fd);
      },
    };
  } catch (error) {
    releaseDevices(attached);
    closeSync(fd);
    throw error;
  }
}
