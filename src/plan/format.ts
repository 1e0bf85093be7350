// format.ts: the launch plan layout, mirroring tenders/include/nabla_plan.h (version 3).

export const PLAN_MAGIC = 0x4e4c504e; // "NPLN"
export const PLAN_VERSION = 3;
export const PLAN_MAX_SIZE = 1 << 20;
export const PLAN_MAX_DEVICES = 63;
export const PLAN_MAX_BPF_INSNS = 4096;
export const PLAN_FD_LIMIT = 1024;
export const PLAN_MIN_MEM_SIZE = 1n << 20n;
export const PLAN_MAX_MEM_SIZE = 1n << 40n;
export const PLAN_MAX_PATH_SIZE = 4096;
/** cgroup.procs descriptors a plan may name (v3). */
export const PLAN_MAX_CGROUPS = 8;
export const PLAN_F_X_EXEC_HEAP = 0x1;
export const PLAN_F_PDEATHSIG = 0x2;
export const PLAN_F_DUMPABLE = 0x4;
export const PLAN_F_VERBOSE = 0x8;
/** uid/gid: stay as started. */
export const PLAN_ID_KEEP = 0xffffffff;
/** rlimit_*: no limit (RLIM_INFINITY). */
export const PLAN_RLIM_INFINITY = 0xffffffffffffffffn;
/** namespaces: Linux's CLONE_NEW* values. */
export const PLAN_NS = {
  mnt: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  net: 0x40000000,
} as const;

export const PLAN_HEADER_SIZE = 128;
/** Byte offsets in struct nabla_plan_header. */
export const PLAN_HEADER = {
  magic: 0,
  version: 4,
  headerSize: 8,
  totalSize: 12,
  memSize: 16,
  flags: 24,
  elfFd: 28,
  epollFd: 32,
  timerFd: 36,
  deviceCount: 40,
  deviceSize: 44,
  devicesOffset: 48,
  bpfOffset: 52,
  bpfSize: 56,
  cmdlineOffset: 60,
  cmdlineSize: 64,
  kernelPathOffset: 68,
  kernelPathSize: 72,
  cgroupCount: 76,
  cgroupFd: 78,
  uid: 80,
  gid: 84,
  namespaces: 88,
  parentPid: 92,
  timeoutMs: 96,
  rlimitCore: 104,
  rlimitNofile: 112,
  rlimitNproc: 120,
} as const;

export const PLAN_DEVICE_SIZE = 40;
/** Byte offsets in struct nabla_plan_device. */
export const PLAN_DEVICE = {
  mftIndex: 0,
  type: 4,
  sourceFd: 8,
  hostFd: 12,
  capacity: 16,
  blockSize: 24,
  mtu: 26,
  mac: 28,
  reserved: 34,
} as const;
