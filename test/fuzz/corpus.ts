// corpus.ts: the committed fuzz seeds (tenders/fuzz/corpus/), made from the test builders so they never drift.
import { join } from 'node:path';
import { MALFORMED } from '../elf/malformed-cases.js';
import {
  buildElf,
  EXIT7_CODE,
  type ManifestDevice,
  manifestBytes,
} from '../helpers/elf-builder.js';
import { ROOT } from '../helpers/paths.js';

export const CORPUS_DIR = join(ROOT, 'tenders/fuzz/corpus');
/** The harnesses of tenders/fuzz, and those whose seeds are committed. */
export const HARNESSES = ['elf', 'plan', 'mft'] as const;
export const COMMITTED = ['elf', 'mft'] as const;
export type Harness = (typeof HARNESSES)[number];
export type CommittedHarness = (typeof COMMITTED)[number];

/** One seed file: its name in tenders/fuzz/corpus/<harness>/ and its bytes. */
export type Seed = [name: string, bytes: Buffer];

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/^(\d+)/, (n) => n.padStart(2, '0'))
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const devices = (n: number, type = 1): ManifestDevice[] =>
  Array.from({ length: n }, (_, i) => ({ name: `dev${i}`, type }));

/** A non-Solo5 note (owner "GNU", type 3, 8 bytes), as a build id would be. */
const gnuNote = Buffer.concat([
  Buffer.from([4, 0, 0, 0, 8, 0, 0, 0, 3, 0, 0, 0]),
  Buffer.from('GNU\0', 'latin1'),
  Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]),
]);

/** Valid files of several shapes, then one file per check of docs/elf-validation.md. */
function elfSeeds(): Seed[] {
  const twoNets = manifestBytes([
    { name: 'storage', type: 1 },
    { name: 'service', type: 2 },
  ]);
  const valid: Seed[] = [
    ['valid-minimal', buildElf()],
    ['valid-block-and-net', buildElf({ manifest: twoNets })],
    ['valid-63-devices', buildElf({ manifest: manifestBytes(devices(63)) })],
    [
      'valid-text-data-bss',
      buildElf({
        segments: [
          { vaddr: 0x100000n, data: EXIT7_CODE, flags: 5, align: 0x1000n },
          { vaddr: 0x101000n, data: Buffer.alloc(64, 0xaa), memsz: 0x3000n, flags: 6 },
          { vaddr: 0x104000n, data: Buffer.alloc(16, 1), flags: 4, align: 8n },
        ],
      }),
    ],
    [
      'valid-foreign-note-first',
      buildElf({
        segments: [
          { vaddr: 0x100000n, data: EXIT7_CODE, flags: 5, align: 0x1000n },
          // A GNU note before the Solo5 ones: the walk must skip it.
          { type: 4, flags: 4, data: gnuNote, align: 4n },
        ],
      }),
    ],
  ];
  return [...valid, ...MALFORMED.map(([name, bytes]): Seed => [`check-${slug(name)}`, bytes])];
}

/** The manifest inside a built file: the MFT1 note's descriptor after its 4 bytes of padding. */
export function manifestOf(elf: Buffer): Buffer | undefined {
  for (let at = 0; at + 24 <= elf.length; at += 4) {
    if (
      elf.readUInt32LE(at) === 6 &&
      elf.readUInt32LE(at + 8) === 0x3154464d &&
      elf.toString('latin1', at + 12, at + 18) === 'Solo5\0'
    ) {
      const descsz = elf.readUInt32LE(at + 4);
      return elf.subarray(at + 24, at + 20 + Math.max(descsz, 4));
    }
  }
  return undefined;
}

function mftSeeds(): Seed[] {
  const valid: Seed[] = [
    ['valid-empty', manifestBytes([])],
    ['valid-block', manifestBytes([{ name: 'storage', type: 1 }])],
    [
      'valid-block-and-net',
      manifestBytes([
        { name: 'storage', type: 1 },
        { name: 'service', type: 2 },
      ]),
    ],
    ['valid-63-devices', manifestBytes(devices(63, 2))],
    ['valid-67-char-name', manifestBytes([{ name: 'n'.repeat(67), type: 1 }])],
  ];
  const broken = MALFORMED.filter(([name]) => name.startsWith('31 ')).flatMap(
    ([name, bytes]): Seed[] => {
      const manifest = manifestOf(bytes);
      return manifest ? [[`check-${slug(name)}`, Buffer.from(manifest)]] : [];
    },
  );
  return [...valid, ...broken];
}

/**
 * Every committed seed, in a fixed order. Plans are not among them: plan-seeds.ts makes them
 * at test time from the orchestrator's own prepare(), so they follow the plan format as it changes.
 */
export function corpusSeeds(): Record<CommittedHarness, Seed[]> {
  return { elf: elfSeeds(), mft: mftSeeds() };
}
