// block-read-only.test.ts: a block device with readOnly (--block-mode:NAME=ro): reads work, writes fail in the guest (no SIGSYS), the file is unchanged.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NablaError, run } from '../../src/index.js';
import { launchCache } from '../../src/launch/cache.js';
import { guest } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const blkro = guest('blkro');
const BLOCKS = 16;

/** A disk whose every byte differs from its neighbours, so a changed block shows. */
function disk(name: string): { path: string; bytes: Buffer } {
  const bytes = Buffer.alloc(BLOCKS * 512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
  const path = join(scratch.dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/** FNV-1a, 32 bits, as blkro.c prints it. */
function checksum(bytes: Buffer): string {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** What blkro wrote to block 0 when its write went through. */
const written = Buffer.from(Array.from({ length: 512 }, (_, i) => (0xa5 ^ i) & 0xff));

/** The guest read the file, its write failed as an error it saw, and the file is as it was. */
function expectRefusedWrite(
  r: { status: number; stdout: string; stderr: string },
  d: { path: string; bytes: Buffer },
) {
  expect(r.status, r.stdout + r.stderr).toBe(1); // SOLO5_EXIT_FAILURE, not 159 (SIGSYS)
  expect(r.stdout).toContain(`blkro: read ${BLOCKS} blocks, checksum ${checksum(d.bytes)}`);
  expect(r.stdout).toContain('blkro: write of block 0: failed (result 3)'); // SOLO5_R_EUNSPEC
  expect(r.stdout).toContain('blkro: block 0 read back: unchanged');
  expect(readFileSync(d.path).equals(d.bytes)).toBe(true);
}

describe('read-only block devices spt', () => {
  it('run() with readOnly: true: reads work, the write fails in the guest, the file is unchanged', async () => {
    const d = disk('ro.img');
    const r = await run({
      kernel: blkro,
      memMiB: 8,
      block: [{ name: 'storage', path: d.path, readOnly: true }],
    }).output();
    expect(r.signal).toBeNull();
    expectRefusedWrite(r, d);
  });

  it('run() with readOnly: false (and without it) writes as before', async () => {
    for (const readOnly of [false, undefined]) {
      const d = disk(`rw-${readOnly}.img`);
      const r = await run({
        kernel: blkro,
        memMiB: 8,
        block: [{ name: 'storage', path: d.path, ...(readOnly === false ? { readOnly } : {}) }],
      }).output();
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`blkro: read ${BLOCKS} blocks, checksum ${checksum(d.bytes)}`);
      expect(r.stdout).toContain('blkro: write of block 0: ok');
      expect(r.stdout).toContain('blkro: block 0 read back: written');
      const after = readFileSync(d.path);
      expect(after.subarray(0, 512).equals(written)).toBe(true);
      expect(after.subarray(512).equals(d.bytes.subarray(512))).toBe(true);
    }
  });

  it('the same image run read-only after read-write (one cached filter) is still read-only', async () => {
    const rw = disk('cache-rw.img');
    const first = await run({
      kernel: blkro,
      memMiB: 8,
      block: [{ name: 'storage', path: rw.path }],
    }).output();
    expect(first.status).toBe(0);
    const compiled = launchCache.stats.compilations;
    const ro = disk('cache-ro.img');
    const second = await run({
      kernel: blkro,
      memMiB: 8,
      block: [{ name: 'storage', path: ro.path, readOnly: true }],
    }).output();
    expectRefusedWrite(second, ro);
    // The same rules, so the filter came from the cache: the mode is the descriptor's, not the filter's.
    expect(launchCache.stats.compilations).toBe(compiled);
  });

  it('nabla-run --block-mode:NAME=ro does the same', () => {
    const d = disk('cli-ro.img');
    expectRefusedWrite(
      nablaRun(['--mem=8', `--block:storage=${d.path}`, '--block-mode:storage=ro', blkro]),
      d,
    );
  });

  it('nabla-run --block-mode with another value is refused, naming it', () => {
    const d = disk('cli-bad.img');
    const r = nablaRun(['--mem=8', `--block:storage=${d.path}`, '--block-mode:storage=yes', blkro]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Block mode must be ro or rw, not yes');
  });

  it('readOnly that is not a boolean is OPTION_INVALID naming the key', () => {
    const d = disk('bad.img');
    let error: unknown;
    try {
      run({
        kernel: blkro,
        block: [{ name: 'storage', path: d.path, readOnly: 'yes' as unknown as boolean }],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NablaError);
    expect((error as NablaError).code).toBe('OPTION_INVALID');
    expect((error as Error).message).toBe(
      'Expected a boolean for block[0].readOnly but received "yes"',
    );
  });
});
