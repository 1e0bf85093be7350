// subnet.ts: an IPv4 pool in CIDR form cut into /30 slots, one per guest tap: the network, the host's address, the guest's, a MAC.
import { isIPv4 } from 'node:net';
import { expected } from '../../checks.js';

/** A /30 per tap: the network, the host side (.1), the guest (.2) and the broadcast (.3). */
export const SLOT_PREFIX = 30;
const SLOT_SIZE = 4;

export interface Pool {
  /** The pool's first address as a number, and its prefix length. */
  base: number;
  prefixLength: number;
  /** How many /30 slots it holds. */
  slots: number;
}

export interface Slot {
  index: number;
  network: string;
  host: string;
  guest: string;
  prefixLength: number;
  /** A locally administered unicast MAC for the guest, from the slot (02:6e:62 is "nb"). */
  mac: string;
}

export const ipToNumber = (ip: string): number =>
  ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

export const numberToIp = (n: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** Parses `A.B.C.D/P` (P 8-30, A.B.C.D the network's first address). Throws OPTION_INVALID. */
export function parsePool(text: unknown, name = 'tap pool'): Pool {
  const what = 'an IPv4 network A.B.C.D/P with P from 8 to 30 (e.g. 10.213.0.0/16)';
  const m = typeof text === 'string' ? /^([0-9.]+)\/([0-9]{1,2})$/.exec(text) : null;
  const ip = m?.[1] ?? '';
  const prefixLength = Number(m?.[2]);
  if (!isIPv4(ip) || !(prefixLength >= 8 && prefixLength <= SLOT_PREFIX)) {
    throw expected(what, name, text);
  }
  const base = ipToNumber(ip);
  const size = 2 ** (32 - prefixLength);
  if (base % size !== 0) throw expected(`${what}: host bits zero`, name, text);
  return { base, prefixLength, slots: size / SLOT_SIZE };
}

/** The slot'th /30 of the pool. */
export function slotOf(pool: Pool, index: number): Slot {
  if (!(Number.isInteger(index) && index >= 0 && index < pool.slots)) {
    throw new RangeError(`slot ${index} is outside the pool's ${pool.slots} slots`);
  }
  const network = pool.base + index * SLOT_SIZE;
  const mac = [0x02, 0x6e, 0x62, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff];
  return {
    index,
    network: numberToIp(network),
    host: numberToIp(network + 1),
    guest: numberToIp(network + 2),
    prefixLength: SLOT_PREFIX,
    mac: mac.map((b) => b.toString(16).padStart(2, '0')).join(':'),
  };
}

/** True when network/prefix and the /30 at `network` share an address. */
export function overlaps(network: number, otherNetwork: number, otherPrefix: number): boolean {
  const size = 2 ** (32 - otherPrefix);
  const start = otherNetwork - (otherNetwork % size);
  return network < start + size && start < network + SLOT_SIZE;
}
