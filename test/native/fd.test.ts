// fd.test.ts: setNonBlocking against the real kernel, seen through /proc/self/fdinfo.
import { openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NativeError, setNonBlocking } from '../../src/native/index.js';
import { closedFd, fdFlags, O_NONBLOCK, useFdTracking } from './fdinfo.js';

// Linux x86_64 open(2) bits, octal as in fdinfo.
const O_APPEND = 0o2000;

const track = useFdTracking();

describe('setNonBlocking', () => {
  it('sets O_NONBLOCK and keeps the other status flags', () => {
    const fd = track(openSync('/dev/null', 'a'));
    expect(fdFlags(fd) & O_NONBLOCK).toBe(0);
    expect(fdFlags(fd) & O_APPEND).toBe(O_APPEND);
    setNonBlocking(fd);
    expect(fdFlags(fd) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(fdFlags(fd) & O_APPEND).toBe(O_APPEND);
    // Already non-blocking: nothing to change, no error.
    setNonBlocking(fd);
    expect(fdFlags(fd) & O_NONBLOCK).toBe(O_NONBLOCK);
  });

  it('reports a descriptor that is not open as EBADF', () => {
    const bad = closedFd();
    expect(() => setNonBlocking(bad)).toThrow(
      new NativeError(`fcntl(F_GETFL fd ${bad}): Bad file descriptor`, 'EBADF', 9, 'fcntl'),
    );
    expect(() => setNonBlocking(bad)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('rejects what is not a descriptor number, before the addon', () => {
    expect(() => setNonBlocking(-1)).toThrow(
      'Expected a file descriptor (an integer from 0 to 2147483647) for fd but received -1',
    );
  });
});
