// manifest.ts: decodes and validates the binary MFT1 manifest (docs/abi.md §3.1) into the device list.
import {
  type DeviceType,
  deviceTypeName,
  MFT_ENTRY,
  MFT_ENTRY_SIZE,
  MFT_HEADER_SIZE,
  MFT_MAX_ENTRIES,
  MFT_NAME_SIZE,
  MFT_RESERVED_FIRST,
  MFT_VERSION,
} from './abi.js';

export interface DeclaredDevice {
  /** Index in the manifest: the guest's solo5_handle_t. */
  index: number;
  name: string;
  type: DeviceType;
}

export interface Manifest {
  /** Entries including the reserved entry 0. */
  entries: number;
  devices: DeclaredDevice[];
  /** The bytes as found in the note (the tender copies its own). */
  raw: Buffer;
}

/** Decodes a manifest; returns undefined when any rule of §3 is broken. */
export function decodeManifest(raw: Buffer): Manifest | undefined {
  if (raw.length < MFT_HEADER_SIZE) return undefined;
  const version = raw.readUInt32LE(0);
  const entries = raw.readUInt32LE(4);
  if (version !== MFT_VERSION || entries < 1 || entries > MFT_MAX_ENTRIES) return undefined;
  if (raw.length !== MFT_HEADER_SIZE + MFT_ENTRY_SIZE * entries) return undefined;

  const devices: DeclaredDevice[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < entries; index++) {
    const at = MFT_HEADER_SIZE + index * MFT_ENTRY_SIZE;
    const nameField = raw.subarray(at, at + MFT_NAME_SIZE);
    if (nameField[MFT_NAME_SIZE - 1] !== 0 || raw[at + MFT_ENTRY.attached] !== 0) return undefined;
    const name = nameField.subarray(0, nameField.indexOf(0)).toString('latin1');
    const type = raw.readUInt32LE(at + MFT_ENTRY.type);
    if (index === 0) {
      if (type !== MFT_RESERVED_FIRST || name !== '') return undefined;
      continue;
    }
    const typeName = deviceTypeName(type);
    if (!typeName || name === '' || seen.has(name)) return undefined;
    seen.add(name);
    devices.push({ index, name, type: typeName });
  }
  return { entries, devices, raw };
}
