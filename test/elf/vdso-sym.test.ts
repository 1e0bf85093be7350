// vdso-sym.test.ts: the tender's vDSO symbol lookup (tenders/common/vdso_sym.c) agrees with the dynamic loader and survives damaged images.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

function lookup(name: string, file?: string): { status: number | null; out: string } {
  const r = spawnSync(tool('vdso-sym'), file ? [name, file] : [name], { encoding: 'utf8' });
  expect(r.signal, `vdso-sym ${name} ${file ?? ''}: ${r.stderr}`).toBeNull();
  return { status: r.status, out: r.stdout.trim() };
}

/** This process's [vdso] mapping, byte for byte (the kernel's image, as the tender reads it). */
function ownVdso(): Buffer {
  const line = readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .find((l) => l.endsWith('[vdso]'));
  if (!line) throw new Error('no [vdso] in /proc/self/maps');
  const [start, end] = (line.split(' ')[0] as string).split('-').map((h) => Number.parseInt(h, 16));
  const image = Buffer.alloc((end as number) - (start as number));
  const fd = openSync('/proc/self/mem', 'r');
  try {
    readSync(fd, image, 0, image.length, start as number);
  } finally {
    closeSync(fd);
  }
  return image;
}

/** A small deterministic generator (xorshift32), so a failure can be replayed. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('vdso-sym', () => {
  it("finds the vDSO's clock functions where the dynamic loader does", () => {
    for (const name of ['__vdso_clock_gettime', 'clock_gettime', '__vdso_gettimeofday']) {
      const r = lookup(name);
      expect(r.status, r.out).toBe(0);
      const [ours, loader] = r.out.split(' ');
      expect(ours).toMatch(/^0x[0-9a-f]+$/);
      expect(ours).toBe(loader);
    }
    expect(lookup('__vdso_nothing')).toEqual({ status: 1, out: 'vDSO: no symbol __vdso_nothing' });
  });

  it('reads a copy of the image alike, and refuses what is not an x86_64 ELF64 image', () => {
    const image = ownVdso();
    const good = lookup('__vdso_clock_gettime', scratch.file('vdso.so', image));
    expect(good.status).toBe(0);
    expect(Number(good.out)).toBeGreaterThan(0);
    expect(Number(good.out)).toBeLessThan(image.length);
    const other = Buffer.from(image);
    other.writeUInt16LE(183, 18); // e_machine: aarch64
    expect(lookup('__vdso_clock_gettime', scratch.file('arm.so', other))).toEqual({
      status: 1,
      out: 'vDSO: not a little-endian x86_64 ELF64 image',
    });
  });

  it('a truncated or damaged image gives an answer inside it or a message, never a crash', () => {
    const image = ownVdso();
    const path = scratch.file('damaged.so', image);
    const check = (bytes: Buffer) => {
      scratch.file('damaged.so', bytes);
      const r = lookup('__vdso_clock_gettime', path);
      expect([0, 1]).toContain(r.status);
      if (r.status === 0) expect(Number(r.out)).toBeLessThan(bytes.length);
      else expect(r.out).toMatch(/^(vDSO: |no vDSO)/);
      return r.status;
    };
    // Every 16-byte cut through the headers and tables the lookup reads.
    let refused = 0;
    for (let n = 0; n < Math.min(image.length, 0x800); n += 16)
      if (check(image.subarray(0, n)) === 1) refused++;
    expect(refused).toBeGreaterThan(0);
    // Random bytes at random places in the first 2 KiB: headers, dynamic section, symbols.
    const next = xorshift(0x5eed);
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(image);
      for (let k = 0; k < 4; k++) bytes[next() % Math.min(bytes.length, 0x800)] = next() & 0xff;
      check(bytes);
    }
  });
});
