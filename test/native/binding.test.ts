// binding.test.ts: how the addon is found, and what loading says when it cannot be.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAddon, native } from '../../src/native/binding.js';
import { ADDON_CANDIDATES } from '../../src/package/paths.js';

describe('native()', () => {
  it('loads build/Release/nabla_native.node from the package root, once', () => {
    expect(ADDON_CANDIDATES[0]).toMatch(/\/build\/Release\/nabla_native\.node$/);
    expect(existsSync(ADDON_CANDIDATES[0] ?? '')).toBe(true);
    expect(native()).toBe(native());
    expect(Object.keys(native()).sort()).toEqual([
      'compileFilter',
      'engineReceive',
      'engineSend',
      'execve',
      'getgrnam',
      'getpwnam',
      'getpwuid',
      'interfaceMtu',
      'memfdCreate',
      'openPty',
      'peerCredentials',
      'pidfdSignal',
      'pipeCloexec',
      'resolveSyscall',
      'sealMemfd',
      'sendFdTo',
      'seqpacketPair',
      'setNamespace',
      'setNonBlocking',
      'syscallName',
      'syscallTable',
      'tapAttach',
      'tunInfo',
      'waitWritable',
      'watchExits',
      'watchPidfd',
      'watchReadable',
    ]);
  });

  it('lists every path it tried, why each failed, and how to build', () => {
    const missing = '/nonexistent/build/Release/nabla_native.node';
    const notAnAddon = '/etc/hostname';
    let message = '';
    try {
      loadAddon([missing, notAnAddon]);
    } catch (e) {
      message = (e as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toBe('Could not load the nabla native addon (nabla_native.node). Tried:');
    expect(lines[1]).toBe(`  ${missing}: not found`);
    expect(lines[2]).toMatch(new RegExp(`^  ${notAnAddon}: .+`));
    expect(lines[3]).toBe('Build it with `npm run build:native`.');
  });
});
