// inspect.test.ts: `nabla inspect` describes spt guests (ours and hand-made, any target) and refuses bad files.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildElf, manifestBytes } from '../helpers/elf-builder.js';
import { example, NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const nabla = (args: string[]) =>
  spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('nabla inspect', () => {
  it('prints the ABI note and the manifest as text', () => {
    const r = nabla(['inspect', example('blk')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ABI:      target spt (2), version 2');
    expect(r.stdout).toMatch(/\[1\] storage +BLOCK_BASIC/);
    expect(r.stdout).toMatch(/LOAD +r-x vaddr 0x100000/);
  });

  it('prints the documented JSON shape', () => {
    const r = nabla(['inspect', '--json', example('hello')]);
    expect(r.status).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({
      file: example('hello'),
      entry: '0x100000',
      abi: { target: 2, targetName: 'spt', version: 2 },
      runnable: true,
      manifest: { version: 1, entries: 1, devices: [] },
    });
    // ABI1, MFT1 and the SDK's EXT1 (docs/abi.md §4.5), each in its own PT_NOTE.
    expect(d.segments.filter((s: { type: string }) => s.type === 'NOTE')).toHaveLength(3);
  });

  it('describes a unikernel built for another Solo5 target without running it', () => {
    const path = scratch.file(
      'hvt.nabla',
      buildElf({
        abi: { target: 1, version: 1 },
        manifest: manifestBytes([
          { name: 'disk', type: 1 },
          { name: 'net0', type: 2 },
        ]),
      }),
    );
    const d = JSON.parse(nabla(['inspect', '--json', path]).stdout);
    expect(d.abi).toEqual({ target: 1, version: 1, targetName: 'hvt' });
    expect(d.runnable).toBe(false);
    expect(d.manifest.devices).toEqual([
      { index: 1, name: 'disk', type: 'BLOCK_BASIC' },
      { index: 2, name: 'net0', type: 'NET_BASIC' },
    ]);
  });

  it.each([
    [
      '/bin/true',
      'nabla inspect: /bin/true: invalid executable: not a static executable (e_type 3, expected ET_EXEC 2)',
    ],
    [
      '/nonexistent.nabla',
      'nabla inspect: /nonexistent.nabla: Could not open: No such file or directory',
    ],
  ])('refuses %s with one line', (path, line) => {
    const r = nabla(['inspect', path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\n`);
  });
});
