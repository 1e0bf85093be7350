// net.test.ts: MAC parsing and generation, MTU limits, and which @FD descriptors the net attachment adopts.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attachNet, MAX_MTU, notATap, parseMac, randomMac } from '../../src/devices/net.js';
import type { DeclaredDevice } from '../../src/elf/manifest.js';
import * as nativeApi from '../../src/native/index.js';
import { useScratch } from '../helpers/scratch.js';
import { closedFd, fdFlags, O_NONBLOCK } from '../native/fdinfo.js';

const scratch = useScratch();
/** What TUNGETIFF says of a tap opened as upstream opens one: IFF_TAP | IFF_NO_PI. */
const TAP = { flags: nativeApi.IFF_TAP | nativeApi.IFF_NO_PI, name: 'tap0' };
/** Makes the kernel's answer for every descriptor a tap's: for tests of what follows the check. */
const pretendTap = () => vi.spyOn(nativeApi, 'tunInfo').mockReturnValue(TAP);

const SERVICE: DeclaredDevice = { index: 1, name: 'service', type: 'NET_BASIC' };

const opened: number[] = [];

function openNull(): number {
  const fd = openSync('/dev/null', 'r+');
  opened.push(fd);
  return fd;
}

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  for (const fd of opened.splice(0)) if (isOpen(fd)) closeSync(fd);
});

describe('parseMac', () => {
  it('reads six colon-separated hex octets, either case', () => {
    expect([...parseMac('service', '02:00:5e:0A:fF:01')]).toEqual([2, 0, 0x5e, 0x0a, 0xff, 1]);
  });

  it.each([
    'zz',
    '02:00:00:00:00',
    '02:00:00:00:00:00:00',
    '2:0:0:0:0:1',
    '02-00-00-00-00-01',
    '02:00:00:00:00:0g',
    '',
  ])('refuses %j with one line naming the option', (text) => {
    expect(() => parseMac('service', text)).toThrow(
      `Malformed argument to --net-mac:service: '${text}'`,
    );
  });
});

describe('randomMac', () => {
  it('is unicast and locally administered, and differs from run to run', () => {
    const macs = Array.from({ length: 32 }, () => randomMac());
    for (const mac of macs) {
      expect(mac).toHaveLength(6);
      expect((mac[0] ?? 0) & 0x01).toBe(0); // not multicast
      expect((mac[0] ?? 0) & 0x02).toBe(0x02); // locally administered
    }
    expect(new Set(macs.map((m) => m.toString('hex'))).size).toBeGreaterThan(1);
  });
});

describe('notATap: the kernel decides what an @FD descriptor is (TUNGETIFF)', () => {
  const NOT_TUN = 'not a tap device (TUNGETIFF: Inappropriate ioctl for device)';

  it('refuses a character device, a regular file and a FIFO: the tun driver does not answer', () => {
    const fifo = join(scratch.dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const fds = [
      openNull(),
      openSync(scratch.file('file', 'x'), 'r+'),
      openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK),
    ];
    opened.push(...fds.slice(1));
    for (const fd of fds) expect(notATap(fd)).toBe(NOT_TUN);
  });

  it('refuses a descriptor that is not open, in upstream words', () => {
    expect(notATap(closedFd())).toBe('Bad file descriptor');
  });

  it.each([
    [nativeApi.IFF_TUN | nativeApi.IFF_NO_PI, 'not a tap device (a tun device: IFF_TUN)'],
    [nativeApi.IFF_NO_PI, 'not a tap device (TUNGETIFF flags 0x1000)'],
    [
      nativeApi.IFF_TAP,
      'tap device without IFF_NO_PI (frames would carry a packet information header)',
    ],
    [
      nativeApi.IFF_TAP | nativeApi.IFF_NO_PI | nativeApi.IFF_VNET_HDR,
      'tap device with IFF_VNET_HDR (frames would carry a virtio-net header)',
    ],
  ])('refuses TUNGETIFF flags %i with the reason', (flags, reason) => {
    vi.spyOn(nativeApi, 'tunInfo').mockReturnValue({ flags, name: 'x0' });
    expect(notATap(7)).toBe(reason);
  });

  it('accepts IFF_TAP | IFF_NO_PI, with any other flags (persist, multi-queue)', () => {
    vi.spyOn(nativeApi, 'tunInfo').mockReturnValue({ flags: TAP.flags | 0x0900, name: 'tap0' });
    expect(notATap(7)).toBeUndefined();
  });

  it('attachNet refuses a non-tap @FD with the one line, and leaves it blocking', () => {
    const fd = openNull();
    expect(() => attachNet(SERVICE, { fd })).toThrow(
      `Could not attach interface: @${fd}: ${NOT_TUN}`,
    );
    expect(fdFlags(fd) & O_NONBLOCK).toBe(0);
  });
});

describe('attachNet', () => {
  it('uses the MAC given, else a random one', () => {
    pretendTap();
    const fd = openNull();
    const given = attachNet(SERVICE, { fd }, '02:00:00:00:00:2a');
    expect(given.mac.toString('hex')).toBe('02000000002a');
    const random = attachNet(SERVICE, { fd });
    expect((random.mac[0] ?? 0) & 0x03).toBe(0x02);
  });

  it('makes an @FD descriptor non-blocking, does not own it, and assumes MTU 1500', () => {
    pretendTap();
    const fd = openNull();
    expect(fdFlags(fd) & O_NONBLOCK).toBe(0);
    const net = attachNet(SERVICE, { fd });
    expect(fdFlags(fd) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(net).toMatchObject({ fd, owned: false, target: `@${fd}`, mtu: 1500, index: 1 });
  });

  it('refuses an @FD that is not open, in upstream words', () => {
    const bad = closedFd();
    expect(() => attachNet(SERVICE, { fd: bad })).toThrow(
      `Could not attach interface: @${bad}: Bad file descriptor`,
    );
  });

  it('refuses an interface MTU the 16-bit manifest field cannot hold, closing the tap', () => {
    const fd = openNull();
    vi.spyOn(nativeApi, 'tapAttach').mockReturnValue(fd);
    vi.spyOn(nativeApi, 'interfaceMtu').mockReturnValue(MAX_MTU + 1);
    expect(() => attachNet(SERVICE, { iface: 'tap9' })).toThrow(
      'Could not attach interface: tap9: MTU 65536 is above 65535, the largest the manifest can hold',
    );
    expect(isOpen(fd)).toBe(false);
  });

  it('accepts the largest MTU that fits', () => {
    const fd = openNull();
    vi.spyOn(nativeApi, 'tapAttach').mockReturnValue(fd);
    vi.spyOn(nativeApi, 'interfaceMtu').mockReturnValue(MAX_MTU);
    expect(attachNet(SERVICE, { iface: 'tap9' })).toMatchObject({
      fd,
      owned: true,
      target: 'tap9',
      mtu: 65535,
    });
  });

  it('reports a missing interface as upstream does', () => {
    expect(() => attachNet(SERVICE, { iface: 'nablanotap9' })).toThrow(
      'Could not attach interface: nablanotap9: No such device',
    );
  });
});
