// tap.test.ts: tapAttach and interfaceMtu against the real kernel (a real tap when we may make one).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native/binding.js';
import { callNative } from '../../src/native/errors.js';
import {
  IFF_NO_PI,
  IFF_TAP,
  interfaceMtu,
  NativeError,
  tapAttach,
  tunInfo,
} from '../../src/native/index.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { ROOT } from '../helpers/paths.js';
import { O_CLOEXEC, O_NONBLOCK } from './fdinfo.js';

const MISSING = 'nabla-nope0';

function linkExists(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('tapAttach', () => {
  it('refuses an interface that does not exist instead of creating it', () => {
    let error: unknown;
    try {
      tapAttach(MISSING);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeError);
    expect(error).toMatchObject({
      code: 'ENODEV',
      errno: 19,
      syscall: 'if_nametoindex',
      message: `if_nametoindex(${MISSING}): No such device`,
    });
    // As root, TUNSETIFF would have created it; make sure nothing was.
    expect(linkExists(MISSING)).toBe(false);
  });

  it('refuses an existing interface that is not a tap', () => {
    expect(() => tapAttach('lo')).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'ioctl' }),
    );
    expect(() => tapAttach('lo')).toThrow('ioctl(TUNSETIFF lo): Invalid argument');
  });

  it('rejects names that do not fit IFNAMSIZ, in TypeScript and in the addon', () => {
    const long = 'nabla-sixteen-ch';
    expect(() => tapAttach(long)).toThrow(
      `Expected a string of at most 15 bytes for ifname but received '${long}'`,
    );
    expect(() => tapAttach('')).toThrow("Expected a non-empty string for ifname but received ''");
    // Below the typed API the addon refuses rather than truncating to another name.
    expect(() => callNative(() => native().tapAttach(long))).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG' }),
    );
  });
});

describe('tunInfo', () => {
  it('asks the kernel (TUNGETIFF): a descriptor the tun driver does not own is ENOTTY', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      expect(() => tunInfo(fd)).toThrow(
        new NativeError(
          `ioctl(TUNGETIFF fd ${fd}): Inappropriate ioctl for device`,
          'ENOTTY',
          25,
          'ioctl',
        ),
      );
    } finally {
      closeSync(fd);
    }
  });

  it('a /dev/net/tun descriptor attached to no interface is EBADFD', () => {
    const fd = openSync('/dev/net/tun', 'r+');
    try {
      expect(() => tunInfo(fd)).toThrow(expect.objectContaining({ code: 'EBADFD', errno: 77 }));
    } finally {
      closeSync(fd);
    }
  });
});

describe('interfaceMtu', () => {
  it('reads the loopback MTU', () => {
    expect(interfaceMtu('lo')).toBe(65536);
  });

  it('reports a missing interface as ENODEV', () => {
    expect(() => interfaceMtu(MISSING)).toThrow(
      new NativeError(`ioctl(SIOCGIFMTU ${MISSING}): No such device`, 'ENODEV', 19, 'ioctl'),
    );
    expect(() => interfaceMtu(MISSING)).toThrow(expect.objectContaining({ code: 'ENODEV' }));
  });
});

// A real tap, made inside a private network namespace (never on the host's own interfaces);
// the addon is exercised by a Node process started in that namespace.
const ATTACH_SCRIPT = `
import { readFileSync } from 'node:fs';
import { interfaceMtu, tapAttach, tunInfo } from ${JSON.stringify(`${ROOT}dist/native/index.js`)};
const fd = tapAttach('tap0');
const info = tunInfo(fd);
let second = '';
try { tapAttach('tap0'); } catch (e) { second = e.code; }
const fdinfo = readFileSync('/proc/self/fdinfo/' + fd, 'utf8');
console.log(JSON.stringify({ fdinfo, mtu: interfaceMtu('tap0'), second, info }));
`;

describe('a real tap', () => {
  const netns = useNetns();

  it('attaches non-blocking and close-on-exec, and reads its MTU', (ctx) => {
    if (!canUseNetns) ctx.skip();
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24', mtu: 1400 });
    const result = JSON.parse(
      ns.execSync(process.execPath, ['--input-type=module', '-e', ATTACH_SCRIPT]),
    );
    const flags = Number.parseInt(/^flags:\s+([0-7]+)$/m.exec(result.fdinfo)?.[1] ?? 'x', 8);
    expect(flags & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(flags & O_CLOEXEC).toBe(O_CLOEXEC);
    // The tun driver names the attached interface in fdinfo.
    expect(result.fdinfo).toMatch(/^iff:\s+tap0$/m);
    expect(result.mtu).toBe(1400);
    // A single-queue tap has one owner: a second attach is refused.
    expect(result.second).toBe('EBUSY');
    // TUNGETIFF names it and says how it was opened (0x800: persistent, as ip tuntap made it).
    expect(result.info).toEqual({ flags: IFF_TAP | IFF_NO_PI | 0x800, name: 'tap0' });
  });
});
