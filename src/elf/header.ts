// header.ts: the ELF header and program header checks of docs/elf-validation.md §1.
import { NablaError } from '../errors.js';
import { hex } from '../hex.js';
import { escapeText } from '../text-escape.js';
import { SPT_GUEST_MIN_BASE } from './abi.js';
import type { ElfFile } from './file.js';

export const PT_LOAD = 1;
export const PT_NOTE = 4;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const ET_EXEC = 2;
const EM_X86_64 = 62;
/**
 * Row 12: at most 64 KiB of program headers, the bound Linux's own ELF loader puts on a table
 * (fs/binfmt_elf.c); real Solo5 images have about nine. It keeps every accepted file loadable:
 * each loaded segment costs the tender at most two mappings (vm.max_map_count is 65530).
 */
const MAX_PHNUM = Math.floor(65536 / PHDR_SIZE);

export interface ProgramHeader {
  index: number;
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export interface ElfHeader {
  entry: bigint;
  phdrs: ProgramHeader[];
}

/** Raised for every check of §1–2; prints as `F: invalid executable: <detail>`. */
export function invalidExecutable(file: ElfFile, detail: string): NablaError {
  return new NablaError(`${escapeText(file.path)}: invalid executable: ${detail}`, {
    code: 'ELF_INVALID',
  });
}

/** Reads and checks the ELF header (checks 1–13) and returns the program headers. */
export function readElfHeader(file: ElfFile): ElfHeader {
  if (file.size < BigInt(EHDR_SIZE)) {
    throw invalidExecutable(file, `file too small for an ELF header (${file.size} bytes)`);
  }
  const h = file.read(0n, EHDR_SIZE);
  if (h[0] !== 0x7f || h[1] !== 0x45 || h[2] !== 0x4c || h[3] !== 0x46) {
    throw invalidExecutable(file, 'bad ELF magic');
  }
  const checks: Array<[boolean, string]> = [
    [h[4] !== 2, `not a 64-bit ELF file (EI_CLASS ${h[4]})`],
    [h[5] !== 1, `not a little-endian ELF file (EI_DATA ${h[5]})`],
    [h[6] !== 1, `unsupported ELF version (EI_VERSION ${h[6]})`],
    [
      h.readUInt16LE(16) !== ET_EXEC,
      `not a static executable (e_type ${h.readUInt16LE(16)}, expected ET_EXEC 2)`,
    ],
    [
      h.readUInt16LE(18) !== EM_X86_64,
      `not an x86_64 executable (e_machine ${h.readUInt16LE(18)}, expected 62)`,
    ],
    [h.readUInt32LE(20) !== 1, `unsupported ELF version (e_version ${h.readUInt32LE(20)})`],
    [
      h.readUInt16LE(52) !== EHDR_SIZE,
      `bad ELF header size (e_ehsize ${h.readUInt16LE(52)}, expected 64)`,
    ],
    [
      h.readUInt16LE(54) !== PHDR_SIZE,
      `bad program header size (e_phentsize ${h.readUInt16LE(54)}, expected 56)`,
    ],
    [h.readUInt16LE(56) === 0, 'no program headers'],
    [
      h.readUInt16LE(56) > MAX_PHNUM,
      `too many program headers (e_phnum ${h.readUInt16LE(56)}, at most ${MAX_PHNUM})`,
    ],
  ];
  for (const [failed, detail] of checks) {
    if (failed) throw invalidExecutable(file, detail);
  }
  const phoff = h.readBigUInt64LE(32);
  const phnum = h.readUInt16LE(56);
  const tableSize = BigInt(PHDR_SIZE * phnum);
  if (!file.contains(phoff, tableSize)) {
    throw invalidExecutable(
      file,
      `program headers lie outside the file (e_phoff ${hex(phoff)}, e_phnum ${phnum}, file size ${hex(file.size)})`,
    );
  }
  const table = file.read(phoff, Number(tableSize));
  const phdrs: ProgramHeader[] = [];
  for (let index = 0; index < phnum; index++) {
    const at = index * PHDR_SIZE;
    phdrs.push({
      index,
      type: table.readUInt32LE(at),
      flags: table.readUInt32LE(at + 4),
      offset: table.readBigUInt64LE(at + 8),
      vaddr: table.readBigUInt64LE(at + 16),
      filesz: table.readBigUInt64LE(at + 32),
      memsz: table.readBigUInt64LE(at + 40),
      align: table.readBigUInt64LE(at + 48),
    });
  }
  return { entry: h.readBigUInt64LE(24), phdrs };
}

/** Check 14: the entry point must lie in [0x100000, mem_size). */
export function checkEntry(file: ElfFile, header: ElfHeader, memSize: bigint): void {
  if (header.entry < SPT_GUEST_MIN_BASE || header.entry >= memSize) {
    throw invalidExecutable(
      file,
      `e_entry does not fall within the memory allocation range (e_entry ${hex(header.entry)}, range 0x100000-${hex(memSize)})`,
    );
  }
}
