// build.test.ts: `nabla build` turns C and a manifest into a unikernel nabla-run boots, and refuses bad manifests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NABLA, ROOT } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const nabla = (args: string[], cwd = scratch.dir, env = process.env) =>
  spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout: 60_000, cwd, env });

/** The README's own-app snippet: app/main.c and app/manifest.json in a fresh directory. */
function readmeApp(name: string): string {
  const cwd = join(scratch.dir, name);
  mkdirSync(join(cwd, 'app'), { recursive: true });
  writeFileSync(
    join(cwd, 'app/main.c'),
    '#include "solo5.h"\n#include "nabla_lib.h"\n' +
      'int solo5_app_main(const struct solo5_start_info *si) { printf("hi, %s\\n", si->cmdline); return 0; }\n',
  );
  writeFileSync(
    join(cwd, 'app/manifest.json'),
    '{"type":"solo5.manifest","version":1,"devices":[]}\n',
  );
  return cwd;
}

describe('nabla build', () => {
  it('builds a directory into NAME.nabla that boots', () => {
    const r = nabla(['build', join(ROOT, 'examples/hello')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('built hello.nabla (spt)\n');
    const run = nablaRun([join(scratch.dir, 'hello.nabla'), '--solo5:quiet', 'built', 'here']);
    expect(run.stdout).toBe('Hello, world!\nCommand line: built here\n');
    expect(run.status).toBe(0);
  });

  it('builds from files with -m and -o', () => {
    const out = join(scratch.dir, 'custom.nabla');
    const r = nabla([
      'build',
      '-m',
      join(ROOT, 'examples/blk/manifest.json'),
      '-o',
      out,
      join(ROOT, 'examples/blk/blk.c'),
    ]);
    expect(r.status).toBe(0);
    const disk = scratch.disk('b.img', 64 * 512);
    expect(nablaRun([`--block:storage=${disk}`, out]).stdout).toContain(
      'blk: 64 blocks of 512 bytes verified',
    );
  });

  it.each([
    [
      { type: 'solo5.manifest', version: 1, devices: [{ name: 'a-b', type: 'BLOCK_BASIC' }] },
      'devices[0].name',
    ],
    [
      { type: 'solo5.manifest', version: 1, devices: [{ name: 'x', type: 'DISK' }] },
      'devices[0].type',
    ],
    [
      {
        type: 'solo5.manifest',
        version: 1,
        devices: [
          { name: 'x', type: 'NET_BASIC' },
          { name: 'x', type: 'BLOCK_BASIC' },
        ],
      },
      'devices[1].name',
    ],
  ])('refuses a bad manifest naming the file and the JSON path (%j)', (manifest, path) => {
    const file = scratch.file('bad.json', JSON.stringify(manifest));
    const r = nabla([
      'build',
      '-m',
      file,
      '-o',
      join(scratch.dir, 'x.nabla'),
      join(ROOT, 'examples/hello/hello.c'),
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr.startsWith(`nabla build: ${file}: ${path}: `)).toBe(true);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses more than 63 devices', () => {
    const devices = Array.from({ length: 64 }, (_, i) => ({ name: `d${i}`, type: 'BLOCK_BASIC' }));
    const file = join(scratch.dir, 'big.json');
    writeFileSync(file, JSON.stringify({ type: 'solo5.manifest', version: 1, devices }));
    const r = nabla(['build', '-m', file, join(ROOT, 'examples/hello/hello.c')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('too many entries, maximum 63');
  });

  it('refuses a missing source with one line', () => {
    const r = nabla(['build', 'missing.c']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('nabla build: missing.c: No such source file\n');
  });

  it('builds the README app for spt and then hosted beside it, never onto the directory app', () => {
    const cwd = readmeApp('readme');
    const spt = nabla(['build', 'app'], cwd);
    expect(spt.stderr).toBe('');
    expect(spt.stdout).toBe('built app.nabla (spt)\n');
    const hosted = nabla(['build', '--target', 'hosted', 'app'], cwd);
    expect(hosted.stderr).toBe('');
    expect(hosted.stdout).toBe('built app.hosted (hosted)\n');
    expect(readdirSync(cwd).sort()).toEqual(['app', 'app.hosted', 'app.nabla']);
    const ran = spawnSync(join(cwd, 'app.hosted'), ['--solo5:quiet', 'world'], {
      encoding: 'utf8',
    });
    expect(ran.stdout).toBe('hi, world\n');
    expect(nablaRun([join(cwd, 'app.nabla'), '--solo5:quiet', 'world']).stdout).toBe('hi, world\n');
  });

  it.each([
    [['-o', 'out'], 'out'],
    [['--target', 'hosted', '-o', 'out/'], 'out/'],
    [[], 'app.nabla'],
  ])(
    'refuses an output that is a directory (%j) with one line, before compiling',
    (opts, shown) => {
      const cwd = readmeApp(`dir-${shown.replace(/\W/g, '')}-${opts.length}`);
      mkdirSync(join(cwd, 'out'));
      mkdirSync(join(cwd, 'app.nabla'));
      const r = nabla(['build', ...opts, 'app'], cwd);
      expect(r.stderr).toBe(`nabla build: ${shown}: Is a directory; the output must be a file\n`);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(1);
    },
  );

  it("shows the compiler's diagnostics, then one nabla build line", () => {
    const cwd = readmeApp('broken');
    writeFileSync(
      join(cwd, 'app/main.c'),
      'int solo5_app_main(void) { return undeclared_name; }\n',
    );
    for (const target of ['spt', 'hosted']) {
      const r = nabla(['build', '--target', target, 'app'], cwd);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines.slice(0, -1).join('\n')).toMatch(/main\.c:1:\d+: error: .*undeclared_name/);
      const out = target === 'spt' ? 'app.nabla' : 'app.hosted';
      expect(lines.at(-1)).toBe(`nabla build: building ${out} failed (gcc exit status 1)`);
      expect(lines.filter((l) => l.startsWith('nabla'))).toHaveLength(1);
      expect(existsSync(join(cwd, out))).toBe(false);
    }
  });

  it('names a missing compiler in one line', () => {
    const cwd = readmeApp('nocc');
    const r = nabla(['build', 'app'], cwd, { ...process.env, CC: '/nonexistent/cc' });
    expect(r.stderr).toBe(
      'nabla build: /nonexistent/cc: C compiler not found (install gcc, or set CC)\n',
    );
    expect(r.status).toBe(1);
  });

  it('passes --cflags split at spaces, and repeated, to the compiler', () => {
    const cwd = readmeApp('cflags');
    writeFileSync(
      join(cwd, 'app/main.c'),
      '#if !defined(ONE) || !defined(TWO) || !defined(THREE)\n#error flags missing\n#endif\n' +
        'int solo5_app_main(void) { return 0; }\n',
    );
    // yargs takes a value that starts with - only after = (a word after a space is an option).
    const r = nabla(['build', '--cflags=-DONE -DTWO', '--cflags=-DTHREE', 'app'], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
