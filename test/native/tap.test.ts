// tap.test.ts: tapAttach and interfaceMtu against the real kernel (a real tap when we may make one).
import { execFileSync } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../src/native/binding.js';
import { callNative } from '../../src/native/errors.js';
import { interfaceMtu, NativeError, tapAttach } from '../../src/native/index.js';
import { fdFlags, O_CLOEXEC, O_NONBLOCK } from './fdinfo.js';

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

// A tap of our own, when this host lets us make one (root with CAP_NET_ADMIN and iproute2).
const TAP = `nbt${process.pid % 100000}`;
let haveTap = false;

describe('a real tap', () => {
  beforeAll(() => {
    try {
      execFileSync('ip', ['tuntap', 'add', 'dev', TAP, 'mode', 'tap'], { stdio: 'ignore' });
      haveTap = true;
    } catch {
      haveTap = false;
    }
  });

  afterAll(() => {
    if (haveTap) execFileSync('ip', ['tuntap', 'del', 'dev', TAP, 'mode', 'tap']);
  });

  it('attaches non-blocking and close-on-exec, and reads its MTU', (ctx) => {
    if (!haveTap) ctx.skip();
    const fd = tapAttach(TAP);
    try {
      const flags = fdFlags(fd);
      expect(flags & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(flags & O_CLOEXEC).toBe(O_CLOEXEC);
      // The tun driver names the attached interface in fdinfo.
      expect(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')).toMatch(
        new RegExp(`^iff:\\s+${TAP}$`, 'm'),
      );
      expect(interfaceMtu(TAP)).toBe(1500);
      // A single-queue tap has one owner: a second attach is refused.
      expect(() => tapAttach(TAP)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    } finally {
      closeSync(fd);
    }
  });
});
