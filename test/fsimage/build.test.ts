// build.test.ts: `nabla fs build` writes a ustar image GNU tar lists and extracts exactly, padded to whole sectors, byte-identical each time, and refuses what the format leaves out by name.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFsImage, NablaError } from '../../src/index.js';
import { NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { MTIME, SORTED_NAMES, TREE, writeTree } from './tree.js';

const scratch = useScratch();
const site = join(scratch.dir, 'site');

function nabla(args: string[]) {
  return spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** `nabla fs build` that must succeed: its one line of output. */
function build(args: string[]): string {
  const r = nabla(['fs', 'build', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  mkdirSync(site);
  writeTree(site);
});

describe('nabla fs build', () => {
  it.each([512, 4096])(
    'sector size %i: GNU tar lists exactly the tree, as root, with the modes and times; the size is whole sectors',
    (sector) => {
      const image = join(scratch.dir, `site-${sector}.img`);
      const out = build([site, '-o', image, '--sector-size', String(sector)]);
      const size = statSync(image).size;
      expect(out).toBe(`built ${image}: 9 files, 7 directories, ${size} bytes\n`);
      expect(size % sector).toBe(0);

      expect(execFileSync('tar', ['-tf', image], { encoding: 'utf8' })).toBe(
        SORTED_NAMES.map((n) => `${n}\n`).join(''),
      );
      // --numeric-owner: 0/0; --utc: the times do not depend on the machine's zone.
      const verbose = execFileSync('tar', ['-tvf', image, '--numeric-owner', '--utc'], {
        encoding: 'utf8',
      });
      const when = new Date(MTIME * 1000).toISOString().slice(0, 16).replace('T', ' ');
      const expected = SORTED_NAMES.map((name) => {
        const e = TREE.find((t) => t.name === name);
        const mode =
          e?.content === undefined ? 'drwxr-xr-x' : e.executable ? '-rwxr-xr-x' : '-rw-r--r--';
        return { mode, owner: '0/0', size: String(e?.content?.length ?? 0), when, name };
      });
      const listed = verbose
        .trimEnd()
        .split('\n')
        .map((line) => {
          const m = /^(\S+) (\S+) +(\d+) (\S+ \S+) (.*)$/.exec(line);
          return { mode: m?.[1], owner: m?.[2], size: m?.[3], when: m?.[4], name: m?.[5] };
        });
      expect(listed).toEqual(expected);
    },
  );

  it('GNU tar extracts every file with the same bytes', () => {
    const image = join(scratch.dir, 'extract.img');
    build([site, '-o', image]);
    const into = join(scratch.dir, 'extracted');
    mkdirSync(into);
    execFileSync('tar', ['-xf', image, '-C', into]);
    for (const e of TREE) {
      if (e.content === undefined) expect(statSync(join(into, e.name)).isDirectory()).toBe(true);
      else expect(readFileSync(join(into, e.name)).equals(e.content), e.name).toBe(true);
    }
  });

  it('is deterministic: two builds of the tree are byte-identical, and the API writes the same', async () => {
    const a = join(scratch.dir, 'a.img');
    const b = join(scratch.dir, 'b.img');
    const c = join(scratch.dir, 'c.img');
    build([site, '-o', a]);
    build([site, '-o', b]);
    const summary = await buildFsImage({ dir: site, output: c });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(true);
    expect(summary).toEqual({
      files: 9,
      directories: 7,
      dataBytes: TREE.reduce((n, e) => n + (e.content?.length ?? 0), 0),
      imageBytes: statSync(a).size,
    });
  });

  it('replaces an existing image whole and leaves no temporary file', () => {
    const image = join(scratch.dir, 'replaced.img');
    writeFileSync(image, Buffer.alloc(50 << 20, 0xff)); // larger than the image: must shrink
    build([site, '-o', image]);
    expect(readFileSync(image).equals(readFileSync(join(scratch.dir, 'a.img')))).toBe(true);
    expect(readdirSync(scratch.dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('an empty directory makes an image of the end-of-archive blocks alone', () => {
    const empty = join(scratch.dir, 'empty-dir');
    mkdirSync(empty);
    const image = join(scratch.dir, 'empty.img');
    build([empty, '-o', image, '--sector-size=4096']);
    expect(readFileSync(image).equals(Buffer.alloc(4096))).toBe(true);
    expect(execFileSync('tar', ['-tf', image], { encoding: 'utf8' })).toBe('');
  });
});

/** A tree holding `bad` (made by `make` at `bad`'s path) besides a good file. */
function treeWith(name: string, make: (path: string) => void): { dir: string; bad: string } {
  const dir = join(
    scratch.dir,
    `bad-${name.replace(/\W/g, '')}-${Math.random().toString(36).slice(2)}`,
  );
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'good.txt'), 'good\n');
  const bad = join(dir, 'sub', name);
  make(bad);
  return { dir, bad };
}

/** The refusal: status 1, one line naming the file, no image written. */
function expectRefused(args: string[], image: string, line: string): void {
  const r = nabla(['fs', 'build', ...args]);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`nabla fs build: ${line}\n`);
  expect(r.status).toBe(1);
  expect(() => statSync(image)).toThrow();
}

describe('nabla fs build refuses', () => {
  const image = join(scratch.dir, 'never.img');
  const LINKS_ONLY = 'an image holds regular files and directories only';

  it('a symbolic link, by its path', () => {
    const { dir, bad } = treeWith('link', (p) => symlinkSync('../good.txt', p));
    expectRefused([dir, '-o', image], image, `${bad}: is a symbolic link; ${LINKS_ONLY}`);
  });

  it('a FIFO, by its path', () => {
    const { dir, bad } = treeWith('fifo', (p) => execFileSync('mkfifo', [p]));
    expectRefused([dir, '-o', image], image, `${bad}: is a FIFO; ${LINKS_ONLY}`);
  });

  it('a name too long for a ustar header (101 bytes without a slash to split at)', () => {
    const dir = join(scratch.dir, 'long-name');
    mkdirSync(dir);
    const bad = join(dir, 'x'.repeat(101));
    writeFileSync(bad, 'x');
    expectRefused(
      [dir, '-o', image],
      image,
      `${bad}: name is 101 bytes, too long for a ustar header (at most 100, or 155 + / + 100 split at a slash)`,
    );
  });

  it('a name whose part before the split is over 155 bytes', () => {
    const dir = join(scratch.dir, 'long-prefix');
    const parent = join(dir, 'p'.repeat(156));
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, 'f'), 'x');
    // The directory itself (157 bytes with its slash) is refused first: it is sorted first.
    expectRefused(
      [dir, '-o', image],
      image,
      `${parent}: name is 157 bytes, too long for a ustar header (at most 100, or 155 + / + 100 split at a slash)`,
    );
  });

  it('a name that is not printable ASCII, escaped in the message', () => {
    const { dir, bad } = treeWith('caf\u00e9\u001b.txt', (p) => writeFileSync(p, 'x'));
    expectRefused(
      [dir, '-o', image],
      image,
      `${bad.replace('\u001b', '\\x1b')}: name is not printable ASCII (an image names its files in ASCII)`,
    );
  });

  it('a missing DIR', () => {
    const missing = join(scratch.dir, 'no-such-dir');
    expectRefused([missing, '-o', image], image, `${missing}: No such file or directory`);
  });

  it('a DIR that is a file', () => {
    const file = scratch.file('plain-file', 'x');
    expectRefused([file, '-o', image], image, `${file}: Not a directory`);
  });

  it('an IMAGE that is a directory', () => {
    const target = join(scratch.dir, 'a-directory');
    mkdirSync(target);
    const r = nabla(['fs', 'build', site, '-o', target]);
    expect(r.stderr).toBe(`nabla fs build: ${target}: Is a directory; the image must be a file\n`);
    expect(r.status).toBe(1);
    expect(readdirSync(target)).toEqual([]);
  });

  it('an IMAGE inside DIR (it would pack itself next time)', () => {
    const inside = join(site, 'site.img');
    expectRefused(
      [site, '-o', inside],
      inside,
      `${inside}: is inside ${site}; write the image elsewhere`,
    );
  });

  it('a sector size that is not a power of two from 512 to 32768, and a missing -o', () => {
    const r = nabla(['fs', 'build', site, '-o', image, '--sector-size', '1000']);
    expect(r.stderr).toBe(
      'nabla fs build: Expected a power of two from 512 to 32768 for --sector-size but received "1000"\n' +
        'Run `nabla fs build --help` for usage.\n',
    );
    expect(r.status).toBe(1);
    const m = nabla(['fs', 'build', site]);
    expect(m.stderr).toBe(
      'nabla fs build: Missing -o IMAGE (the image to write)\nRun `nabla fs build --help` for usage.\n',
    );
    expect(m.status).toBe(1);
  });

  it('through the API, with a NablaError and its code', async () => {
    const { dir, bad } = treeWith('link2', (p) => symlinkSync('/etc/passwd', p));
    const error = await buildFsImage({ dir, output: image }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NablaError);
    expect((error as NablaError).code).toBe('FS_ENTRY');
    expect((error as NablaError).message).toBe(`${bad}: is a symbolic link; ${LINKS_ONLY}`);
  });
});

describe('nabla --help', () => {
  it('lists fs, and fs build --help its options', () => {
    expect(nabla(['--help']).stdout).toMatch(/^ {2}nabla fs +Make a file-system image/m);
    const help = nabla(['fs', 'build', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: nabla fs build [--sector-size BYTES] -o IMAGE DIR');
    expect(help.stdout).toMatch(/^ {2}-o, --output/m);
    expect(help.stdout).toMatch(/^ {6}--sector-size/m);
  });
});
