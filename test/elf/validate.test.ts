// validate.test.ts: every check of docs/elf-validation.md gives its exact line, in TypeScript and in C.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectUnikernel } from '../../src/elf/unikernel.js';
import { NablaError } from '../../src/errors.js';
import { buildElf, manifestBytes } from '../helpers/elf-builder.js';
import { scratchDir, tool } from '../helpers/paths.js';
import { MALFORMED } from './malformed-cases.js';

const MEM = 512n << 20n;
const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inspectFile(path: string, mem = MEM) {
  const fd = openSync(path, 'r');
  try {
    return inspectUnikernel(path, fd, mem);
  } finally {
    closeSync(fd);
  }
}

function tsMessage(path: string): string {
  try {
    inspectFile(path);
  } catch (error) {
    if (error instanceof NablaError) return error.message;
    throw error;
  }
  return 'ok';
}

/** The tender's own validation, through the elf-check tool built from tenders/common. */
function cMessage(path: string): string {
  const result = spawnSync(tool('elf-check'), [path], { encoding: 'utf8' });
  if (result.status === 0) return 'ok';
  return result.stderr.trim().replace(/^elf-check: /, '');
}

describe('unikernel validation', () => {
  it('accepts a minimal valid spt ELF and reads its manifest', () => {
    const path = join(dir, 'valid.nabla');
    writeFileSync(path, buildElf({ manifest: manifestBytes([{ name: 'storage', type: 1 }]) }));
    const u = inspectFile(path);
    expect(u.entry).toBe(0x100000n);
    expect(u.kernelEnd).toBe(0x101000n);
    expect(u.manifest.devices).toEqual([{ index: 1, name: 'storage', type: 'BLOCK_BASIC' }]);
  });

  it.each(MALFORMED)('check %s: TypeScript prints the documented line', (name, bytes, expected) => {
    const path = join(dir, `${name.replace(/\W+/g, '_')}.nabla`);
    writeFileSync(path, bytes);
    expect(tsMessage(path)).toBe(`${path}: ${expected}`);
  });

  it.each(MALFORMED)('check %s: the tender (C) prints the same line', (name, bytes, expected) => {
    const path = join(dir, `c_${name.replace(/\W+/g, '_')}.nabla`);
    writeFileSync(path, bytes);
    expect(cMessage(path)).toBe(`${path}: ${expected}`);
  });

  it('refuses a host executable (/bin/true) as not a static executable', () => {
    expect(tsMessage('/bin/true')).toMatch(
      /^\/bin\/true: invalid executable: not a static executable \(e_type 3/,
    );
    expect(cMessage('/bin/true')).toBe(tsMessage('/bin/true'));
  });

  it('refuses memory too small for the image (--mem=1) at the entry point, as upstream', () => {
    const path = join(dir, 'small-mem.nabla');
    writeFileSync(path, buildElf());
    expect(() => inspectFile(path, 1n << 20n)).toThrow(
      'e_entry does not fall within the memory allocation range (e_entry 0x100000, range 0x100000-0x100000)',
    );
    const c = spawnSync(tool('elf-check'), [path, String(1 << 20)], { encoding: 'utf8' });
    expect(c.status).toBe(1);
    expect(c.stderr).toContain(
      'e_entry does not fall within the memory allocation range (e_entry 0x100000',
    );
  });
});
