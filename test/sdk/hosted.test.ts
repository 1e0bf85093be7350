// hosted.test.ts: the examples as plain executables: same output as under nabla-run, same options and messages.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { example } from '../helpers/paths.js';
import type { CliResult } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';
import { hostedExample, runProcess, runSpt } from './processes.js';

const MiB = 1 << 20;
const scratch = useScratch();
const hello = hostedExample('hello');
const blk = hostedExample('blk');

beforeAll(() => {
  // The global setup checks the core build only; say plainly what is missing here.
  for (const path of [hello, blk]) {
    if (!existsSync(path)) throw new Error(`not built: ${path} — run \`npm run build:guests\``);
  }
});

/** stderr with each line's program prefix ("blk: ", "nabla-run: ") removed. */
function messages(r: CliResult, prog: string): string[] {
  return r.stderr
    .split('\n')
    .filter((line) => line.startsWith(`${prog}: `))
    .map((line) => line.slice(prog.length + 2));
}

describe('hosted hello', () => {
  it('prints the same two lines as the unikernel under nabla-run --solo5:quiet', () => {
    const args = ['--solo5:quiet', 'Hello', 'from', 'nabla'];
    const hosted = runProcess(hello, args);
    expect(hosted.status).toBe(0);
    expect(hosted.stdout).toBe('Hello, world!\nCommand line: Hello from nabla\n');
    expect(hosted.stderr).toBe('');
    const spt = runSpt([example('hello'), ...args]);
    expect(spt.status).toBe(0);
    expect(hosted.stdout).toBe(spt.stdout);
  });

  it('logs at info level by default, and takes "--" before arguments that look like options', () => {
    const r = runProcess(hello, ['--', '--not-an-option', 'x']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Solo5: Bindings version nabla-0.1.0 (hosted, glibc)\n');
    expect(r.stdout).toContain('Command line: --not-an-option x\n');
    expect(r.stdout).toContain('Solo5: solo5_exit(0) called\n');
  });

  it('answers --help and --version with status 0', () => {
    const help = runProcess(blk, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: blk \[ OPTIONS \] \[ -- \] \[ ARGS \]\n/);
    expect(help.stdout).toContain('  storage (BLOCK_BASIC)\n');
    const version = runProcess(hello, ['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe('hello (nabla-0.1.0, hosted)\nABI version 2\n');
  });
});

describe('hosted blk', () => {
  for (const sector of [512, 4096]) {
    it(`verifies a 1 MiB file in blocks of ${sector}, as the unikernel does`, () => {
      const line = `blk: ${MiB / sector} blocks of ${sector} bytes verified\n`;
      const options = (disk: string) => [
        `--block:storage=${disk}`,
        `--block-sector-size:storage=${sector}`,
      ];
      const hosted = runProcess(blk, [
        ...options(scratch.disk(`h${sector}.img`, MiB)),
        '--solo5:quiet',
      ]);
      expect(hosted.status, hosted.stderr).toBe(0);
      expect(hosted.stdout).toBe(line);
      const spt = runSpt([
        ...options(scratch.disk(`s${sector}.img`, MiB)),
        example('blk'),
        '--solo5:quiet',
      ]);
      expect(spt.stdout).toBe(line);
    });
  }

  it('maps --mem MB as its heap region and can make it executable', () => {
    const disk = scratch.disk('mem.img', MiB);
    const r = runProcess(blk, ['--mem=3', '--x-exec-heap', `--block:storage=${disk}`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Solo5: heap @ \(0x[0-9a-f]+ - 0x[0-9a-f]+\), 3 MB\n/);
  });
});

describe('hosted device options', () => {
  const image = () => scratch.disk('ok.img', MiB);
  /*
   * Each case runs the hosted blk with OPTIONS and nabla-run with OPTIONS KERNEL: the status
   * and every message must be the same, program prefix aside.
   */
  const cases: Array<[string, () => string[], string[]]> = [
    [
      'a declared device left out',
      () => [],
      [
        "Device 'storage' of type BLOCK_BASIC declared but not attached.",
        'All declared devices must be attached. See --help for syntax.',
      ],
    ],
    [
      'an undeclared name',
      () => [`--block:x=${image()}`],
      ["Resource not declared in manifest: 'x'"],
    ],
    [
      'a declared name of the other type',
      () => [`--block:storage=${image()}`, '--net:storage=tap0'],
      ["Resource not declared in manifest: 'storage'"],
    ],
    [
      'a missing file',
      () => [`--block:storage=${scratch.dir}/missing.img`],
      [`Could not open block device: ${scratch.dir}/missing.img: No such file or directory`],
    ],
    [
      'a file that is not a whole number of blocks',
      () => [`--block:storage=${scratch.disk('odd.img', 1000)}`],
      ['storage: Backing storage size must be block aligned (512 bytes)'],
    ],
    [
      'a file not a multiple of a 4096-byte block',
      () => [
        `--block:storage=${scratch.disk('odd4k.img', MiB + 512)}`,
        '--block-sector-size:storage=4096',
      ],
      ['storage: Backing storage size must be block aligned (4096 bytes)'],
    ],
    [
      'an empty file',
      () => [`--block:storage=${scratch.disk('empty.img', 0)}`],
      ['storage: Backing storage must be at least 1 block (512 bytes) in size'],
    ],
    [
      'a file shorter than one block (alignment is checked first)',
      () => [`--block:storage=${scratch.disk('short.img', 256)}`],
      ['storage: Backing storage size must be block aligned (512 bytes)'],
    ],
    [
      'a sector size that is not a power of two',
      () => [`--block:storage=${image()}`, '--block-sector-size:storage=1000'],
      ['Block size must be a multiple of 2 greater than or equal 512'],
    ],
    [
      'a sector size too large for the manifest',
      () => [`--block:storage=${image()}`, '--block-sector-size:storage=65536'],
      ['Block size 65536 is too large (at most 32768 bytes)'],
    ],
    [
      'a sector size without its device',
      () => ['--block-sector-size:storage=4096'],
      ['--block-sector-size:storage given without --block:storage=PATH'],
    ],
    [
      'a MAC without its device',
      () => [`--block:storage=${image()}`, '--net-mac:service0=02:00:00:00:00:01'],
      ['--net-mac:service0 given without --net:service0=IFACE'],
    ],
    ['--mem=0', () => ['--mem=0'], ['Malformed argument to --mem']],
    ['--mem=abc', () => ['--mem=abc'], ['Malformed argument to --mem']],
    [
      'an absurd --mem',
      () => ['--mem=2000000'],
      ['Malformed argument to --mem: 2000000 MB is more than the maximum of 1048576 MB'],
    ],
  ];

  for (const [what, options, expected] of cases) {
    it(`refuses ${what} with nabla-run's message and status 1`, () => {
      const hosted = runProcess(blk, options());
      expect(hosted.status).toBe(1);
      expect(hosted.stdout).toBe('');
      expect(messages(hosted, 'blk')).toEqual(expected);
      const spt = runSpt([...options(), example('blk')]);
      expect(spt.status).toBe(1);
      expect(messages(spt, 'nabla-run')).toEqual(expected);
    });
  }

  it('refuses an unknown option, then prints its usage', () => {
    const r = runProcess(blk, ['--foo', `--block:storage=${image()}`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^blk: Invalid option: `--foo'\nusage: blk /);
    expect(messages(runSpt(['--foo', example('blk')]), 'nabla-run')).toEqual([
      "Invalid option: `--foo'",
    ]);
  });

  it('refuses a command line longer than the unikernel may have', () => {
    const long = 'x'.repeat(8192);
    const expected = ['Guest command line too long (max=8191 characters)'];
    const disk = `--block:storage=${image()}`;
    expect(messages(runProcess(blk, [disk, long]), 'blk')).toEqual(expected);
    expect(messages(runSpt([disk, example('blk'), long]), 'nabla-run')).toEqual(expected);
    expect(runProcess(blk, [disk, '--solo5:quiet', 'x'.repeat(8177)]).status).toBe(0);
  });
});
