// notes.test.ts: assembles the generated Solo5 notes and checks their bytes against docs/abi.md §2-3.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestSource } from '../../src/toolchain/manifest.js';
import { generateNotesAssembly } from '../../src/toolchain/notes.js';

const run = promisify(execFile);

/** The ABI's numbers, written out here independently of the code under test. */
const NT_ABI1 = 0x31494241;
const NT_MFT1 = 0x3154464d;
const SHT_NOTE = 7;
const SHF_ALLOC = 2;
const ENTRY_SIZE = 104;

interface Section {
  name: string;
  type: number;
  flags: bigint;
  align: bigint;
  data: Buffer;
}

/** A minimal ELF64 little-endian section reader, enough for a relocatable object. */
function readSections(elf: Buffer): Map<string, Section> {
  expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  expect(elf[4]).toBe(2); // ELFCLASS64
  expect(elf[5]).toBe(1); // little endian
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      nameOff: elf.readUInt32LE(at),
      type: elf.readUInt32LE(at + 4),
      flags: elf.readBigUInt64LE(at + 8),
      offset: Number(elf.readBigUInt64LE(at + 0x18)),
      size: Number(elf.readBigUInt64LE(at + 0x20)),
      align: elf.readBigUInt64LE(at + 0x30),
    };
  };
  const strtab = header(shstrndx);
  const sections = new Map<string, Section>();
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const start = strtab.offset + h.nameOff;
    const name = elf.toString('latin1', start, elf.indexOf(0, start));
    sections.set(name, {
      name,
      type: h.type,
      flags: h.flags,
      align: h.align,
      data: elf.subarray(h.offset, h.offset + h.size),
    });
  }
  return sections;
}

const manifest: ManifestSource = {
  type: 'solo5.manifest',
  version: 1,
  devices: [
    { name: 'storage', type: 'BLOCK_BASIC' },
    { name: 'service0', type: 'NET_BASIC' },
    { name: 'x'.repeat(67), type: 'BLOCK_BASIC' },
  ],
};

let dir: string;
let sections: Map<string, Section>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nabla-notes-'));
  await writeFile(join(dir, 'notes.S'), generateNotesAssembly(manifest));
  await run('gcc', ['-c', join(dir, 'notes.S'), '-o', join(dir, 'notes.o')]);
  sections = readSections(await readFile(join(dir, 'notes.o')));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function section(name: string): Section {
  const s = sections.get(name);
  if (s === undefined) throw new Error(`no section ${name}`);
  return s;
}

function expectNoteHeader(note: Buffer, descsz: number, type: number): void {
  expect(note.readUInt32LE(0)).toBe(6); // n_namesz: "Solo5" + NUL
  expect(note.readUInt32LE(4)).toBe(descsz);
  expect(note.readUInt32LE(8)).toBe(type);
  expect(note.subarray(12, 20)).toEqual(Buffer.from('Solo5\0\0\0', 'latin1'));
}

describe('generated Solo5 notes', () => {
  it('puts the ABI1 note in an allocated SHT_NOTE section, spt target, version 2', () => {
    const s = section('.note.solo5.abi');
    expect(s.type).toBe(SHT_NOTE);
    expect(s.flags & BigInt(SHF_ALLOC)).toBe(BigInt(SHF_ALLOC));
    expect(s.align >= 4n).toBe(true);
    expect(s.data.length).toBe(36);
    expectNoteHeader(s.data, 16, NT_ABI1);
    expect(s.data.readUInt32LE(20)).toBe(2); // abi_target: spt
    expect(s.data.readUInt32LE(24)).toBe(2); // abi_version
    expect(s.data.readUInt32LE(28)).toBe(0);
    expect(s.data.readUInt32LE(32)).toBe(0);
  });

  it('lays out the MFT1 note with the manifest at note offset 24', () => {
    const s = section('.note.solo5.manifest');
    expect(s.type).toBe(SHT_NOTE);
    expect(s.flags & BigInt(SHF_ALLOC)).toBe(BigInt(SHF_ALLOC));
    expect(s.align >= 4n).toBe(true);
    const entries = manifest.devices.length + 1;
    const descsz = 4 + 8 + ENTRY_SIZE * entries;
    expectNoteHeader(s.data, descsz, NT_MFT1);
    // The descriptor (padding included) is exactly what follows the 20-byte header.
    expect(s.data.length).toBe(20 + descsz);
    expect(s.data.readUInt32LE(20)).toBe(0); // padding
    expect(s.data.readUInt32LE(24)).toBe(1); // mft.version
    expect(s.data.readUInt32LE(28)).toBe(entries);
    expect(descsz - 4).toBe(8 + ENTRY_SIZE * entries);
  });

  it('starts with the reserved entry and then the devices, all unattached', () => {
    const data = section('.note.solo5.manifest').data;
    const entry = (i: number) => data.subarray(32 + i * ENTRY_SIZE, 32 + (i + 1) * ENTRY_SIZE);

    const first = entry(0);
    expect(first.subarray(0, 68).every((b) => b === 0)).toBe(true);
    expect(first.readUInt32LE(68)).toBe(1 << 30); // RESERVED_FIRST

    const expected: Array<[string, number]> = [
      ['storage', 1],
      ['service0', 2],
      ['x'.repeat(67), 1],
    ];
    expected.forEach(([name, type], index) => {
      const e = entry(index + 1);
      const nameField = e.subarray(0, 68);
      expect(nameField.toString('latin1', 0, name.length)).toBe(name);
      expect(nameField.subarray(name.length).every((b) => b === 0)).toBe(true);
      expect(nameField[67]).toBe(0);
      expect(e.readUInt32LE(68)).toBe(type);
      expect(e.subarray(72, 88).every((b) => b === 0)).toBe(true); // device union
      expect(e.readBigUInt64LE(88)).toBe(0n); // hostfd
      expect(e[96]).toBe(0); // attached
      expect(e.subarray(97, 104).every((b) => b === 0)).toBe(true);
    });
  });

  it('generates a lone reserved entry for a manifest without devices', async () => {
    const text = generateNotesAssembly({ type: 'solo5.manifest', version: 1, devices: [] });
    await writeFile(join(dir, 'empty.S'), text);
    await run('gcc', ['-c', join(dir, 'empty.S'), '-o', join(dir, 'empty.o')]);
    const data = readSections(await readFile(join(dir, 'empty.o'))).get(
      '.note.solo5.manifest',
    )?.data;
    expect(data?.length).toBe(20 + 4 + 8 + ENTRY_SIZE);
    expect(data?.readUInt32LE(4)).toBe(116);
    expect(data?.readUInt32LE(28)).toBe(1);
  });

  it('refuses device names that could break out of the assembler string', () => {
    expect(() =>
      generateNotesAssembly({
        type: 'solo5.manifest',
        version: 1,
        devices: [{ name: 'a"\n.byte 1', type: 'BLOCK_BASIC' }],
      }),
    ).toThrow(/invalid device/);
  });
});
