// blk.test.ts: upstream's blk outcomes: block I/O at 512 and 4096-byte sectors, and backing files the tender refuses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conformanceGuest, expectSuccess, sptRun } from '../helpers/conformance.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
/** Upstream's disk: `dd if=/dev/zero bs=4k count=1024`. */
const DISK_BYTES = 4096 * 1024;

/** Byte i of block b as blk.c writes it (every tenth block, the others stay zero). */
const pattern = (b: number, i: number) => (b * 7 + i * 13 + (i >> 8)) & 0xff;

/** The host file holds the guest's writes at the right offsets, and nothing else. */
function expectWritten(path: string, sector: number): void {
  const disk = readFileSync(path);
  expect(disk.length).toBe(DISK_BYTES); // the guest did not grow or shrink it
  const bad: number[] = [];
  for (let b = 0; b < DISK_BYTES / sector; b++) {
    const block = disk.subarray(b * sector, (b + 1) * sector);
    const ok = block.every((byte, i) => byte === (b % 10 === 0 ? pattern(b, i) : 0));
    if (!ok) bad.push(b);
  }
  expect(bad).toEqual([]);
}

/** Refused before boot: status 1, nothing from the guest, the tender's message on stderr. */
function expectRefused(args: string[], message: string): void {
  const r = sptRun(args);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  // Upstream prints the device name with "%67s" (padded to 67 columns); the text is the same.
  expect(r.stderr).toContain(message);
}

describe('blk conformance', () => {
  it('blk spt', () => {
    const path = scratch.disk('blk-512.img', DISK_BYTES);
    const r = sptRun([`--block:storage=${path}`, '--', conformanceGuest('blk')]);
    expectSuccess(r);
    expect(r.stdout).toContain('blk: capacity 4194304, block size 512');
    expectWritten(path, 512);
  });

  it('blk spt: 4096-byte sectors', () => {
    const path = scratch.disk('blk-4096.img', DISK_BYTES);
    const r = sptRun([
      `--block:storage=${path}`,
      '--block-sector-size:storage=4096',
      '--',
      conformanceGuest('blk'),
    ]);
    expectSuccess(r);
    expect(r.stdout).toContain('blk: capacity 4194304, block size 4096');
    expectWritten(path, 4096);
  });

  it('blk spt: a backing file that is not a whole number of sectors is refused', () => {
    const path = scratch.disk('misaligned.img', DISK_BYTES + 512);
    expectRefused(
      [`--block:storage=${path}`, '--block-sector-size:storage=4096', conformanceGuest('blk')],
      'storage: Backing storage size must be block aligned (4096 bytes)',
    );
  });

  it.each([
    [1000], // not a power of two
    [513], // odd
    [256], // a power of two, but below 512
  ])('blk spt: sector size %i is refused', (sector) => {
    const path = scratch.disk(`sector-${sector}.img`, DISK_BYTES);
    expectRefused(
      [`--block:storage=${path}`, `--block-sector-size:storage=${sector}`, conformanceGuest('blk')],
      'Block size must be a multiple of 2 greater than or equal 512',
    );
  });

  it.each([
    [512, ''],
    [4096, '--block-sector-size:storage=4096'],
  ])('blk spt: an empty backing file is refused (%i-byte sectors)', (sector, option) => {
    const path = scratch.disk(`empty-${sector}.img`, 0);
    expectRefused(
      [`--block:storage=${path}`, ...(option ? [option] : []), conformanceGuest('blk')],
      `storage: Backing storage must be at least 1 block (${sector} bytes) in size`,
    );
  });

  it('blk spt: a file smaller than one sector fails the alignment check first, as upstream', () => {
    // Upstream tests alignment before size, so only an empty file gets the "1 block" message.
    const path = scratch.disk('short.img', 256);
    expectRefused(
      [`--block:storage=${path}`, conformanceGuest('blk')],
      'storage: Backing storage size must be block aligned (512 bytes)',
    );
  });
});
