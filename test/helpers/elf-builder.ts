// elf-builder.ts: builds small spt ELF files byte by byte, valid or broken on purpose, for tests.

export interface SegmentSpec {
  type?: number; // default PT_LOAD (1)
  flags?: number; // default R+X (5)
  vaddr?: bigint;
  data?: Buffer; // file bytes (p_filesz = data.length unless filesz given)
  offset?: bigint; // default: where the builder puts data
  filesz?: bigint;
  memsz?: bigint;
  align?: bigint;
}

export interface ManifestDevice {
  name: string;
  type: number; // 1 block, 2 net
  attached?: number;
}

export interface ElfSpec {
  entry?: bigint;
  segments?: SegmentSpec[];
  /** ABI1 note: null leaves it out. */
  abi?: { target: number; version: number; descsz?: number } | null;
  /** MFT1 note body (the manifest) or null to leave it out. */
  manifest?: Buffer | null;
  /** Byte patches applied to the finished ELF header/file: [offset, bytes]. */
  patch?: Array<[number, Buffer]>;
  /** Overrides of header fields after building. */
  header?: Partial<{
    phoff: bigint;
    phnum: number;
    phentsize: number;
    ehsize: number;
    type: number;
    machine: number;
  }>;
}

/** exit_group(7): mov edi,7; mov eax,231; syscall */
export const EXIT7_CODE = Buffer.from([0xbf, 7, 0, 0, 0, 0xb8, 0xe7, 0, 0, 0, 0x0f, 0x05]);

export function manifestBytes(devices: ManifestDevice[], entriesOverride?: number): Buffer {
  const entries = devices.length + 1;
  const buf = Buffer.alloc(8 + 104 * entries);
  buf.writeUInt32LE(1, 0);
  buf.writeUInt32LE(entriesOverride ?? entries, 4);
  buf.writeUInt32LE(1 << 30, 8 + 68);
  devices.forEach((d, i) => {
    const at = 8 + 104 * (i + 1);
    buf.write(d.name, at, 'latin1');
    buf.writeUInt32LE(d.type, at + 68);
    buf[at + 96] = d.attached ?? 0;
  });
  return buf;
}

function note(type: number, desc: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32LE(6, 0);
  head.writeUInt32LE(desc.length, 4);
  head.writeUInt32LE(type, 8);
  head.write('Solo5\0', 12, 'latin1');
  const padded = Buffer.alloc((desc.length + 3) & ~3);
  desc.copy(padded);
  return Buffer.concat([head, padded]);
}

export function abiNote(target: number, version: number, descsz = 16): Buffer {
  const desc = Buffer.alloc(descsz);
  if (descsz >= 8) {
    desc.writeUInt32LE(target, 0);
    desc.writeUInt32LE(version, 4);
  }
  return note(0x31494241, desc);
}

export function manifestNote(manifest: Buffer): Buffer {
  return note(0x3154464d, Buffer.concat([Buffer.alloc(4), manifest]));
}

export function buildElf(spec: ElfSpec = {}): Buffer {
  const segments: SegmentSpec[] = spec.segments ?? [
    { vaddr: 0x100000n, data: EXIT7_CODE, flags: 5, align: 0x1000n },
  ];
  const all: SegmentSpec[] = [...segments];
  const abi = spec.abi === undefined ? { target: 2, version: 2 } : spec.abi;
  if (abi)
    all.push({ type: 4, flags: 4, data: abiNote(abi.target, abi.version, abi.descsz), align: 4n });
  const manifest = spec.manifest === undefined ? manifestBytes([]) : spec.manifest;
  if (manifest) all.push({ type: 4, flags: 4, data: manifestNote(manifest), align: 8n });

  const phoff = 64;
  let cursor = phoff + 56 * all.length;
  cursor = (cursor + 15) & ~15;
  const blobs: Array<[number, Buffer]> = [];
  const phdrs = Buffer.alloc(56 * all.length);
  all.forEach((s, i) => {
    const data = s.data ?? Buffer.alloc(0);
    const offset = s.offset ?? BigInt(cursor);
    if (s.offset === undefined) {
      blobs.push([cursor, data]);
      cursor = (cursor + data.length + 15) & ~15;
    }
    const filesz = s.filesz ?? BigInt(data.length);
    const at = i * 56;
    phdrs.writeUInt32LE(s.type ?? 1, at);
    phdrs.writeUInt32LE(s.flags ?? 5, at + 4);
    phdrs.writeBigUInt64LE(offset, at + 8);
    phdrs.writeBigUInt64LE(s.vaddr ?? 0n, at + 16);
    phdrs.writeBigUInt64LE(s.vaddr ?? 0n, at + 24);
    phdrs.writeBigUInt64LE(filesz, at + 32);
    phdrs.writeBigUInt64LE(s.memsz ?? filesz, at + 40);
    phdrs.writeBigUInt64LE(s.align ?? 0x1000n, at + 48);
  });

  const file = Buffer.alloc(cursor);
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  file.writeUInt16LE(spec.header?.type ?? 2, 16);
  file.writeUInt16LE(spec.header?.machine ?? 62, 18);
  file.writeUInt32LE(1, 20);
  file.writeBigUInt64LE(spec.entry ?? 0x100000n, 24);
  file.writeBigUInt64LE(spec.header?.phoff ?? BigInt(phoff), 32);
  file.writeUInt16LE(spec.header?.ehsize ?? 64, 52);
  file.writeUInt16LE(spec.header?.phentsize ?? 56, 54);
  file.writeUInt16LE(spec.header?.phnum ?? all.length, 56);
  phdrs.copy(file, phoff);
  for (const [at, data] of blobs) data.copy(file, at);
  for (const [at, bytes] of spec.patch ?? []) bytes.copy(file, at);
  return file;
}
