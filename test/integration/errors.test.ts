// errors.test.ts: each error row of docs/abi.md §9 gives status 1, its exact line(s), and no guest.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildElf, manifestBytes } from '../helpers/elf-builder.js';
import { example } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const dir = scratch.dir;
const file = scratch.disk;
const elf = scratch.file;

const hello = example('hello');
const blk = example('blk');
const netGuest = () =>
  elf('net.nabla', buildElf({ manifest: manifestBytes([{ name: 'service', type: 2 }]) }));

/** [case, arguments, expected stderr lines (after "nabla-run: "), usage follows] */
const CASES: Array<[string, () => string[], string[], boolean?]> = [
  ['no KERNEL operand', () => [], ['Missing KERNEL operand'], true],
  ['unknown option', () => ['--foo', hello], ["Invalid option: `--foo'"], true],
  [
    'guest option before KERNEL (one line, no usage screen)',
    () => ['--solo5:quiet', hello],
    [
      "Invalid option: `--solo5:quiet'",
      '--solo5:quiet is a guest option: put it after KERNEL (nabla-run [ OPTIONS ] KERNEL --solo5:quiet ...); see --help',
    ],
  ],
  [
    'kernel file missing',
    () => [join(dir, 'nope.nabla')],
    [`${join(dir, 'nope.nabla')}: Could not open: No such file or directory`],
  ],
  [
    'host executable',
    () => ['/bin/true'],
    ['/bin/true: invalid executable: not a static executable (e_type 3, expected ET_EXEC 2)'],
  ],
  [
    'not an ELF',
    () => [
      elf(
        'text.nabla',
        Buffer.from('just some text, not an executable at all....................................'),
      ),
    ],
    [],
  ],
  ['wrong target', () => [elf('hvt.nabla', buildElf({ abi: { target: 1, version: 2 } }))], []],
  ['other ABI version', () => [elf('v3.nabla', buildElf({ abi: { target: 2, version: 3 } }))], []],
  ['no manifest', () => [elf('nomft.nabla', buildElf({ manifest: null }))], []],
  [
    'corrupted manifest',
    () => [elf('badmft.nabla', buildElf({ manifest: manifestBytes([], 5) }))],
    [],
  ],
  [
    'declared device not attached',
    () => [blk],
    [
      "Device 'storage' of type BLOCK_BASIC declared but not attached.",
      'All declared devices must be attached. See --help for syntax.',
    ],
  ],
  [
    'device not in manifest',
    () => [`--block:foo=${file('foo.img', 4096)}`, hello],
    ["Resource not declared in manifest: 'foo'"],
  ],
  [
    'block file missing',
    () => [`--block:storage=${join(dir, 'missing.img')}`, blk],
    [`Could not open block device: ${join(dir, 'missing.img')}: No such file or directory`],
  ],
  [
    'capacity not block aligned',
    () => [`--block:storage=${file('odd.img', 6144)}`, '--block-sector-size:storage=4096', blk],
    ['storage: Backing storage size must be block aligned (4096 bytes)'],
  ],
  [
    'empty block file',
    () => [`--block:storage=${file('empty.img', 0)}`, blk],
    ['storage: Backing storage must be at least 1 block (512 bytes) in size'],
  ],
  [
    'bad sector size',
    () => [`--block:storage=${file('s.img', 4096)}`, '--block-sector-size:storage=1000', blk],
    ['Block size must be a multiple of 2 greater than or equal 512'],
  ],
  [
    'sector size below 512',
    () => [`--block:storage=${file('s2.img', 4096)}`, '--block-sector-size:storage=256', blk],
    ['Block size must be a multiple of 2 greater than or equal 512'],
  ],
  [
    'tap cannot be attached',
    () => ['--net:service=nablanotap0', netGuest()],
    ['Could not attach interface: nablanotap0: No such device'],
  ],
  ['--mem=0', () => ['--mem=0', hello], ['Malformed argument to --mem']],
  ['--mem=abc', () => ['--mem=abc', hello], ['Malformed argument to --mem']],
  [
    '--mem=1',
    () => ['--mem=1', hello],
    [
      `${hello}: invalid executable: e_entry does not fall within the memory allocation range (e_entry`,
    ],
  ],
  [
    'command line too long',
    () => [hello, 'x'.repeat(8192)],
    ['Guest command line too long (max=8191 characters)'],
  ],
];

describe('error statuses and messages spt', () => {
  it.each(CASES)('%s', (_name, args, lines, usage) => {
    const argv = args();
    const r = nablaRun(argv);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(''); // nothing started: no banner, no guest output
    const stderrLines = r.stderr.split('\n').filter((l) => l !== '');
    if (lines.length === 0) {
      // One line naming the file, whatever the detail.
      expect(stderrLines).toHaveLength(1);
      expect(stderrLines[0]).toMatch(new RegExp(`^nabla-run: ${argv.at(-1)}: `));
      return;
    }
    lines.forEach((line, i) => {
      if (line.endsWith('(e_entry')) expect(stderrLines[i]).toContain(`nabla-run: ${line}`);
      else expect(stderrLines[i]).toBe(`nabla-run: ${line}`);
    });
    if (usage) expect(r.stderr).toContain('usage: nabla-run');
    else expect(stderrLines).toHaveLength(lines.length);
  });

  it('--version prints our version and the ABI version', () => {
    const r = nablaRun(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^nabla-run \(nabla\) version \d+\.\d+\.\d+\nABI version 2\n$/);
  });

  it('--help prints usage with examples', () => {
    const r = nablaRun(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--block:NAME=PATH');
    expect(r.stdout).toContain('Examples:');
  });
});
