// encode.ts: encodes a launch plan (tenders/include/nabla_plan.h) from decisions already made.
import { type DeviceType, MFT_DEVICE_TYPES } from '../elf/abi.js';
import {
  PLAN_DEVICE,
  PLAN_DEVICE_SIZE,
  PLAN_F_DUMPABLE,
  PLAN_F_PDEATHSIG,
  PLAN_F_VERBOSE,
  PLAN_F_X_EXEC_HEAP,
  PLAN_HEADER,
  PLAN_HEADER_SIZE,
  PLAN_ID_KEEP,
  PLAN_MAGIC,
  PLAN_VERSION,
} from './format.js';

/** What the tender enforces of the guest's privileges (plan v2 fields); src/launch/privilege.ts decides them. */
export interface PlanPrivileges {
  /** The ids to switch to, or 'keep' (started by a non-root user: nothing to switch to). */
  user: { uid: number; gid: number; name: string } | 'keep';
  /** CLONE_NEW* flags the tender unshares where the host allows. */
  namespaces: number;
  /** Soft and hard limits, as setrlimit takes them (PLAN_RLIM_INFINITY: none). */
  rlimits: { core: bigint; nofile: bigint; nproc: bigint };
  dumpable: boolean;
}

/**
 * The fields of struct nabla_plan_device a device kind fills (src/devices/<kind>.ts,
 * planFields); those a kind does not use stay zero, as the tender's check of the kind requires.
 */
export interface PlanDeviceFields {
  capacity?: bigint;
  blockSize?: number;
  mtu?: number;
  mac?: Buffer;
}

export interface PlanDevice extends PlanDeviceFields {
  index: number;
  type: DeviceType;
  sourceFd: number;
  hostFd: number;
}

export interface PlanInput {
  memSize: bigint;
  xExecHeap: boolean;
  elfFd: number;
  epollFd: number;
  timerFd: number;
  devices: readonly PlanDevice[];
  bpf: Buffer;
  /** The guest's command line, bytes without NUL. */
  cmdline: Buffer;
  /** The KERNEL operand as given (bytes without NUL), for the tender's messages. */
  kernelPath: Buffer;
  /** Default: keep the ids, no namespaces, no core, nofile just above the planned numbers, nproc 0, not dumpable. */
  privileges?: PlanPrivileges;
  verbose?: boolean;
  /** The tender's own watchdog (nabla-run --timeout); 0 (the default) for none. */
  timeoutMs?: number;
  /** A supervised guest dies with its parent: the parent's pid, or 0 for "the parent it starts with". */
  supervisor?: { pid: number };
  /** Open cgroup.procs files the tender joins first (v3): the first's number and how many follow. */
  cgroups?: { firstFd: number; count: number };
}

const align8 = (n: number) => (n + 7) & ~7;

/** The strict choices for a plan that does not say (prepareLaunch always says). */
function defaultPrivileges(input: PlanInput): NonNullable<PlanInput['privileges']> {
  const highest = Math.max(2, input.epollFd, input.timerFd, ...input.devices.map((d) => d.hostFd));
  return {
    user: 'keep',
    namespaces: 0,
    rlimits: { core: 0n, nofile: BigInt(highest + 1), nproc: 0n },
    dumpable: false,
  };
}

/** A string region: the bytes and their NUL; one inside would cut the string short in C. */
function cString(bytes: Buffer, name: string): Buffer {
  if (bytes.includes(0)) throw new Error(`launch plan: ${name} holds a NUL byte`);
  return Buffer.concat([bytes, Buffer.of(0)]);
}

export function encodePlan(input: PlanInput): Buffer {
  const cmdline = cString(input.cmdline, 'cmdline');
  const kernelPath = cString(input.kernelPath, 'kernel path');
  const devicesOffset = PLAN_HEADER_SIZE;
  const bpfOffset = align8(devicesOffset + input.devices.length * PLAN_DEVICE_SIZE);
  const cmdlineOffset = bpfOffset + input.bpf.length;
  const kernelPathOffset = cmdlineOffset + cmdline.length;
  const total = kernelPathOffset + kernelPath.length;

  const plan = Buffer.alloc(total);
  const h = PLAN_HEADER;
  plan.writeUInt32LE(PLAN_MAGIC, h.magic);
  plan.writeUInt32LE(PLAN_VERSION, h.version);
  plan.writeUInt32LE(PLAN_HEADER_SIZE, h.headerSize);
  plan.writeUInt32LE(total, h.totalSize);
  plan.writeBigUInt64LE(input.memSize, h.memSize);
  const privileges = input.privileges ?? defaultPrivileges(input);
  const flags =
    (input.xExecHeap ? PLAN_F_X_EXEC_HEAP : 0) |
    (input.supervisor ? PLAN_F_PDEATHSIG : 0) |
    (privileges.dumpable ? PLAN_F_DUMPABLE : 0) |
    (input.verbose ? PLAN_F_VERBOSE : 0);
  plan.writeUInt32LE(flags, h.flags);
  plan.writeInt32LE(input.elfFd, h.elfFd);
  plan.writeInt32LE(input.epollFd, h.epollFd);
  plan.writeInt32LE(input.timerFd, h.timerFd);
  plan.writeUInt32LE(input.devices.length, h.deviceCount);
  plan.writeUInt32LE(PLAN_DEVICE_SIZE, h.deviceSize);
  plan.writeUInt32LE(devicesOffset, h.devicesOffset);
  plan.writeUInt32LE(bpfOffset, h.bpfOffset);
  plan.writeUInt32LE(input.bpf.length, h.bpfSize);
  plan.writeUInt32LE(cmdlineOffset, h.cmdlineOffset);
  plan.writeUInt32LE(cmdline.length, h.cmdlineSize);
  plan.writeUInt32LE(kernelPathOffset, h.kernelPathOffset);
  plan.writeUInt32LE(kernelPath.length, h.kernelPathSize);
  const cgroups = input.cgroups?.count ? input.cgroups : { firstFd: 0, count: 0 };
  plan.writeUInt16LE(cgroups.count, h.cgroupCount);
  plan.writeUInt16LE(cgroups.firstFd, h.cgroupFd);
  const { user, namespaces, rlimits } = privileges;
  plan.writeUInt32LE(user === 'keep' ? PLAN_ID_KEEP : user.uid, h.uid);
  plan.writeUInt32LE(user === 'keep' ? PLAN_ID_KEEP : user.gid, h.gid);
  plan.writeUInt32LE(namespaces, h.namespaces);
  plan.writeInt32LE(input.supervisor?.pid ?? 0, h.parentPid);
  plan.writeBigUInt64LE(BigInt(input.timeoutMs ?? 0), h.timeoutMs);
  plan.writeBigUInt64LE(rlimits.core, h.rlimitCore);
  plan.writeBigUInt64LE(rlimits.nofile, h.rlimitNofile);
  plan.writeBigUInt64LE(rlimits.nproc, h.rlimitNproc);

  input.devices.forEach((device, i) => {
    const at = devicesOffset + i * PLAN_DEVICE_SIZE;
    const d = PLAN_DEVICE;
    plan.writeUInt32LE(device.index, at + d.mftIndex);
    plan.writeUInt32LE(MFT_DEVICE_TYPES[device.type], at + d.type);
    plan.writeInt32LE(device.sourceFd, at + d.sourceFd);
    plan.writeInt32LE(device.hostFd, at + d.hostFd);
    plan.writeBigUInt64LE(device.capacity ?? 0n, at + d.capacity);
    plan.writeUInt16LE(device.blockSize ?? 0, at + d.blockSize);
    plan.writeUInt16LE(device.mtu ?? 0, at + d.mtu);
    device.mac?.copy(plan, at + d.mac, 0, 6);
  });
  input.bpf.copy(plan, bpfOffset);
  cmdline.copy(plan, cmdlineOffset);
  kernelPath.copy(plan, kernelPathOffset);
  return plan;
}
