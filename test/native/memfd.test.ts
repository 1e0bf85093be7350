// memfd.test.ts: memfdCreate and sealMemfd against the real kernel.
import {
  ftruncateSync,
  mkdtempSync,
  openSync,
  readlinkSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memfdCreate, NativeError, sealMemfd } from '../../src/native/index.js';
import { closedFd, hasCloexec, useFdTracking } from './fdinfo.js';

const track = useFdTracking();

describe('memfdCreate', () => {
  it('creates a named anonymous file, close-on-exec when asked', () => {
    const fd = track(memfdCreate('nabla-test-plan', true));
    expect(fd).toBeGreaterThan(2);
    expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe('/memfd:nabla-test-plan (deleted)');
    expect(hasCloexec(fd)).toBe(true);
  });

  it('leaves close-on-exec off when not asked', () => {
    const fd = track(memfdCreate('nabla-test-inherit', false));
    expect(hasCloexec(fd)).toBe(false);
  });

  it('rejects names C would cut short', () => {
    expect(() => memfdCreate('plan\0x')).toThrow(
      "Expected a string without NUL characters for name but received 'plan\\x00x'",
    );
    expect(() => memfdCreate('x'.repeat(250))).toThrow(/^Expected a string of at most 249 bytes/);
  });
});

describe('sealMemfd', () => {
  it('forbids writes and size changes after sealing, but not reads', () => {
    const fd = track(memfdCreate('nabla-test-sealed'));
    const plan = Buffer.from('the launch plan');
    expect(writeSync(fd, plan, 0, plan.length, 0)).toBe(plan.length);
    sealMemfd(fd);

    expect(() => writeSync(fd, Buffer.from('x'), 0, 1, 0)).toThrow(
      expect.objectContaining({ code: 'EPERM' }),
    );
    expect(() => ftruncateSync(fd, 0)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    expect(() => ftruncateSync(fd, 4096)).toThrow(expect.objectContaining({ code: 'EPERM' }));

    const back = Buffer.alloc(plan.length);
    expect(readSync(fd, back, 0, back.length, 0)).toBe(plan.length);
    expect(back.equals(plan)).toBe(true);
  });

  it('cannot be undone or repeated: F_SEAL_SEAL is among the seals', () => {
    const fd = track(memfdCreate('nabla-test-twice'));
    sealMemfd(fd);
    expect(() => sealMemfd(fd)).toThrow(NativeError);
    expect(() => sealMemfd(fd)).toThrow(
      expect.objectContaining({ code: 'EPERM', errno: 1, syscall: 'fcntl' }),
    );
  });

  it('refuses a descriptor that is not a memfd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nabla-native-'));
    try {
      // Writable, so the kernel gets past its write-access check to "not sealable".
      const fd = track(openSync(join(dir, 'plain'), 'w+'));
      expect(() => sealMemfd(fd)).toThrow(expect.objectContaining({ code: 'EINVAL', errno: 22 }));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('reports a closed descriptor as EBADF with the fd in the message', () => {
    const fd = closedFd();
    expect(() => sealMemfd(fd)).toThrow(
      new NativeError(`fcntl(F_ADD_SEALS fd ${fd}): Bad file descriptor`, 'EBADF', 9, 'fcntl'),
    );
    expect(() => sealMemfd(fd)).toThrow(expect.objectContaining({ code: 'EBADF', errno: 9 }));
  });

  it('rejects a non-descriptor before the addon', () => {
    expect(() => sealMemfd(-1)).toThrow(
      'Expected a file descriptor (an integer from 0 to 2147483647) for fd but received -1',
    );
  });
});
