// net.ts: the NET_BASIC kind: a tap interface, or a tap descriptor handed in (--net, --net-mac), with its MTU and MAC, and its rules: read and write of frames on it.
import { closeSync } from 'node:fs';
import type { ReportDevice } from '../audit/report.js';
import { checkKeys, deviceName, expected, object } from '../checks.js';
import type { DeclaredDevice } from '../elf/manifest.js';
import { NablaError } from '../errors.js';
import {
  IFF_NO_PI,
  IFF_TAP,
  IFF_TUN,
  IFF_VNET_HDR,
  interfaceMtu,
  setNonBlocking,
  tapAttach,
  tunInfo,
} from '../native/index.js';
import { systemErrorText } from '../os-errors.js';
import type { RuleTemplate } from '../policy/table.js';
import { escapeName, escapeText } from '../text-escape.js';
import { closeOwned } from './attach.js';
import type {
  AttachedDevice,
  DeviceKind,
  DeviceRequest,
  GivenOptions,
  RequestOrigin,
} from './kind.js';

/** A network device in RunOptions (`net: [...]`): a tap interface by name, or an open descriptor. */
export interface NetOptions {
  /** Its name in the manifest. */
  name: string;
  /** An existing tap interface. */
  iface?: string;
  /** A tap descriptor already open (made non-blocking); anything but a tap is refused. */
  fd?: number;
  /** Its MAC address, xx:xx:xx:xx:xx:xx (default: random, locally administered). */
  mac?: string;
}

/** A tap interface by name, or a descriptor the caller already opened (`@FD`). */
export type NetTarget = { iface: string } | { fd: number };

export interface NetRequest extends DeviceRequest {
  target: NetTarget;
  mac?: string | undefined;
}

export interface AttachedNet extends AttachedDevice {
  /** The interface, or `@FD`. */
  target: string;
  mac: Buffer;
  mtu: number;
}

/** MTU assumed for a descriptor passed with @FD, whose interface we cannot name. */
const DEFAULT_MTU = 1500;
/** The manifest stores the MTU in 16 bits (docs/abi.md §3.1). */
export const MAX_MTU = 65535;
const MAC_PATTERN = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const KEYS = ['name', 'iface', 'fd', 'mac'] as const;

export function parseMac(name: string, text: string): Buffer {
  if (!MAC_PATTERN.test(text))
    throw new NablaError(
      `Malformed argument to --net-mac:${escapeName(name)}: '${escapeText(text)}'`,
      { code: 'OPTION_INVALID' },
    );
  return Buffer.from(text.split(':').map((byte) => Number.parseInt(byte, 16)));
}

/** A random unicast MAC with the locally administered bit set. */
export function randomMac(): Buffer {
  // Web Crypto is global and loads lazily: nabla-run's start-up stays free of node:crypto.
  const mac = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(6)));
  mac[0] = ((mac[0] ?? 0) & 0xfe) | 0x02;
  return mac;
}

/** Linux's IFNAMSIZ (16) less the terminating NUL. */
const IFNAME_MAX_BYTES = 15;

function attachFailed(target: string, error: unknown): NablaError {
  return new NablaError(
    `Could not attach interface: ${escapeText(target)}: ${systemErrorText(error)}`,
    { code: 'NET_ATTACH' },
  );
}

/**
 * Why a descriptor handed in with @FD is not one a guest may use as its network device, or
 * undefined when it is a tap as upstream opens one. The guest writes to whatever the number
 * holds, so only the kernel's word counts (TUNGETIFF): a socket, pipe or file is refused, and
 * so is a tun (IP packets, not Ethernet frames). A tap must also carry bare frames, as the
 * bindings read and write them: without IFF_NO_PI every frame would start with 4 bytes of
 * packet information, with IFF_VNET_HDR with a virtio-net header; traffic would be garbled
 * both ways, so these are refused too rather than attached (IFF_NO_PI only when the kernel
 * can say: see below). The tender asks again (tenders/spt/devices.c) with the same reasons.
 */
export function notATap(fd: number): string | undefined {
  let flags: number;
  try {
    flags = tunInfo(fd).flags;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EBADFD')
      return 'not a tap device (a tun/tap descriptor attached to no interface)';
    if (code === 'ENOTTY' || code === 'EINVAL')
      return `not a tap device (TUNGETIFF: ${systemErrorText(error)})`;
    return systemErrorText(error); // EBADF and the like: as upstream words them
  }
  if ((flags & IFF_TUN) !== 0) return 'not a tap device (a tun device: IFF_TUN)';
  if ((flags & IFF_TAP) === 0) return `not a tap device (TUNGETIFF flags 0x${flags.toString(16)})`;
  // TUNGETIFF reports bit 0x1000 for IFF_NO_PI and also as IFF_NOFILTER (no socket filter on
  // the queue), so a clear bit proves IFF_NO_PI missing, a set one proves nothing.
  if ((flags & IFF_NO_PI) === 0)
    return 'tap device without IFF_NO_PI (frames would carry a packet information header)';
  if ((flags & IFF_VNET_HDR) !== 0)
    return 'tap device with IFF_VNET_HDR (frames would carry a virtio-net header)';
  return undefined;
}

/**
 * A caller's descriptor must be a tap (notATap), and may be blocking (a shell or another
 * program opened it so), but the guest's solo5_net_read must return SOLO5_R_AGAIN when no
 * frame waits instead of stopping the whole unikernel in read(2), as upstream's tender ensures
 * with O_NONBLOCK too.
 */
function adoptFd(fd: number): void {
  const refused = notATap(fd);
  if (refused !== undefined)
    throw new NablaError(`Could not attach interface: @${fd}: ${refused}`, {
      code: 'NET_NOT_TAP',
    });
  try {
    setNonBlocking(fd);
  } catch (error) {
    throw attachFailed(`@${fd}`, error);
  }
}

/** The interface's MTU, refused when the guest could not be told it (a 16-bit field). */
function mtuOf(iface: string): number {
  let mtu: number;
  try {
    mtu = interfaceMtu(iface);
  } catch (error) {
    throw attachFailed(iface, error);
  }
  if (mtu > MAX_MTU) {
    throw new NablaError(
      `Could not attach interface: ${escapeText(iface)}: MTU ${mtu} is above ${MAX_MTU}, the largest the manifest can hold`,
      { code: 'NET_ATTACH' },
    );
  }
  return mtu;
}

export function attachNet(device: DeclaredDevice, target: NetTarget, mac?: string): AttachedNet {
  const address = mac === undefined ? randomMac() : parseMac(device.name, mac);
  const base = {
    kind: net,
    type: device.type,
    index: device.index,
    name: device.name,
    mac: address,
  };
  if ('fd' in target) {
    adoptFd(target.fd);
    return { ...base, fd: target.fd, owned: false, target: `@${target.fd}`, mtu: DEFAULT_MTU };
  }
  // Linux keeps interface names in 16 bytes with the NUL: a longer one names no interface.
  if (Buffer.byteLength(target.iface) > IFNAME_MAX_BYTES || target.iface === '') {
    throw new NablaError(
      `Could not attach interface: ${escapeText(target.iface)}: Invalid argument (an interface name has 1 to ${IFNAME_MAX_BYTES} bytes)`,
      { code: 'NET_ATTACH' },
    );
  }
  let fd: number;
  try {
    fd = tapAttach(target.iface);
  } catch (error) {
    throw attachFailed(target.iface, error);
  }
  try {
    return { ...base, fd, owned: true, target: target.iface, mtu: mtuOf(target.iface) };
  } catch (error) {
    closeSync(fd); // not yet in the attached list that attachDevices releases
    throw error;
  }
}

/**
 * The API's checks of an entry. From nabla-run's parser the interface name and the MAC are
 * checked when the device is attached (attachNet, in upstream's words and at its step), and
 * `@FD` is whatever number was written: the kernel has the last word on it.
 */
function checkEntry(n: Record<string, unknown>, where: string, origin: RequestOrigin): void {
  const { iface, fd, mac } = n;
  if ((iface === undefined) === (fd === undefined))
    throw expected('{ name, iface } or { name, fd }', where, n);
  if (origin !== 'api') return;
  if (
    iface !== undefined &&
    (typeof iface !== 'string' ||
      iface === '' ||
      iface.includes('\0') ||
      Buffer.byteLength(iface) > IFNAME_MAX_BYTES)
  )
    throw expected(`an interface name (1 to ${IFNAME_MAX_BYTES} bytes)`, `${where}.iface`, iface);
  if (
    fd !== undefined &&
    !(typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff)
  )
    throw expected('a file descriptor (an integer from 0 to 2147483647)', `${where}.fd`, fd);
  if (mac !== undefined && (typeof mac !== 'string' || !MAC_PATTERN.test(mac)))
    throw expected('a MAC address (xx:xx:xx:xx:xx:xx)', `${where}.mac`, mac);
}

const macText = (mac: Buffer) => [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** Network I/O: only this device's descriptor. */
const NET_ARGS: RuleTemplate['args'] = [{ index: 0, op: 'eq', operand: { slot: 'device' } }];

export const net = {
  key: 'net' as const,
  type: 'NET_BASIC',
  entryShape: '{ name, iface | fd, mac? }',

  options: [
    {
      name: 'net',
      forms: [
        {
          syntax: '--net:NAME=IFACE',
          help: ['attach the existing tap interface IFACE as the network device NAME'],
        },
        { syntax: '--net:NAME=@FD', help: ['use the already open tap descriptor FD for NAME'] },
      ],
    },
    {
      name: 'net-mac',
      qualifies: 'net',
      forms: [
        {
          syntax: '--net-mac:NAME=MAC',
          help: ['MAC address of NAME (default: random, locally administered)'],
        },
      ],
    },
  ],

  examples: ['--net:service=tap0 --net-mac:service=02:00:00:00:00:01 app.nabla'],

  fromCommandLine(given: GivenOptions): NetOptions[] {
    const macs = given('net-mac');
    return [...given('net')].map(([name, value]) => {
      const text = value as string;
      const target = /^@[0-9]+$/.test(text) ? { fd: Number(text.slice(1)) } : { iface: text };
      return { name, ...target, ...(macs.has(name) ? { mac: macs.get(name) as string } : {}) };
    });
  },

  toCommandLine(entry: NetOptions): string[] {
    const words = [`--net:${entry.name}=${entry.fd === undefined ? entry.iface : `@${entry.fd}`}`];
    if (entry.mac !== undefined) words.push(`--net-mac:${entry.name}=${entry.mac}`);
    return words;
  },

  check(value: unknown, where: string, origin: RequestOrigin): NetRequest {
    const n = object(value, where);
    checkKeys(n, KEYS, where);
    checkEntry(n, where, origin);
    return {
      kind: net,
      name: deviceName(n.name, where),
      target: n.iface !== undefined ? { iface: n.iface as string } : { fd: n.fd as number },
      mac: n.mac as string | undefined,
    };
  },

  attach(declared: DeclaredDevice, request: NetRequest): AttachedNet {
    return attachNet(declared, request.target, request.mac);
  },
  release: closeOwned,
  /** A guest with a tap keeps the host's network namespace, like its tap. */
  keepsHostNetwork: true,

  rules: [
    {
      syscall: 'read',
      nr: 0,
      args: NET_ARGS,
      reason: 'solo5_net_read of one frame from the tap',
    },
    {
      syscall: 'write',
      nr: 1,
      args: NET_ARGS,
      reason: 'solo5_net_write of one frame to the tap',
    },
  ],
  operand(field: string): bigint {
    throw new Error(`policy field '${field}' is not a network device's`);
  },

  planFields: (device: AttachedNet) => ({ mtu: device.mtu, mac: device.mac }),

  attachment: (device: AttachedNet) => device.target,
  reportFields: (device: AttachedNet) => ({ mtu: device.mtu }),
  geometry: (entry: ReportDevice) => `mtu ${entry.mtu}`,
  /** The descriptor the audit opened, and the MAC the guest is told. */
  hostedArgs(device: AttachedNet, fd: number): string[] {
    return net.toCommandLine({ name: device.name, fd, mac: macText(device.mac) });
  },
} satisfies DeviceKind;
