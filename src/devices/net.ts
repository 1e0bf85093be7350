// net.ts: attaches a tap interface (or an open descriptor) as a network device, with MTU and MAC.
import { fstatSync } from 'node:fs';
import { NablaError } from '../errors.js';
import type { DeclaredDevice } from '../manifest/manifest.js';
import { interfaceMtu, tapAttach } from '../native/index.js';
import { systemErrorText } from '../os-errors.js';
import type { AttachedNet, NetTarget } from './types.js';

/** MTU assumed for a descriptor passed with @FD, whose interface we cannot name. */
const DEFAULT_MTU = 1500;
const MAC_PATTERN = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function parseMac(name: string, text: string): Buffer {
  if (!MAC_PATTERN.test(text))
    throw new NablaError(`Malformed argument to --net-mac:${name}: '${text}'`);
  return Buffer.from(text.split(':').map((byte) => Number.parseInt(byte, 16)));
}

/** A random unicast MAC with the locally administered bit set. */
export function randomMac(): Buffer {
  // Web Crypto is global and loads lazily: nabla-run's start-up stays free of node:crypto.
  const mac = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(6)));
  mac[0] = ((mac[0] ?? 0) & 0xfe) | 0x02;
  return mac;
}

export function attachNet(device: DeclaredDevice, target: NetTarget, mac?: string): AttachedNet {
  const address = mac === undefined ? randomMac() : parseMac(device.name, mac);
  const base = { type: 'NET_BASIC' as const, index: device.index, name: device.name, mac: address };
  if ('fd' in target) {
    try {
      fstatSync(target.fd);
    } catch (error) {
      throw new NablaError(`Could not attach interface: @${target.fd}: ${systemErrorText(error)}`);
    }
    return { ...base, fd: target.fd, owned: false, target: `@${target.fd}`, mtu: DEFAULT_MTU };
  }
  let fd: number;
  try {
    fd = tapAttach(target.iface);
  } catch (error) {
    throw new NablaError(`Could not attach interface: ${target.iface}: ${systemErrorText(error)}`);
  }
  const mtu = interfaceMtu(target.iface);
  return { ...base, fd, owned: true, target: target.iface, mtu };
}
