// elf-properties.test.ts: property tests (fast-check) of the TypeScript ELF, note and manifest checks, against the C ones.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspectUnikernel, type Unikernel } from '../../src/elf/unikernel.js';
import { NablaError } from '../../src/errors.js';
import {
  buildElf,
  EXIT7_CODE,
  type ManifestDevice,
  manifestBytes,
} from '../helpers/elf-builder.js';
import { example, guest, ROOT, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { corpusSeeds } from './corpus.js';

const MEM = 512n << 20n;
const U64 = (1n << 64n) - 1n;
/**
 * One fixed seed: a failure names its counterexample and replays the same way everywhere.
 * NABLA_FC_SEED and NABLA_FC_SCALE (a multiplier of the case counts) make longer, other runs.
 */
const SEED = Number(process.env.NABLA_FC_SEED ?? 0x6e61626c);
const SCALE = Number(process.env.NABLA_FC_SCALE ?? 1);
/** Cases per property; each stays within a few seconds. */
const RUNS = { bytes: 1000, structured: 1000, mutated: 1000, agreement: 250 };
for (const key of Object.keys(RUNS) as Array<keyof typeof RUNS>) RUNS[key] *= SCALE;
/** No single file may take longer than this to check (no hangs, however hostile the file). */
const SLOW_MS = 1000;

const scratch = useScratch();
const path = join(scratch.dir, 'case.nabla');

type Outcome = { ok: Unikernel } | { error: string };

/** Runs the TypeScript checks on `bytes`; anything thrown but a NablaError escapes and fails the property. */
function inspect(bytes: Uint8Array, memSize = MEM): Outcome {
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = { ok: inspectUnikernel(path, fd, memSize) };
  } catch (error) {
    if (!(error instanceof NablaError)) throw error;
    outcome = { error: error.message };
  } finally {
    closeSync(fd);
  }
  const ms = performance.now() - started;
  if (ms > SLOW_MS) throw new Error(`checking ${bytes.length} bytes took ${ms.toFixed(0)} ms`);
  return outcome;
}

/** The tender's checks on the same file (elf-check is built from tenders/common). */
function tender(bytes: Uint8Array): string {
  writeFileSync(path, bytes);
  const r = spawnSync(tool('elf-check'), [path], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : r.stderr.trim().replace(/^elf-check: /, '');
}

/** What elf-check prints for a file the TypeScript side accepted, or the TypeScript message. */
function asTender(outcome: Outcome): string {
  if ('error' in outcome) return outcome.error;
  const u = outcome.ok;
  return `ok entry=0x${u.entry.toString(16)} kernel_end=0x${u.kernelEnd.toString(16)} devices=${u.manifest.devices.length}`;
}

/** An independent reading of the program headers, to check accepted files against. */
function loadedSegments(file: Buffer) {
  const phoff = Number(file.readBigUInt64LE(32));
  const segments = [];
  for (let i = 0; i < file.readUInt16LE(56); i++) {
    const at = phoff + 56 * i;
    const s = {
      type: file.readUInt32LE(at),
      flags: file.readUInt32LE(at + 4),
      offset: file.readBigUInt64LE(at + 8),
      vaddr: file.readBigUInt64LE(at + 16),
      filesz: file.readBigUInt64LE(at + 32),
      memsz: file.readBigUInt64LE(at + 40),
    };
    if (s.type === 1 && s.filesz > 0n) segments.push(s);
  }
  return segments;
}

/** What docs/elf-validation.md promises about every file it accepts. */
function checkInvariants(file: Buffer, u: Unikernel, memSize = MEM): void {
  expect(u.entry >= 0x100000n && u.entry < memSize).toBe(true);
  expect(file.readUInt16LE(56) <= 1170 && u.kernelEnd <= memSize).toBe(true);
  let previousEnd = 0n;
  for (const s of loadedSegments(file)) {
    expect(s.vaddr >= 0x100000n && s.vaddr >= previousEnd).toBe(true); // sorted, disjoint
    expect(s.vaddr & ~0xfffn).toBeGreaterThanOrEqual((previousEnd + 0xfffn) & ~0xfffn); // own pages
    expect(s.memsz >= s.filesz && s.vaddr + s.memsz <= memSize).toBe(true);
    expect(s.offset + s.filesz <= BigInt(file.length)).toBe(true);
    expect((s.flags & 2) !== 0 && (s.flags & 1) !== 0).toBe(false); // never W+X
    expect(u.kernelEnd >= s.vaddr + s.memsz).toBe(true);
    previousEnd = s.vaddr + s.memsz;
  }
  const m = u.manifest;
  expect(m.entries >= 1 && m.entries <= 64).toBe(true);
  expect(m.raw.length).toBe(8 + 104 * m.entries);
  expect(m.devices.map((d) => d.index)).toEqual(
    Array.from({ length: m.entries - 1 }, (_, i) => i + 1),
  );
  for (const d of m.devices) {
    expect(d.name.length >= 1 && d.name.length <= 67 && !d.name.includes('\0')).toBe(true);
    expect(['BLOCK_BASIC', 'NET_BASIC']).toContain(d.type);
  }
  expect(new Set(m.devices.map((d) => d.name)).size).toBe(m.devices.length);
}

// --- generators -------------------------------------------------------------------------

const u64Edge = fc.constantFrom(
  0n,
  1n,
  3n,
  8n,
  0xfffn,
  0x1000n,
  0xfffffn,
  0x100000n,
  0x101000n,
  MEM - 0x1000n,
  MEM,
  MEM + 1n,
  1n << 63n,
  U64 - 0xfffn,
  U64,
);
const u64 = fc.oneof(
  u64Edge,
  fc.bigInt({ min: 0n, max: 0x200000n }),
  fc.bigInt({ min: 0n, max: U64 }),
);

/** Note-segment bodies: Solo5 notes with arbitrary sizes and types, foreign notes, raw bytes. */
const noteBody = fc.oneof(
  fc
    .record({
      namesz: fc.constantFrom(0, 4, 6, 7, 0xffffffff),
      descsz: fc.oneof(fc.constantFrom(0, 8, 16, 20, 6668, 6669, 0xfffffffc), fc.nat(200)),
      type: fc.constantFrom(0x31494241, 0x3154464d, 1, 3),
      body: fc.uint8Array({ maxLength: 256 }),
    })
    .map(({ namesz, descsz, type, body }) => {
      const head = Buffer.alloc(20);
      head.writeUInt32LE(namesz, 0);
      head.writeUInt32LE(descsz, 4);
      head.writeUInt32LE(type, 8);
      head.write('Solo5\0', 12, 'latin1');
      return Buffer.concat([head, body]);
    }),
  fc.uint8Array({ maxLength: 128 }).map((b) => Buffer.from(b)),
);

/** A file shaped like an spt ELF: valid notes by default, arbitrary program headers around them. */
const structuredElf = fc
  .record({
    entry: fc.oneof(fc.constant(0x100000n), u64),
    segments: fc.array(
      fc.record({
        type: fc.constantFrom(1, 1, 4, 7, 0),
        flags: fc.nat(7),
        vaddr: u64,
        data: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        offset: fc.option(u64, { nil: undefined }),
        filesz: fc.option(u64, { nil: undefined }),
        memsz: fc.option(u64, { nil: undefined }),
        align: fc.oneof(fc.constantFrom(0n, 1n, 8n, 0x1000n, 3n), u64),
      }),
      { maxLength: 5 },
    ),
    notes: fc.array(noteBody, { maxLength: 3 }),
    // Mostly valid notes, so that files get past them to the segment checks and back.
    abi: fc.oneof(
      { weight: 4, arbitrary: fc.constant({ target: 2, version: 2 }) },
      { weight: 1, arbitrary: fc.record({ target: fc.nat(3), version: fc.nat(3) }) },
    ),
    devices: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom<ManifestDevice[]>([], [{ name: 'storage', type: 1 }]),
      },
      {
        weight: 1,
        arbitrary: fc.array(
          fc.record({ name: fc.constantFrom('a', 'storage', ''), type: fc.nat(3) }),
          { maxLength: 3 },
        ),
      },
    ),
  })
  .map(({ entry, segments, notes, abi, devices }) =>
    buildElf({
      entry,
      segments: [
        { vaddr: 0x100000n, data: EXIT7_CODE, flags: 5 },
        ...segments,
        ...notes.map((data) => ({ type: 4, flags: 4, data, align: 4n })),
      ],
      abi,
      manifest: manifestBytes(devices),
    }),
  );

/** Bases to mutate: built guests and the valid seeds. */
const bases: Buffer[] = [
  readFileSync(example('hello')),
  readFileSync(example('blk')),
  readFileSync(guest('twin')),
  ...corpusSeeds()
    .elf.filter(([name]) => name.startsWith('valid-'))
    .map(([, bytes]) => bytes),
];

/** Where mutations matter: the ELF and program headers, and every PT_NOTE segment. */
function hotRanges(file: Buffer): Array<[number, number]> {
  const phoff = Number(file.readBigUInt64LE(32));
  const phnum = file.readUInt16LE(56);
  const ranges: Array<[number, number]> = [[0, phoff + 56 * phnum]];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + 56 * i;
    if (file.readUInt32LE(at) !== 4) continue;
    const offset = Number(file.readBigUInt64LE(at + 8));
    ranges.push([offset, offset + Number(file.readBigUInt64LE(at + 32))]);
  }
  return ranges;
}

const mutation = fc.record({
  hot: fc.nat(9), // 0-6 of 10: in a hot range, else anywhere
  at: fc.nat(),
  width: fc.constantFrom(1, 2, 4, 8),
  value: fc.oneof(u64Edge, fc.bigInt({ min: 0n, max: U64 })),
});

const mutatedElf = fc
  .record({
    base: fc.nat(bases.length - 1),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }),
    truncate: fc.option(fc.nat(), { freq: 10, nil: undefined }),
  })
  .map(({ base, mutations, truncate }) => {
    const file = Buffer.from(bases[base] as Buffer);
    const ranges = hotRanges(file);
    for (const m of mutations) {
      let at = m.at % file.length;
      if (m.hot < 7) {
        const [start, end] = ranges[m.at % ranges.length] as [number, number];
        at = start + (m.at % Math.max(1, end - start));
      }
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64LE(m.value & U64);
      bytes.copy(file, at, 0, Math.min(m.width, file.length - at));
    }
    return truncate === undefined ? file : file.subarray(0, truncate % (file.length + 1));
  });

// --- properties -------------------------------------------------------------------------

const options = (numRuns: number) => ({ seed: SEED, numRuns });

describe('ELF checks (src/elf): properties', () => {
  it(`arbitrary bytes: only NablaError, never a RangeError or a hang (${RUNS.bytes} cases)`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        inspect(bytes);
      }),
      options(RUNS.bytes),
    );
  });

  it(`structured ELFs: only NablaError; accepted ones keep every invariant (${RUNS.structured} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(structuredElf, (file) => {
        const outcome = inspect(file);
        if ('ok' in outcome) {
          accepted++;
          checkInvariants(file, outcome.ok);
        }
      }),
      options(RUNS.structured),
    );
    console.log(`structured ELFs: ${accepted} of ${RUNS.structured} accepted`);
    expect(accepted).toBeGreaterThan(0);
  });

  it(`mutated guests: only NablaError; accepted ones keep every invariant (${RUNS.mutated} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutatedElf, (file) => {
        const outcome = inspect(file);
        if ('ok' in outcome) {
          accepted++;
          checkInvariants(file, outcome.ok);
        }
      }),
      options(RUNS.mutated),
    );
    console.log(`mutated guests: ${accepted} of ${RUNS.mutated} accepted`);
    expect(accepted).toBeGreaterThan(0);
  });

  it(`TypeScript and the tender agree on verdict and exact message (${RUNS.agreement} mutated and structured files)`, () => {
    const verdicts = new Map<string, number>();
    fc.assert(
      fc.property(fc.oneof(mutatedElf, structuredElf), (file) => {
        const ts = asTender(inspect(file));
        expect(ts).toBe(tender(file));
        // The message with its numbers taken out: which check decided.
        const kind = ts.replace(`${path}: `, '').replace(/0x[0-9a-f]+|\b\d+\b/g, 'N');
        verdicts.set(kind, (verdicts.get(kind) ?? 0) + 1);
      }),
      options(RUNS.agreement),
    );
    console.log(`agreement: ${verdicts.size} distinct verdicts`, Object.fromEntries(verdicts));
    expect(verdicts.size).toBeGreaterThan(10);
  });

  it('regression fixtures (tenders/fuzz/regressions/elf): fast, and the same line in both', () => {
    const dir = join(ROOT, 'tenders/fuzz/regressions/elf');
    for (const name of readdirSync(dir)) {
      const file = readFileSync(join(dir, name));
      expect(asTender(inspect(file))).toBe(tender(file));
    }
  });
});
