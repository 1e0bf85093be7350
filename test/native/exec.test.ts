// exec.test.ts: execve with a descriptor map (in a child Node process).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { native } from '../../src/native/binding.js';
import { execve, memfdCreate, NativeError } from '../../src/native/index.js';
import { ADDON_CANDIDATES } from '../../src/package/paths.js';
import { closedFd, hasCloexec, ignored, SIGPIPE, SIGXFSZ } from './fdinfo.js';

const opened: number[] = [];

function openNull(): number {
  // libuv opens every descriptor close-on-exec.
  const fd = openSync('/dev/null', 'r');
  opened.push(fd);
  return fd;
}

afterEach(() => {
  for (const fd of opened.splice(0)) closeSync(fd);
});

/** The fds a program started by child_process sees (child_process relies on FD_CLOEXEC too). */
function fdsOfChild(): number[] {
  return execFileSync('/bin/ls', ['/proc/self/fd'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
}

// Runs in a fresh Node process, which the addon replaces with /bin/sh: the shell prints
// its environment variable, its descriptors and its ignored-signal mask. It calls the addon
// directly (plain Node cannot load the TypeScript), with the stdio fds the typed execve adds.
const CHILD = `
const native = require(${JSON.stringify(ADDON_CANDIDATES[0])});
const fs = require('node:fs');
const kept = fs.openSync('/dev/null', 'r');
const dropped = fs.openSync('/dev/null', 'r');
fs.writeSync(1, JSON.stringify({ kept, dropped }) + '\\n');
native.execve('/bin/sh',
  ['sh', '-c', 'echo "probe=$NABLA_PROBE"; ls /proc/self/fd | tr "\\\\n" " "; echo; grep SigIgn /proc/self/status'],
  ['NABLA_PROBE=kept-env'], [0, 1, 2, kept]);
`;

describe('execve', () => {
  it('replaces a Node process, keeping exactly the listed descriptors', () => {
    const child = spawnSync(process.execPath, ['-e', CHILD], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const [header = '', probe, fdLine = '', sigIgn = ''] = child.stdout.split('\n');
    const { kept, dropped } = JSON.parse(header) as { kept: number; dropped: number };
    expect(probe).toBe('probe=kept-env');
    const fds = fdLine.trim().split(' ').map(Number);
    expect(fds).toContain(kept);
    expect(fds).not.toContain(dropped);
    // Node ignores SIGPIPE and SIGXFSZ; the new program gets the defaults back.
    expect(ignored(sigIgn, SIGPIPE)).toBe(false);
    expect(ignored(sigIgn, SIGXFSZ)).toBe(false);
  });

  it('always keeps stdio, which Node itself marks close-on-exec', () => {
    // Node's startup (uv_disable_stdio_inheritance) sets FD_CLOEXEC on 0, 1 and 2.
    expect(hasCloexec(1)).toBe(true);
    const spy = vi.spyOn(native(), 'execve').mockImplementation(() => {
      throw new Error('not really');
    });
    try {
      expect(() => execve('/bin/true', ['true'], ['A=1'], [7, 1, 7])).toThrow('not really');
      expect(spy).toHaveBeenCalledWith('/bin/true', ['true'], ['A=1'], [0, 1, 2, 7]);
    } finally {
      spy.mockRestore();
    }
  });

  it('throws ENOENT for a missing program and leaves this process as it was', () => {
    const fd = openNull();
    const status = () => readFileSync('/proc/self/status', 'utf8');
    const sigPipeBefore = ignored(status(), SIGPIPE);
    const path = '/nonexistent/nabla-no-such-program';
    let error: unknown;
    try {
      execve(path, ['x'], [], [fd]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeError);
    expect(error).toMatchObject({
      code: 'ENOENT',
      errno: 2,
      syscall: 'execve',
      message: `execve(${path}): No such file or directory`,
    });
    // Flags and signal dispositions are restored, and the process still works.
    expect(hasCloexec(fd)).toBe(true);
    expect([0, 1, 2].map(hasCloexec)).toEqual([true, true, true]);
    expect(fdsOfChild()).not.toContain(fd);
    expect(ignored(status(), SIGPIPE)).toBe(sigPipeBefore);
    expect(execFileSync('/bin/echo', ['still here'], { encoding: 'utf8' })).toBe('still here\n');
  });

  it('restores the fds it already changed when a later one is not open', () => {
    const fd = openNull();
    const bad = closedFd();
    expect(() => execve('/bin/true', ['true'], [], [fd, bad])).toThrow(
      new NativeError(`fcntl(F_GETFD fd ${bad}): Bad file descriptor`, 'EBADF', 9, 'fcntl'),
    );
    expect(() => execve('/bin/true', ['true'], [], [fd, bad])).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'fcntl' }),
    );
    expect(hasCloexec(fd)).toBe(true);
  });

  it('keeps a descriptor that was already inheritable inheritable after a failure', () => {
    // A memfd made without MFD_CLOEXEC: inheritable from the start (Node opens files close-on-exec).
    const fd = memfdCreate('nabla-test-inheritable', false);
    opened.push(fd);
    expect(hasCloexec(fd)).toBe(false);
    expect(() => execve('/nonexistent/nabla', ['x'], [], [fd, fd])).toThrow(NativeError);
    expect(hasCloexec(fd)).toBe(false);
  });

  it('rejects arguments C would misread, before the addon', () => {
    expect(() => execve('', [], [])).toThrow(
      "Expected a non-empty string for path but received ''",
    );
    expect(() => execve('/bin/true', ['true', 'a\0b'], [])).toThrow(
      "Expected a string without NUL characters for argv[1] but received 'a\\x00b'",
    );
    expect(() => execve('/bin/true', [], ['A=1', 2 as unknown as string])).toThrow(
      'Expected a string without NUL characters for envp[1] but received 2',
    );
    expect(() => execve('/bin/true', [], [], [1.5])).toThrow(
      'Expected a file descriptor (an integer from 0 to 2147483647) for keepFds[0] but received 1.5',
    );
    expect(() => execve('/bin/true', ['true', Buffer.from('a\0b')], [])).toThrow(
      /^Expected bytes without NUL for argv\[1\] but received/,
    );
  });

  it('passes a Buffer argument as its bytes, which need not be UTF-8', () => {
    // od shows each byte of its argument as the program received it.
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(ADDON_CANDIDATES[0])}).execve('/bin/sh',
          ['sh', '-c', 'printf %s "$1" | od -An -tx1', 'sh', Buffer.from([0x61, 0xff, 0xfe])],
          [], [0, 1, 2]);`,
      ],
      { encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('61 ff fe');
  });
});
