// api-options.test.ts: every bad input to run(), prepare() and audit() is a NablaError with an "Expected ..." line, and nothing starts.
import { describe, expect, it } from 'vitest';
import { audit, NablaError, prepare, type RunOptions, run } from '../src/index.js';
import { example } from './helpers/paths.js';
import { useScratch } from './helpers/scratch.js';

const scratch = useScratch();
const hello = example('hello');
const blk = example('blk');
const disk = () => scratch.disk('api.img', 4096);

/** [what is wrong, the options, the message it must give (a pattern)] */
type Case = [string, () => unknown, RegExp];

const CASES: Case[] = [
  ['no options', () => undefined, /^Expected an object for options but received undefined$/],
  ['null options', () => null, /^Expected an object for options but received null$/],
  ['options an array', () => [hello], /^Expected an object for options but received \[/],
  [
    'an unknown key (a typo)',
    () => ({ kernel: hello, memMib: 64 }),
    /for a key of (Run|Audit)Options but received "memMib"$/,
  ],
  // kernel
  [
    'no kernel',
    () => ({}),
    /^Expected path \(a string, Buffer or Uint8Array\) for kernel but received undefined$/,
  ],
  ['kernel a number', () => ({ kernel: 7 }), /for kernel but received 7$/],
  [
    'kernel empty',
    () => ({ kernel: '' }),
    /^Expected a non-empty path for kernel but received ""$/,
  ],
  [
    'kernel empty bytes',
    () => ({ kernel: Buffer.alloc(0) }),
    /^Expected a non-empty path for kernel/,
  ],
  [
    'NUL in kernel',
    () => ({ kernel: `${hello}\0x` }),
    /^Expected path without NUL bytes for kernel but received ".*\\u0000x"$/,
  ],
  [
    'NUL in kernel bytes',
    () => ({ kernel: Buffer.from(`${hello}\0`) }),
    /^Expected path without NUL bytes for kernel/,
  ],
  // args
  [
    'args a string',
    () => ({ kernel: hello, args: 'hello' }),
    /^Expected an array of strings or bytes for args but received "hello"$/,
  ],
  ['an arg a number', () => ({ kernel: hello, args: ['a', 5] }), /for args\[1\] but received 5$/],
  [
    'NUL in an arg',
    () => ({ kernel: hello, args: ['a\0b'] }),
    /^Expected an argument without NUL bytes for args\[0\] but received "a\\u0000b"$/,
  ],
  [
    'NUL in a Buffer arg',
    () => ({ kernel: hello, args: [Buffer.from([0x61, 0])] }),
    /^Expected an argument without NUL bytes for args\[0\]/,
  ],
  ['an arg null', () => ({ kernel: hello, args: [null] }), /for args\[0\] but received null$/],
  // memMiB
  [
    'memMiB NaN',
    () => ({ kernel: hello, memMiB: Number.NaN }),
    /^Expected a whole number of MiB from 1 to 1048576 for memMiB but received NaN$/,
  ],
  ['memMiB negative', () => ({ kernel: hello, memMiB: -1 }), /for memMiB but received -1$/],
  ['memMiB zero', () => ({ kernel: hello, memMiB: 0 }), /for memMiB but received 0$/],
  ['memMiB fractional', () => ({ kernel: hello, memMiB: 1.5 }), /for memMiB but received 1.5$/],
  [
    'memMiB huge',
    () => ({ kernel: hello, memMiB: 2 ** 40 }),
    /for memMiB but received 1099511627776$/,
  ],
  [
    'memMiB Infinity',
    () => ({ kernel: hello, memMiB: Number.POSITIVE_INFINITY }),
    /for memMiB but received Infinity$/,
  ],
  ['memMiB a string', () => ({ kernel: hello, memMiB: '64' }), /for memMiB but received "64"$/],
  ['memMiB a bigint', () => ({ kernel: hello, memMiB: 64n }), /for memMiB but received 64n$/],
  // block
  [
    'block not an array',
    () => ({ kernel: blk, block: { name: 'storage', path: disk() } }),
    /for block but received \{/,
  ],
  [
    'block entry null',
    () => ({ kernel: blk, block: [null] }),
    /^Expected an object for block\[0\] but received null$/,
  ],
  [
    'block without path',
    () => ({ kernel: blk, block: [{ name: 'storage' }] }),
    /for block\[0\]\.path but received undefined$/,
  ],
  [
    'block path empty',
    () => ({ kernel: blk, block: [{ name: 'storage', path: '' }] }),
    /^Expected a non-empty path for block\[0\]\.path/,
  ],
  [
    'NUL in a block path',
    () => ({ kernel: blk, block: [{ name: 'storage', path: `${disk()}\0` }] }),
    /^Expected path without NUL bytes for block\[0\]\.path/,
  ],
  [
    'block name a number',
    () => ({ kernel: blk, block: [{ name: 1, path: disk() }] }),
    /for block\[0\]\.name but received 1$/,
  ],
  [
    'block name empty',
    () => ({ kernel: blk, block: [{ name: '', path: disk() }] }),
    /for block\[0\]\.name but received ""$/,
  ],
  [
    'block name too long',
    () => ({ kernel: blk, block: [{ name: 'x'.repeat(68), path: disk() }] }),
    /for block\[0\]\.name/,
  ],
  [
    'sectorSize not a power of two',
    () => ({ kernel: blk, block: [{ name: 'storage', path: disk(), sectorSize: 1000 }] }),
    /^Expected a power of two from 512 to 32768 for block\[0\]\.sectorSize but received 1000$/,
  ],
  [
    'sectorSize NaN',
    () => ({ kernel: blk, block: [{ name: 'storage', path: disk(), sectorSize: Number.NaN }] }),
    /for block\[0\]\.sectorSize but received NaN$/,
  ],
  [
    'sectorSize huge',
    () => ({ kernel: blk, block: [{ name: 'storage', path: disk(), sectorSize: 65536 }] }),
    /for block\[0\]\.sectorSize but received 65536$/,
  ],
  [
    'readOnly not a boolean',
    () => ({ kernel: blk, block: [{ name: 'storage', path: disk(), readOnly: 'yes' }] }),
    /^Expected a boolean for block\[0\]\.readOnly but received "yes"$/,
  ],
  [
    'a typo in a block entry',
    () => ({ kernel: blk, block: [{ name: 'storage', path: disk(), sectorsize: 4096 }] }),
    /for a key of block\[0\] but received "sectorsize"$/,
  ],
  // net
  [
    'net entry with iface and fd',
    () => ({ kernel: hello, net: [{ name: 'service', iface: 'tap0', fd: 3 }] }),
    /^Expected \{ name, iface \} or \{ name, fd \} for net\[0\]/,
  ],
  ['net entry with neither', () => ({ kernel: hello, net: [{ name: 'service' }] }), /for net\[0\]/],
  [
    'net fd negative',
    () => ({ kernel: hello, net: [{ name: 'service', fd: -1 }] }),
    /for net\[0\]\.fd but received -1$/,
  ],
  [
    'net fd NaN',
    () => ({ kernel: hello, net: [{ name: 'service', fd: Number.NaN }] }),
    /for net\[0\]\.fd but received NaN$/,
  ],
  [
    'net fd a string',
    () => ({ kernel: hello, net: [{ name: 'service', fd: '3' }] }),
    /for net\[0\]\.fd but received "3"$/,
  ],
  [
    'NUL in an iface',
    () => ({ kernel: hello, net: [{ name: 'service', iface: 'tap\0' }] }),
    /for net\[0\]\.iface but received "tap\\u0000"$/,
  ],
  [
    'iface too long',
    () => ({ kernel: hello, net: [{ name: 'service', iface: 't'.repeat(16) }] }),
    /^Expected an interface name \(1 to 15 bytes\) for net\[0\]\.iface/,
  ],
  [
    'mac malformed',
    () => ({ kernel: hello, net: [{ name: 'service', iface: 'tap0', mac: '02:00' }] }),
    /^Expected a MAC address \(xx:xx:xx:xx:xx:xx\) for net\[0\]\.mac but received "02:00"$/,
  ],
  [
    'mac a number',
    () => ({ kernel: hello, net: [{ name: 'service', iface: 'tap0', mac: 2 }] }),
    /for net\[0\]\.mac but received 2$/,
  ],
  // the rest
  [
    'stdio unknown',
    () => ({ kernel: hello, stdio: 'inhert' }),
    /^Expected one of 'pipe', 'inherit', 'ignore' for stdio but received "inhert"$/,
  ],
  [
    'stdio an array',
    () => ({ kernel: hello, stdio: ['pipe', 'pipe', 'pipe'] }),
    /for stdio but received \[/,
  ],
  ['stdio null', () => ({ kernel: hello, stdio: null }), /for stdio but received null$/],
  [
    'xExecHeap a string',
    () => ({ kernel: hello, xExecHeap: 'yes' }),
    /^Expected a boolean for xExecHeap but received "yes"$/,
  ],
  [
    'core a number',
    () => ({ kernel: hello, core: 1 }),
    /^Expected a boolean for core but received 1$/,
  ],
  [
    'verbose a string',
    () => ({ kernel: hello, verbose: 'true' }),
    /^Expected a boolean for verbose but received "true"$/,
  ],
  [
    'user empty',
    () => ({ kernel: hello, user: '' }),
    /^Expected a user name or uid\[:gid\] for user but received ""$/,
  ],
  [
    'NUL in user',
    () => ({ kernel: hello, user: 'nobody\0' }),
    /for user but received "nobody\\u0000"$/,
  ],
  ['user a number', () => ({ kernel: hello, user: 0 }), /for user but received 0$/],
  [
    'timeoutMs NaN',
    () => ({ kernel: hello, timeoutMs: Number.NaN }),
    /for timeoutMs but received NaN$/,
  ],
  [
    'timeoutMs negative',
    () => ({ kernel: hello, timeoutMs: -5 }),
    /for timeoutMs but received -5$/,
  ],
  [
    'timeoutMs huge',
    () => ({ kernel: hello, timeoutMs: 2 ** 31 }),
    /^Expected a whole number of milliseconds from 1 to 2147483647 for timeoutMs/,
  ],
];

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return 'nothing thrown';
}

async function rejected(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return 'nothing thrown';
}

describe('bad input to the API', () => {
  it.each(CASES)('run() with %s throws NablaError', (_what, options, message) => {
    const error = thrown(() => run(options() as RunOptions));
    expect(error).toBeInstanceOf(NablaError);
    expect((error as Error).message).toMatch(message);
  });

  it.each(CASES)('prepare() with %s throws NablaError', (_what, options, message) => {
    const error = thrown(() => prepare(options() as RunOptions));
    expect(error).toBeInstanceOf(NablaError);
    expect((error as Error).message).toMatch(message);
  });

  it.each(CASES)('audit() with %s rejects with NablaError', async (_what, options, message) => {
    const o = options();
    const error = await rejected(() =>
      audit(
        (typeof o === 'object' && o !== null && !Array.isArray(o)
          ? { ...o, observe: false, footprint: false }
          : o) as RunOptions,
      ),
    );
    expect(error).toBeInstanceOf(NablaError);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['observe a string', { observe: 'no' }, /^Expected a boolean for observe but received "no"$/],
    ['footprint a number', { footprint: 0 }, /^Expected a boolean for footprint but received 0$/],
    [
      'observeTimeoutMs NaN',
      { observeTimeoutMs: Number.NaN },
      /for observeTimeoutMs but received NaN$/,
    ],
    [
      'observeTimeoutMs huge',
      { observeTimeoutMs: 2 ** 40 },
      /for observeTimeoutMs but received 1099511627776$/,
    ],
    ['an unknown key', { observ: false }, /for a key of AuditOptions but received "observ"$/],
  ])('audit() with %s rejects with NablaError', async (_what, extra, message) => {
    const error = await rejected(() => audit({ kernel: hello, ...extra } as RunOptions));
    expect(error).toBeInstanceOf(NablaError);
    expect((error as Error).message).toMatch(message);
  });

  it('good options of every kind still work', async () => {
    const out = await run({
      kernel: Buffer.from(hello),
      args: ['a', new Uint8Array([0x62])],
      memMiB: 16,
      xExecHeap: false,
      stdio: 'pipe',
      core: false,
      verbose: false,
      timeoutMs: 20_000,
    }).output();
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('Command line: a b');
  });
});
