// oci.test.ts: the addon's calls for nabla-oci: a pty whose slave's output reaches the master, and failures as NativeError naming the path.
import { closeSync, readSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLONE_NEWNET, openPty, sendFdTo, setNamespace } from '../../src/native/oci.js';

describe('nabla-oci host calls', () => {
  it('openPty: what is written to the slave is read from the master, through the line discipline', () => {
    const { master, slave } = openPty();
    try {
      writeSync(slave, 'guest\n');
      const buf = Buffer.alloc(64);
      const n = readSync(master, buf);
      expect(buf.subarray(0, n).toString()).toBe('guest\r\n'); // onlcr: it is a terminal
    } finally {
      closeSync(master);
      closeSync(slave);
    }
  });

  it('sendFdTo and setNamespace fail with the errno and the path', () => {
    expect(() => sendFdTo('/nonexistent/console.sock', 1)).toThrow(
      expect.objectContaining({
        code: 'ENOENT',
        message: expect.stringContaining('/nonexistent/console.sock'),
      }),
    );
    // /proc/self/cmdline is not a namespace file.
    expect(() => setNamespace('/proc/self/cmdline', CLONE_NEWNET)).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'setns' }),
    );
  });
});
