// build.test.ts: `nabla build` turns C and a manifest into a unikernel nabla-run boots, and refuses bad manifests.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NABLA, ROOT } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const nabla = (args: string[]) =>
  spawnSync(process.execPath, [NABLA, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: scratch.dir,
  });

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
});
