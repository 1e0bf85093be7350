// notes.ts: finds the Solo5 ABI1 and MFT1 notes in PT_NOTE segments (docs/elf-validation.md §3), and nabla's EXT1.
import { NablaError } from '../errors.js';
import { hex } from '../hex.js';
import { escapeText } from '../text-escape.js';
import {
  ABI1_INFO_SIZE,
  MFT_HEADER_SIZE,
  MFT_NOTE_DESC_PAD,
  NABLA_NOTE_EXT,
  NABLA_NOTE_EXT_DESCSZ,
  NABLA_NOTE_NAME,
  SOLO5_NOTE_ABI,
  SOLO5_NOTE_MANIFEST,
  SOLO5_NOTE_MANIFEST_MAX_DESCSZ,
  SOLO5_NOTE_NAME,
  SPT_ABI_TARGET,
  SPT_ABI_VERSION,
} from './abi.js';
import type { ElfFile } from './file.js';
import { type ElfHeader, invalidExecutable, PT_NOTE } from './header.js';

const NOTE_HEADER_SIZE = 12n;
/**
 * Note headers one search reads at most, over all PT_NOTE segments, as the tender (elf_notes.c).
 * Real executables have a handful; without a bound, 65535 program headers naming the same
 * megabyte of 12-byte empty notes would block the event loop for hours.
 */
const NOTE_WALK_MAX = 256;
const align4 = (n: bigint) => (n + 3n) & ~3n;

/** The descriptor of the first note owned by "Solo5" with type `type`, or undefined. */
function findSolo5Note(
  file: ElfFile,
  header: ElfHeader,
  type: number,
): { descsz: number; at: bigint } | undefined {
  return findNote(file, header, `${SOLO5_NOTE_NAME}\0`, type);
}

/** The descriptor of the first note owned by `owner` (with its NUL) of type `type`, or undefined. */
function findNote(
  file: ElfFile,
  header: ElfHeader,
  owner: string,
  type: number,
): { descsz: number; at: bigint } | undefined {
  let walked = 0;
  for (const ph of header.phdrs) {
    if (ph.type !== PT_NOTE || !file.contains(ph.offset, ph.filesz)) continue;
    const end = ph.offset + ph.filesz;
    let pos = ph.offset;
    while (end - pos >= NOTE_HEADER_SIZE) {
      if (walked++ === NOTE_WALK_MAX) return undefined;
      const nh = file.read(pos, Number(NOTE_HEADER_SIZE));
      const namesz = BigInt(nh.readUInt32LE(0));
      const descsz = BigInt(nh.readUInt32LE(4));
      const nameAt = pos + NOTE_HEADER_SIZE;
      const descAt = nameAt + align4(namesz);
      // Like the tender: the note with both paddings must fit in the segment.
      if (descAt > end || align4(descsz) > end - descAt) break;
      if (nh.readUInt32LE(8) === type && namesz === BigInt(owner.length)) {
        const name = file.read(nameAt, owner.length);
        if (name.toString('latin1') === owner) return { descsz: Number(descsz), at: descAt };
      }
      pos = descAt + align4(descsz);
    }
  }
  return undefined;
}

/**
 * Check 26: a PT_NOTE segment too short for one note header is refused, as upstream refuses it,
 * wherever it sits in the table (upstream stops at its first match, so it may not look at all).
 */
function checkNoteSegments(file: ElfFile, header: ElfHeader): void {
  for (const ph of header.phdrs) {
    if (ph.type === PT_NOTE && ph.filesz < NOTE_HEADER_SIZE) {
      throw invalidExecutable(
        file,
        `segment ${ph.index}: PT_NOTE p_filesz ${hex(ph.filesz)} is smaller than a note header (0xc)`,
      );
    }
  }
}

/**
 * The ABI1 note's target and version, or undefined when there is none (check 27). Every path
 * reads this note first, so check 26 runs here.
 */
export function readAbiNote(
  file: ElfFile,
  header: ElfHeader,
): { target: number; version: number } | undefined {
  checkNoteSegments(file, header);
  const note = findSolo5Note(file, header, SOLO5_NOTE_ABI);
  if (!note || note.descsz !== ABI1_INFO_SIZE) return undefined;
  const abi = file.read(note.at, ABI1_INFO_SIZE);
  return { target: abi.readUInt32LE(0), version: abi.readUInt32LE(4) };
}

/** Checks 27–29: the ABI1 note says spt, ABI version 2. */
export function checkAbiNote(file: ElfFile, header: ElfHeader): void {
  const abi = readAbiNote(file, header);
  if (!abi) throw noAbiNote(file.path);
  if (abi.target !== SPT_ABI_TARGET) {
    throw new NablaError(`${escapeText(file.path)}: Executable is not for the solo5-spt target`, {
      code: 'ABI_MISMATCH',
    });
  }
  if (abi.version !== SPT_ABI_VERSION) {
    throw new NablaError(
      `${escapeText(file.path)}: Executable requests unsupported ABI version ${abi.version}`,
      { code: 'ABI_MISMATCH' },
    );
  }
}

/** Checks 30–31 (size part): returns the raw manifest bytes from the MFT1 note. */
export function readManifestNote(file: ElfFile, header: ElfHeader): Buffer {
  const note = findSolo5Note(file, header, SOLO5_NOTE_MANIFEST);
  if (!note)
    throw new NablaError(`${escapeText(file.path)}: No Solo5 manifest found in executable`, {
      code: 'MANIFEST_INVALID',
    });
  if (
    note.descsz < MFT_NOTE_DESC_PAD + MFT_HEADER_SIZE ||
    note.descsz > SOLO5_NOTE_MANIFEST_MAX_DESCSZ
  ) {
    throw invalidManifest(file.path);
  }
  return file.read(note.at + BigInt(MFT_NOTE_DESC_PAD), note.descsz - MFT_NOTE_DESC_PAD);
}

export function invalidManifest(path: string): NablaError {
  return new NablaError(`${escapeText(path)}: Solo5 manifest is invalid`, {
    code: 'MANIFEST_INVALID',
  });
}

/** No ABI1 note: not a Solo5 unikernel (nabla-run's check, and inspect's for any target). */
export function noAbiNote(path: string): NablaError {
  return new NablaError(`${escapeText(path)}: No Solo5 ABI information found in executable`, {
    code: 'ABI_MISMATCH',
  });
}

/**
 * The version of nabla's extension page (docs/abi.md §4.5) an image says it reads, from its
 * EXT1 note owned by "nabla" (the SDK's marker), or undefined when it has none or a descriptor
 * of another size. Nothing at run time depends on it: the audit reports it.
 */
export function readExtNote(file: ElfFile, header: ElfHeader): number | undefined {
  const note = findNote(file, header, `${NABLA_NOTE_NAME}\0`, NABLA_NOTE_EXT);
  if (!note || note.descsz !== NABLA_NOTE_EXT_DESCSZ) return undefined;
  return file.read(note.at, NABLA_NOTE_EXT_DESCSZ).readUInt32LE(0);
}
