// describe.ts: reads what a Solo5 unikernel declares (ABI note, manifest, segments) for `nabla inspect`.
import { closeSync } from 'node:fs';
import { bytesToText } from '../bytes.js';
import { hex } from '../hex.js';
import { SPT_ABI_TARGET, SPT_ABI_VERSION } from './abi.js';
import { ElfFile } from './file.js';
import { PF_R, PF_W, PF_X, readElfHeader } from './header.js';
import { type DeclaredDevice, decodeManifest } from './manifest.js';
import { invalidManifest, noAbiNote, readAbiNote, readManifestNote } from './notes.js';
import { openUnikernel } from './unikernel.js';

/** Solo5's tender targets by ABI1 abi_target value. */
const TARGETS: Record<number, string> = {
  1: 'hvt',
  2: 'spt',
  3: 'virtio',
  4: 'muen',
  5: 'genode',
  6: 'xen',
};
const SEGMENT_TYPES: Record<number, string> = {
  1: 'LOAD',
  2: 'DYNAMIC',
  3: 'INTERP',
  4: 'NOTE',
  7: 'TLS',
};

export interface UnikernelDescription {
  file: string;
  /** File size in bytes. */
  size: number;
  /** Entry point, hexadecimal. */
  entry: string;
  abi: { target: number; targetName: string; version: number };
  /** True when nabla-run (and solo5-spt) can run it: target spt, ABI version 2. */
  runnable: boolean;
  segments: Array<{
    index: number;
    type: string;
    vaddr: string;
    filesz: string;
    memsz: string;
    flags: string;
  }>;
  manifest: { version: number; entries: number; devices: DeclaredDevice[] };
}

const flags = (f: number) =>
  `${f & PF_R ? 'r' : '-'}${f & PF_W ? 'w' : '-'}${f & PF_X ? 'x' : '-'}`;

/**
 * Describes any Solo5 ELF (any target); malformed files throw NablaError with the runner's message.
 * `kernel` is the path's bytes; `file` in the result is its text (bytes.ts).
 */
export function describeUnikernel(kernel: Buffer): UnikernelDescription {
  const path = bytesToText(kernel);
  const fd = openUnikernel(kernel);
  try {
    const file = new ElfFile(fd, path);
    const header = readElfHeader(file);
    const abi = readAbiNote(file, header);
    if (!abi) throw noAbiNote(path);
    const manifest = decodeManifest(readManifestNote(file, header));
    if (!manifest) throw invalidManifest(path);
    return {
      file: path,
      size: Number(file.size),
      entry: hex(header.entry),
      abi: { ...abi, targetName: TARGETS[abi.target] ?? 'unknown' },
      runnable: abi.target === SPT_ABI_TARGET && abi.version === SPT_ABI_VERSION,
      segments: header.phdrs.map((ph) => ({
        index: ph.index,
        type: SEGMENT_TYPES[ph.type] ?? hex(BigInt(ph.type)),
        vaddr: hex(ph.vaddr),
        filesz: hex(ph.filesz),
        memsz: hex(ph.memsz),
        flags: flags(ph.flags),
      })),
      manifest: { version: 1, entries: manifest.entries, devices: manifest.devices },
    };
  } finally {
    closeSync(fd);
  }
}
