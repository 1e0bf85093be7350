// abi.ts: Solo5 spt ABI v2 constants and layouts, mirroring tenders/include/spt_abi.h (and nabla's extension page, nabla_ext.h).

export const SPT_ABI_TARGET = 2;
export const SPT_ABI_VERSION = 2;
export const SPT_GUEST_MIN_BASE = 0x100000n;
export const SPT_HOST_MEM_BASE = 0x10000n;
export const SPT_BOOT_INFO_BASE = 0x11000n;
/** Longest guest command line including its NUL. */
export const SPT_CMDLINE_SIZE = 8192;
export const SPT_DEFAULT_MEM_SIZE = 512n << 20n;

export const SOLO5_NOTE_NAME = 'Solo5';
export const SOLO5_NOTE_NAMESZ = 6;
export const SOLO5_NOTE_ABI = 0x31494241; // "ABI1"
export const SOLO5_NOTE_MANIFEST = 0x3154464d; // "MFT1"
export const SOLO5_NOTE_MANIFEST_MAX_DESCSZ = 6668;
export const SOLO5_NHDR_SIZE = 20;
export const ABI1_INFO_SIZE = 16;

export const MFT_VERSION = 1;
export const MFT_MAX_ENTRIES = 64;
export const MFT_NAME_SIZE = 68;
export const MFT_NAME_MAX = MFT_NAME_SIZE - 1;
export const MFT_NOTE_DESC_PAD = 4;
export const MFT_HEADER_SIZE = 8;
export const MFT_ENTRY_SIZE = 104;

export const MFT_DEV_BLOCK_BASIC = 1;
export const MFT_DEV_NET_BASIC = 2;
export const MFT_RESERVED_FIRST = 1 << 30;

/** Byte offsets inside one 104-byte manifest entry. */
export const MFT_ENTRY = {
  name: 0,
  type: 68,
  capacity: 72,
  blockSize: 80,
  mac: 72,
  mtu: 78,
  hostfd: 88,
  attached: 96,
} as const;

export const SPT_BOOT_INFO_SIZE = 40;
export const SPT_EPOLL_TIMERFD_DATA = 0xfffffffen;

/**
 * The manifest's device types by name (MFT_DEV_<name> in spt_abi.h): the one list of them on
 * this side, which the manifest reader, the note and plan writers and the manifest.json schema
 * take theirs from. A device kind (src/devices/) attaches devices of one of these types.
 */
export const MFT_DEVICE_TYPES = {
  BLOCK_BASIC: MFT_DEV_BLOCK_BASIC,
  NET_BASIC: MFT_DEV_NET_BASIC,
} as const;

export type DeviceType = keyof typeof MFT_DEVICE_TYPES;

/** The names of the types, in MFT_DEVICE_TYPES' order. */
export const DEVICE_TYPE_NAMES = Object.keys(MFT_DEVICE_TYPES) as readonly DeviceType[];

export function deviceTypeName(type: number): DeviceType | undefined {
  return DEVICE_TYPE_NAMES.find((name) => MFT_DEVICE_TYPES[name] === type);
}

/** nabla's extension page (tenders/include/nabla_ext.h, docs/abi.md §4.5). */
export const NABLA_EXT_BASE = 0x10000n;
export const NABLA_EXT_MAGIC = 0x545845616c62616en; // "nablaEXT"
export const NABLA_EXT_VERSION = 1;
export const NABLA_EXT_SIZE = 24;
/** Byte offsets inside struct nabla_ext. */
export const NABLA_EXT = { magic: 0, version: 8, size: 12, vdsoClockGettime: 16 } as const;
/** The SDK's marker note: owner "nabla", type "EXT1", the page version it reads (u32). */
export const NABLA_NOTE_NAME = 'nabla';
export const NABLA_NOTE_NAMESZ = 6;
export const NABLA_NOTE_EXT = 0x31545845; // "EXT1"
export const NABLA_NOTE_EXT_DESCSZ = 4;
