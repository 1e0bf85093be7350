// tarfs.test.ts: the SDK's ustar reader (nabla_tarfs.h), in a guest under the real tender and hosted: it lists and reads what `nabla fs build` and GNU tar wrote, and refuses damaged images cleanly.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFsImage, run } from '../../src/index.js';
import { buildUnikernel } from '../../src/toolchain/build.js';
import { TREE, writeTree } from '../fsimage/tree.js';
import { ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const SOURCE = join(ROOT, 'test', 'sdk', 'tarfs');
const spt = join(scratch.dir, 'tarls.nabla');
const hosted = join(scratch.dir, 'tarls.hosted');
const site = join(scratch.dir, 'site');

/** What tarls prints for a file: 32-bit FNV-1a of its bytes, as the guest computes it. */
function fnv(data: Buffer): string {
  let h = 0x811c9dc5;
  for (const b of data) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The lines tarls prints for TREE: by name as strcmp orders them, directories without the slash. */
function expectedListing(): string[] {
  const entries = TREE.map((e) => ({ ...e, name: e.name.replace(/\/$/, '') })).sort((a, b) =>
    Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );
  return [
    ...entries.map((e) =>
      e.content === undefined
        ? `dir ${e.name} 1ed`
        : `file ${e.name} ${e.content.length} ${e.executable ? '1ed' : '1a4'} ${fnv(e.content)}`,
    ),
    'lookup ok',
    `done ${entries.length}`,
  ];
}

interface Outcome {
  status: number;
  signal: string | null;
  /** The guest's own lines (the bindings' "Solo5:" lines left out). */
  lines: string[];
}

const ownLines = (stdout: string) =>
  stdout.split('\n').filter((l) => l !== '' && !l.startsWith('Solo5:'));

/** tarls under the real tender, started by run(), with `image` as its block device. */
async function runSpt(image: string, sectorSize = 512, args: string[] = []): Promise<Outcome> {
  const out = await run({
    kernel: spt,
    args,
    block: [{ name: 'storage', path: image, sectorSize }],
    stdio: 'pipe',
  }).output();
  return { status: out.status, signal: out.signal, lines: ownLines(out.stdout) };
}

/** The same program built for the hosted target (Solo5's API over glibc). */
function runHosted(image: string, sectorSize = 512, args: string[] = []): Outcome {
  const r = spawnSync(
    hosted,
    [`--block:storage=${image}`, `--block-sector-size:storage=${sectorSize}`, ...args],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { status: r.status ?? -1, signal: r.signal, lines: ownLines(r.stdout) };
}

beforeAll(async () => {
  const options = { sources: [join(SOURCE, 'tarls.c')], manifest: join(SOURCE, 'manifest.json') };
  await buildUnikernel({ ...options, output: spt });
  await buildUnikernel({ ...options, output: hosted, target: 'hosted' });
  mkdirSync(site);
  writeTree(site);
}, 120_000);

describe('tarfs spt', () => {
  it.each([512, 4096])(
    'an image of %i-byte sectors from nabla fs build: every entry listed, every file read in odd chunks with the same bytes',
    async (sector) => {
      const image = join(scratch.dir, `site-${sector}.img`);
      await buildFsImage({ dir: site, output: image, sectorSize: sector });
      const r = await runSpt(image, sector);
      expect(r.lines).toEqual(expectedListing());
      expect(r.status).toBe(0);
    },
  );

  it('archives GNU tar wrote, in its default format with ./ names and in ustar, read the same', async () => {
    for (const format of ['gnu', 'ustar']) {
      const image = join(scratch.dir, `gnu-${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-C', site, '-cf', image, '.']);
      const r = await runSpt(image);
      expect(r.lines, format).toEqual(expectedListing());
      expect(r.status).toBe(0);
    }
  });
});

describe('tarfs hosted', () => {
  it.each([512, 4096])('the same listing and bytes at %i-byte sectors', async (sector) => {
    const image = join(scratch.dir, `hosted-${sector}.img`);
    await buildFsImage({ dir: site, output: image, sectorSize: sector });
    const r = runHosted(image, sector);
    expect(r.lines).toEqual(expectedListing());
    expect(r.status).toBe(0);
  });
});

// ---- damaged images -------------------------------------------------------------------------

/** A two-file image: a.txt (600 bytes: header at 0, data 512-1111), b.txt (header at 1536). */
async function smallImage(name: string): Promise<string> {
  const dir = join(scratch.dir, `small-${name}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.txt'), Buffer.alloc(600, 0x61));
  writeFileSync(join(dir, 'b.txt'), 'b\n');
  const image = join(scratch.dir, `${name}.img`);
  await buildFsImage({ dir, output: image });
  return image;
}

const B_HEADER = 1536;

/** Writes `bytes` at `field` of the header at `header`, then its checksum again unless told not to. */
function patch(image: string, header: number, field: number, bytes: Buffer, fix = true): void {
  const data = readFileSync(image);
  bytes.copy(data, header + field);
  if (fix) {
    const h = data.subarray(header, header + 512);
    h.fill(0x20, 148, 156);
    const sum = h.reduce((s, b) => s + b, 0);
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  }
  writeFileSync(image, data);
}

interface Damage {
  what: string;
  make: (image: string) => void;
  /** Default: every 512-byte block of 512. */
  args?: string[];
  line: string | RegExp;
}

const DAMAGES: Damage[] = [
  {
    what: 'a bad checksum (a byte of the name changed)',
    make: (image) => patch(image, B_HEADER, 0, Buffer.from('c'), false),
    line: /^tarfs: error 4: header at offset 1536: checksum \d+, the bytes sum to \d+$/,
  },
  {
    what: 'a size beyond the device',
    make: (image) => patch(image, B_HEADER, 124, Buffer.from('00000100000 ')),
    line: 'tarfs: error 6: header at offset 1536: 32768 bytes of data run past the end of the device (3584 bytes)',
  },
  {
    what: 'a truncated image (cut inside the first file)',
    make: (image) => truncateSync(image, 1024),
    line: 'tarfs: error 6: header at offset 0: 600 bytes of data run past the end of the device (1024 bytes)',
  },
  {
    what: 'a non-octal digit in the size',
    make: (image) => patch(image, B_HEADER, 124, Buffer.from('00000000009 ')),
    line: 'tarfs: error 3: header at offset 1536: mode, size or mtime is not octal',
  },
  {
    what: 'a base-256 size (GNU extension, not read)',
    make: (image) =>
      patch(image, B_HEADER, 124, Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2])),
    line: 'tarfs: error 3: header at offset 1536: mode, size or mtime is not octal',
  },
  {
    what: 'an empty mode field',
    make: (image) => patch(image, B_HEADER, 100, Buffer.alloc(8)),
    line: 'tarfs: error 3: header at offset 1536: mode, size or mtime is not octal',
  },
  {
    what: 'a non-octal checksum field',
    make: (image) => patch(image, B_HEADER, 148, Buffer.from('0001x8\0 '), false),
    line: 'tarfs: error 3: header at offset 1536: checksum field is not octal',
  },
  {
    what: 'no ustar magic',
    make: (image) => patch(image, B_HEADER, 257, Buffer.from('notar\0')),
    line: 'tarfs: error 3: header at offset 1536: not a ustar header (magic)',
  },
  {
    what: 'a symbolic link entry (type 2)',
    make: (image) => patch(image, B_HEADER, 156, Buffer.from('2')),
    line: 'tarfs: error 5: header at offset 1536: entry type 0x32 (only files and directories are read)',
  },
  {
    what: 'two entries of one name',
    make: (image) => patch(image, B_HEADER, 0, Buffer.from('a.txt\0')),
    line: "tarfs: error 8: two entries named 'a.txt'",
  },
  {
    what: 'more entries than the index holds',
    make: () => {},
    args: ['1'],
    line: 'tarfs: error 7: header at offset 1536: more than 1 entries',
  },
];

describe('tarfs damaged images', () => {
  it.each(DAMAGES)('$what: one line, status 1, spt and hosted alike', async (d) => {
    const image = await smallImage(d.what.replace(/\W+/g, '-'));
    d.make(image);
    for (const r of [await runSpt(image, 512, d.args), runHosted(image, 512, d.args)]) {
      expect(r.signal).toBeNull();
      expect(r.lines).toHaveLength(1);
      if (typeof d.line === 'string') expect(r.lines[0]).toBe(d.line);
      else expect(r.lines[0]).toMatch(d.line);
      expect(r.status).toBe(1);
    }
  });

  it('names filling the whole name and prefix fields (no NUL) are read within bounds', async () => {
    const image = await smallImage('full-name');
    patch(image, B_HEADER, 0, Buffer.alloc(100, 0x6e)); // n x 100
    patch(image, B_HEADER, 345, Buffer.alloc(155, 0x70)); // p x 155
    const r = await runSpt(image);
    expect(r.lines).toEqual([
      `file a.txt 600 1a4 ${fnv(Buffer.alloc(600, 0x61))}`,
      `file ${'p'.repeat(155)}/${'n'.repeat(100)} 2 1a4 ${fnv(Buffer.from('b\n'))}`,
      'lookup ok',
      'done 2',
    ]);
    expect(r.status).toBe(0);
  });

  it('a GNU tar archive holding a symbolic link is refused', async () => {
    const dir = join(scratch.dir, 'with-link');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a'), 'a');
    symlinkSync('a', join(dir, 'b'));
    const image = join(scratch.dir, 'with-link.tar');
    execFileSync('tar', ['--format=ustar', '-C', dir, '-cf', image, 'a', 'b']);
    const r = await runSpt(image);
    expect(r.lines).toEqual([
      'tarfs: error 5: header at offset 1024: entry type 0x32 (only files and directories are read)',
    ]);
    expect(r.status).toBe(1);
  });

  it('1,000 seeded random changes to header bytes (checksums fixed): status 0 or 1, never a signal', async () => {
    const base = await smallImage('fuzz');
    const original = readFileSync(base);
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const image = join(scratch.dir, 'fuzz-case.img');
    const statuses = new Set<number>();
    // Hosted: the same reader code, a process each, cheap enough for many cases.
    for (let i = 0; i < 1000; i++) {
      writeFileSync(image, original);
      const header = next() % 2 === 0 ? 0 : B_HEADER;
      const at = next() % 512;
      const byte = Buffer.from([next() & 0xff]);
      patch(image, header, at, byte, !(at >= 148 && at < 156));
      const r = runHosted(image);
      expect(r.signal, `case ${i}: byte ${byte[0]} at ${header + at}`).toBeNull();
      expect([0, 1], `case ${i}: ${r.lines.join(' | ')}`).toContain(r.status);
      statuses.add(r.status);
    }
    expect([...statuses].sort()).toEqual([0, 1]);
  }, 300_000);
});
