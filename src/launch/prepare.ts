// prepare.ts: turns a launch request into every decision of a run: devices, policy, BPF, command line.
import { closeSync } from 'node:fs';
import { attachDevices, releaseDevices } from '../devices/attach.js';
import type { AttachedDevice, DeviceRequest } from '../devices/types.js';
import { SPT_CMDLINE_SIZE } from '../elf/abi.js';
import { inspectUnikernel, openUnikernel, type Unikernel } from '../elf/unikernel.js';
import { NablaError } from '../errors.js';
import { compileFilter } from '../native/index.js';
import { buildPolicy, type PolicyRule } from '../policy/rules.js';
import { deviceHostFd, EPOLL_FD, TIMER_FD } from './layout.js';
import { encodePlan } from './plan.js';

export interface LaunchRequest {
  /** The KERNEL operand as given. */
  kernel: string;
  /** Guest arguments, joined with single spaces into its command line. */
  args: readonly string[];
  memSize: bigint;
  xExecHeap: boolean;
  devices: readonly DeviceRequest[];
}

export interface PreparedLaunch {
  request: LaunchRequest;
  unikernel: Unikernel;
  /** Attached devices in manifest order, each with the descriptor number the guest will see. */
  devices: ReadonlyArray<AttachedDevice & { hostFd: number }>;
  epollFd: number;
  timerFd: number;
  cmdline: string;
  policy: PolicyRule[];
  /** The BPF program the tender installs, byte for byte, and libseccomp's text form of it. */
  filter: { bpf: Buffer; pfc: string };
  /** The plan, given where the tender will find the ELF and each device when it starts. */
  encodePlan(sources: { elfFd: number; deviceFds: readonly number[] }): Buffer;
  /** Closes every descriptor this preparation opened. */
  release(): void;
}

export function prepareLaunch(request: LaunchRequest): PreparedLaunch {
  const fd = openUnikernel(request.kernel);
  let attached: AttachedDevice[] = [];
  try {
    const unikernel = inspectUnikernel(request.kernel, fd, request.memSize);
    attached = attachDevices(unikernel.manifest, request.devices);
    const cmdline = request.args.join(' ');
    if (Buffer.byteLength(cmdline) > SPT_CMDLINE_SIZE - 1) {
      throw new NablaError(`Guest command line too long (max=${SPT_CMDLINE_SIZE - 1} characters)`);
    }
    const devices = attached.map((device, position) => ({
      ...device,
      hostFd: deviceHostFd(position),
    }));
    const policy = buildPolicy({ epollFd: EPOLL_FD, timerFd: TIMER_FD, devices });
    const filter = compileFilter(
      policy.map((rule) => ({ syscall: rule.syscall, args: rule.args.map((a) => ({ ...a })) })),
    );
    const owned = attached;
    return {
      request,
      unikernel,
      devices,
      epollFd: EPOLL_FD,
      timerFd: TIMER_FD,
      cmdline,
      policy,
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
            ...(d.type === 'BLOCK_BASIC'
              ? { capacity: d.capacity, blockSize: d.blockSize }
              : { mtu: d.mtu, mac: d.mac }),
          })),
          bpf: filter.bpf,
          cmdline,
          kernelPath: request.kernel,
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
