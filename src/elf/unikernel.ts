// unikernel.ts: opens a KERNEL operand and runs every check of docs/elf-validation.md, in order.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { NablaError } from '../errors.js';
import { decodeManifest, type Manifest } from '../manifest/manifest.js';
import { systemErrorText } from '../os-errors.js';
import { escapeText } from '../text-escape.js';
import { ElfFile } from './file.js';
import { checkEntry, readElfHeader } from './header.js';
import { checkAbiNote, invalidManifest, readManifestNote } from './notes.js';
import { checkSegments } from './segments.js';

export interface Unikernel {
  /** The KERNEL operand exactly as given (it prefixes every message). */
  path: string;
  /** Open read-only descriptor; the tender re-reads the ELF from it. */
  fd: number;
  entry: bigint;
  kernelEnd: bigint;
  manifest: Manifest;
}

/** Opens the unikernel once; every later read (ours and the tender's) uses this descriptor. */
export function openUnikernel(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new NablaError(`${escapeText(path)}: Could not open: ${systemErrorText(error)}`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new NablaError(`${escapeText(path)}: Could not open: not a regular file`);
  }
  return fd;
}

/** Validates an open unikernel for a guest of `memSize` bytes; throws NablaError with the exact line. */
export function inspectUnikernel(path: string, fd: number, memSize: bigint): Unikernel {
  const file = new ElfFile(fd, path);
  const header = readElfHeader(file);
  checkEntry(file, header, memSize);
  const kernelEnd = checkSegments(file, header, memSize);
  checkAbiNote(file, header);
  const manifest = decodeManifest(readManifestNote(file, header));
  if (!manifest) throw invalidManifest(path);
  return { path, fd, entry: header.entry, kernelEnd, manifest };
}
