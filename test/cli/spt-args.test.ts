// spt-args.test.ts: solo5-spt's command-line syntax, parsed exactly as upstream does.
import { describe, expect, it } from 'vitest';
import { normalizeRunOptions } from '../../src/api-options.js';
import { parseSptArgs } from '../../src/cli/spt-args.js';
import { NablaError } from '../../src/errors.js';
import { parseTimeout } from '../../src/run-syntax.js';

function failure(argv: string[]): string {
  try {
    parseSptArgs(argv);
  } catch (error) {
    if (error instanceof NablaError) return error.message;
    throw error;
  }
  return 'no error';
}

describe('solo5-spt argument syntax', () => {
  it('takes options, then KERNEL, then guest arguments verbatim', () => {
    const cmd = parseSptArgs([
      '--mem=64',
      '--block:storage=/tmp/d.img',
      '--block-sector-size:storage=4096',
      '--net:service=tap0',
      '--net-mac:service=02:00:00:00:00:01',
      '--x-exec-heap',
      'app.nabla',
      '--mem=1',
      'a b',
    ]);
    expect(cmd).toEqual({
      kind: 'run',
      options: {
        kernel: Buffer.from('app.nabla'),
        args: [Buffer.from('--mem=1'), Buffer.from('a b')],
        memMiB: 64,
        xExecHeap: true,
        block: [{ name: 'storage', path: Buffer.from('/tmp/d.img'), sectorSize: 4096 }],
        net: [{ name: 'service', iface: 'tap0', mac: '02:00:00:00:00:01' }],
      },
    });
  });

  it('defaults to 512 MiB and accepts @FD and --', () => {
    const cmd = parseSptArgs(['--net:n=@7', '--', '-kernel-with-dash']);
    expect(cmd.kind === 'run' && normalizeRunOptions(cmd.options).memSize).toBe(512n << 20n);
    expect(cmd.kind === 'run' && cmd.options.kernel).toEqual(Buffer.from('-kernel-with-dash'));
    expect(cmd.kind === 'run' && cmd.options.net).toEqual([{ name: 'n', fd: 7, mac: undefined }]);
  });

  it('finds --help and --version before the kernel only', () => {
    expect(parseSptArgs(['--mem=0', '--help'])).toEqual({ kind: 'help' });
    expect(parseSptArgs(['--version'])).toEqual({ kind: 'version' });
    expect(parseSptArgs(['k', '--help']).kind).toBe('run');
  });

  it.each([
    [[], 'Missing KERNEL operand'],
    [['--mem=64'], 'Missing KERNEL operand'],
    [['--foo', 'k'], "Invalid option: `--foo'"],
    [['--block:bad-name=x', 'k'], "Invalid option: `--block:bad-name=x'"],
    [['--block:storage=', 'k'], "Invalid option: `--block:storage='"],
    [['--mem=0', 'k'], 'Malformed argument to --mem'],
    [['--mem=abc', 'k'], 'Malformed argument to --mem'],
    [['--mem=-5', 'k'], 'Malformed argument to --mem'],
    [
      ['--mem=99999999999', 'k'],
      'Malformed argument to --mem: 99999999999 MB is more than the maximum of 1048576 MB',
    ],
    [
      ['--block:s=x', '--block-sector-size:s=1000', 'k'],
      'Block size must be a multiple of 2 greater than or equal 512',
    ],
    [
      ['--block:s=x', '--block-sector-size:s=256', 'k'],
      'Block size must be a multiple of 2 greater than or equal 512',
    ],
    [
      ['--block:s=x', '--block-sector-size:s=4k', 'k'],
      'Block size must be a multiple of 2 greater than or equal 512',
    ],
    [['--block-sector-size:s=4096', 'k'], '--block-sector-size:s given without --block:s=PATH'],
    [['--net-mac:n=02:00:00:00:00:01', 'k'], '--net-mac:n given without --net:n=IFACE'],
  ])('%j fails with %s', (argv, message) => {
    expect(failure(argv)).toBe(message);
  });

  it('says in one line, without the usage screen, that a guest option goes after KERNEL', () => {
    const error = (() => {
      try {
        parseSptArgs(['--mem=64', '--solo5:quiet', 'k'], 'nabla run');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NablaError);
    expect(error).toMatchObject({
      lines: [
        "Invalid option: `--solo5:quiet'",
        '--solo5:quiet is a guest option: put it after KERNEL (nabla run [ OPTIONS ] KERNEL --solo5:quiet ...); see --help',
      ],
      showUsage: false,
      exitCode: 1,
    });
    // After KERNEL it is the guest's, as any argument there.
    const cmd = parseSptArgs(['k', '--solo5:quiet']);
    expect(cmd.kind === 'run' && cmd.options.args).toEqual([Buffer.from('--solo5:quiet')]);
  });

  it('keeps paths and arguments as the bytes the lossless text stands for', () => {
    // raw-argv.ts escapes a byte that is not UTF-8 as U+DC80 + byte.
    const cmd = parseSptArgs(['--block:s=d\udcff', 'k\udcfe', 'a\udcffb', 'ü']);
    expect(cmd.kind === 'run' && cmd.options).toMatchObject({
      kernel: Buffer.from([0x6b, 0xfe]),
      args: [Buffer.from([0x61, 0xff, 0x62]), Buffer.from('ü')],
      block: [{ name: 's', path: Buffer.from([0x64, 0xff]) }],
    });
  });
});

describe("nabla-run's own options (beyond solo5-spt)", () => {
  it('takes --user, --timeout, --core and --verbose before KERNEL, and leaves them to the guest after', () => {
    const cmd = parseSptArgs([
      '--user=daemon:adm',
      '--timeout=1.5',
      '--core',
      '--verbose',
      'app.nabla',
      '--verbose',
      '--timeout=9',
    ]);
    expect(cmd.kind === 'run' && cmd.options).toMatchObject({
      kernel: Buffer.from('app.nabla'),
      args: [Buffer.from('--verbose'), Buffer.from('--timeout=9')],
      user: 'daemon:adm',
      timeoutMs: 1500,
      core: true,
      verbose: true,
    });
  });

  it('adds nothing to the request when none is given', () => {
    const cmd = parseSptArgs(['app.nabla']);
    expect(cmd.kind === 'run' && Object.keys(cmd.options).sort()).toEqual(['args', 'kernel']);
  });

  it.each([
    ['10', 10_000],
    ['0.25', 250],
    ['2.5', 2500],
    ['0.001', 1],
  ])('--timeout=%s is %i ms', (text, ms) => {
    expect(parseTimeout(text)).toBe(ms);
  });

  it.each([
    [['--timeout=0', 'k'], "Malformed argument to --timeout: '0'"],
    [['--timeout=-1', 'k'], "Malformed argument to --timeout: '-1'"],
    [['--timeout=1.2345', 'k'], "Malformed argument to --timeout: '1.2345'"],
    [['--timeout=1s', 'k'], "Malformed argument to --timeout: '1s'"],
    [['--timeout', 'k'], "Invalid option: `--timeout'"],
    [['--user=', 'k'], "Malformed argument to --user: ''"],
    [['--verbose=yes', 'k'], "Invalid option: `--verbose=yes'"],
  ])('%j fails with %s', (argv, message) => {
    expect(failure(argv)).toContain(message);
  });
});
