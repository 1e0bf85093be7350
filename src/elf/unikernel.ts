// unikernel.ts: opens a KERNEL operand and runs every check of docs/elf-validation.md, in order.
import { bytesToText } from '../bytes.js';
import { NablaError } from '../errors.js';
import { OpenFailure, openRegularFile } from '../regular-file.js';
import { escapeText } from '../text-escape.js';
import { ElfFile } from './file.js';
import { checkEntry, readElfHeader } from './header.js';
import { decodeManifest, type Manifest } from './manifest.js';
import { checkAbiNote, invalidManifest, readManifestNote } from './notes.js';
import { checkSegments } from './segments.js';

export interface Unikernel {
  /** The KERNEL operand as given, as text (bytes.ts: bytes that are not UTF-8 escaped); it prefixes every message. */
  path: string;
  /** Open read-only descriptor; the tender re-reads the ELF from it. */
  fd: number;
  entry: bigint;
  kernelEnd: bigint;
  manifest: Manifest;
}

/**
 * Opens the unikernel once; every later read (ours and the tender's) uses this descriptor.
 * Anything but a regular file is refused before it is opened (a FIFO would wait forever).
 */
export function openUnikernel(path: Buffer): number {
  try {
    return openRegularFile(path, 'r');
  } catch (error) {
    if (!(error instanceof OpenFailure)) throw error;
    throw new NablaError(`${escapeText(path)}: Could not open: ${error.message}`, {
      code: 'KERNEL_OPEN',
    });
  }
}

/**
 * Validates an open unikernel for a guest of `memSize` bytes; throws NablaError with the exact
 * line. `kernel` names it in messages: the path's bytes, or already its text.
 */
export function inspectUnikernel(kernel: Buffer | string, fd: number, memSize: bigint): Unikernel {
  const path = typeof kernel === 'string' ? kernel : bytesToText(kernel);
  const file = new ElfFile(fd, path);
  const header = readElfHeader(file);
  checkEntry(file, header, memSize);
  const kernelEnd = checkSegments(file, header, memSize);
  checkAbiNote(file, header);
  const manifest = decodeManifest(readManifestNote(file, header));
  if (!manifest) throw invalidManifest(path);
  return { path, fd, entry: header.entry, kernelEnd, manifest };
}
