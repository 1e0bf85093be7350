// acceptance.test.ts: the limits where upstream's loader refuses, end to end: both checkers, inspect and the real tender.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectUnikernel } from '../../src/elf/unikernel.js';
import { NablaError } from '../../src/errors.js';
import { buildElf, EXIT7_CODE, type SegmentSpec } from '../helpers/elf-builder.js';
import { NABLA, tool } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const IE = 'invalid executable: ';

/** TypeScript's line, or "ok ..." in elf-check's words, for a guest of `mem` bytes. */
function tsLine(path: string, mem = 512n << 20n): string {
  const fd = openSync(path, 'r');
  try {
    const u = inspectUnikernel(path, fd, mem);
    return `ok entry=0x${u.entry.toString(16)} kernel_end=0x${u.kernelEnd.toString(16)} devices=${u.manifest.devices.length}`;
  } catch (error) {
    if (error instanceof NablaError) return error.message;
    throw error;
  } finally {
    closeSync(fd);
  }
}

function cLine(path: string, mem?: bigint): string {
  const args = mem === undefined ? [path] : [path, String(mem)];
  const r = spawnSync(tool('elf-check'), args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : r.stderr.trim().replace(/^elf-check: /, '');
}

/**
 * `count` loaded one-page segments, alternately R+X and R, each in a page of its own, so that
 * every one costs the tender its own mappings: the worst case for the loader.
 */
function manySegments(count: number): SegmentSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    vaddr: 0x100000n + BigInt(i) * 0x1000n,
    data: EXIT7_CODE,
    flags: i % 2 === 0 ? 5 : 4,
    align: 0x1000n,
  }));
}

describe('ELF acceptance versus upstream', () => {
  it('65,535 PT_LOAD headers: refused by both checkers, inspect and nabla-run with the row 12 line', () => {
    // The ABI1 and MFT1 notes make 65,535 program headers with 65,533 loads.
    const path = scratch.file('many.nabla', buildElf({ segments: manySegments(65533) }));
    const line = `${path}: ${IE}too many program headers (e_phnum 65535, at most 1170)`;
    expect(tsLine(path)).toBe(line);
    expect(cLine(path)).toBe(line);
    const inspect = spawnSync(process.execPath, [NABLA, 'inspect', path], { encoding: 'utf8' });
    expect(inspect.status).toBe(1);
    expect(inspect.stdout).toBe('');
    expect(inspect.stderr).toBe(`nabla inspect: ${line}\n`);
    const run = nablaRun([path]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`nabla-run: ${line}\n`);
  });

  it('1,170 program headers, 1,168 of them loaded in pages of their own: the tender loads and runs it', () => {
    const path = scratch.file('n1170.nabla', buildElf({ segments: manySegments(1168) }));
    expect(cLine(path)).toBe('ok entry=0x100000 kernel_end=0x590000 devices=0');
    expect(tsLine(path)).toBe(cLine(path));
    const run = nablaRun([path]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(7); // exit_group(7) in the first segment
    const over = scratch.file('n1171.nabla', buildElf({ segments: manySegments(1169) }));
    expect(cLine(over)).toBe(`${over}: ${IE}too many program headers (e_phnum 1171, at most 1170)`);
    expect(tsLine(over)).toBe(cLine(over));
  });

  it('row 21 at the top of memory: the end rounded up to p_align must stay below mem_size', () => {
    const mem = 0x1800000n; // 24 MiB: not a multiple of the 16 MiB alignment below
    const path = scratch.file(
      'align-top.nabla',
      buildElf({
        segments: [
          { vaddr: 0x100000n, data: EXIT7_CODE, flags: 5, align: 0x1000n },
          { vaddr: 0x1000000n, data: Buffer.alloc(16), flags: 6, align: 0x1000000n },
        ],
      }),
    );
    const line = `${path}: ${IE}segment 1: p_align 0x1000000 extends it to 0x1000000-0x2000000, outside guest memory 0x100000-0x1800000`;
    expect(cLine(path, mem)).toBe(line);
    expect(tsLine(path, mem)).toBe(line);
    // With 32 MiB the same file fits, and kernel_end is that rounded end.
    expect(cLine(path, 0x2000000n)).toBe('ok entry=0x100000 kernel_end=0x2000000 devices=0');
    expect(tsLine(path, 0x2000000n)).toBe(cLine(path, 0x2000000n));
  });

  it('segments in adjacent pages are still accepted; one byte into the previous page is not', () => {
    const seg = (vaddr: bigint, flags: number) => ({ vaddr, data: EXIT7_CODE, flags, align: 1n });
    const apart = scratch.file(
      'apart.nabla',
      buildElf({ segments: [seg(0x100000n, 5), seg(0x101000n, 6)] }),
    );
    expect(cLine(apart)).toBe('ok entry=0x100000 kernel_end=0x10100c devices=0');
    expect(tsLine(apart)).toBe(cLine(apart));
    expect(nablaRun([apart]).status).toBe(7);
    const shared = scratch.file(
      'shared.nabla',
      buildElf({ segments: [seg(0x100000n, 5), seg(0x100fffn, 6)] }),
    );
    const line = `${shared}: ${IE}segment 1: shares page 0x100000 with the previous segment (starts at 0x100fff, previous ends at 0x10000c)`;
    expect(cLine(shared)).toBe(line);
    expect(tsLine(shared)).toBe(line);
  });
});
