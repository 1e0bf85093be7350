// manifest.ts: reads and validates a unikernel's manifest.json source (the devices it declares).
import { readFile } from 'node:fs/promises';

export type ManifestDeviceType = 'BLOCK_BASIC' | 'NET_BASIC';

export interface ManifestDevice {
  name: string;
  type: ManifestDeviceType;
}

/** The source form used by upstream's `solo5-elftool gen-manifest`. */
export interface ManifestSource {
  type: 'solo5.manifest';
  version: 1;
  devices: ManifestDevice[];
}

/** 64 manifest entries at most, and entry 0 is reserved, so 63 devices. */
export const MAX_DEVICES = 63;
/** A name fills a 68-byte field with its NUL; upstream allows only these characters. */
export const DEVICE_NAME_PATTERN = /^[A-Za-z0-9]{1,67}$/;
const DEVICE_TYPES: readonly ManifestDeviceType[] = ['BLOCK_BASIC', 'NET_BASIC'];

/** A manifest source that breaks a rule; the message names the file and the JSON path. */
export class ManifestError extends Error {
  readonly file: string;
  /** JSON path of the offending value, e.g. `devices[0].name`; empty for the whole document. */
  readonly path: string;

  constructor(file: string, path: string, detail: string) {
    super(path === '' ? `${file}: ${detail}` : `${file}: ${path}: ${detail}`);
    this.name = 'ManifestError';
    this.file = file;
    this.path = path;
  }
}

/** How a received value is shown in messages: JSON, shortened, or "nothing" when absent. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unknown keys are refused so that a misspelt key cannot be silently ignored. */
function checkKeys(
  file: string,
  path: string,
  value: Record<string, unknown>,
  allowed: string[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const where = path === '' ? key : `${path}.${key}`;
      throw new ManifestError(
        file,
        where,
        `unexpected key (expected one of ${allowed.join(', ')})`,
      );
    }
  }
}

function checkDevice(file: string, path: string, value: unknown): ManifestDevice {
  if (!isObject(value)) {
    throw new ManifestError(file, path, `expected an object but received ${show(value)}`);
  }
  checkKeys(file, path, value, ['name', 'type']);
  const { name, type } = value;
  if (typeof name !== 'string' || !DEVICE_NAME_PATTERN.test(name)) {
    throw new ManifestError(
      file,
      `${path}.name`,
      `expected 1-67 characters [A-Za-z0-9] but received ${show(name)}`,
    );
  }
  if (typeof type !== 'string' || !(DEVICE_TYPES as readonly string[]).includes(type)) {
    throw new ManifestError(
      file,
      `${path}.type`,
      `expected "BLOCK_BASIC" or "NET_BASIC" but received ${show(type)}`,
    );
  }
  return { name, type: type as ManifestDeviceType };
}

/** Validates a parsed manifest source; `file` only names it in errors. */
export function validateManifest(value: unknown, file: string): ManifestSource {
  if (!isObject(value)) {
    throw new ManifestError(file, '', `expected a JSON object but received ${show(value)}`);
  }
  checkKeys(file, '', value, ['type', 'version', 'devices']);
  if (value.type !== 'solo5.manifest') {
    throw new ManifestError(
      file,
      'type',
      `expected "solo5.manifest" but received ${show(value.type)}`,
    );
  }
  if (value.version !== 1) {
    throw new ManifestError(file, 'version', `expected 1 but received ${show(value.version)}`);
  }
  const devices = value.devices;
  if (!Array.isArray(devices)) {
    throw new ManifestError(file, 'devices', `expected an array but received ${show(devices)}`);
  }
  if (devices.length > MAX_DEVICES) {
    throw new ManifestError(
      file,
      'devices',
      `too many entries, maximum ${MAX_DEVICES} (received ${devices.length})`,
    );
  }
  const seen = new Map<string, number>();
  const checked = devices.map((device: unknown, index) => {
    const path = `devices[${index}]`;
    const result = checkDevice(file, path, device);
    const first = seen.get(result.name);
    if (first !== undefined) {
      throw new ManifestError(
        file,
        `${path}.name`,
        `duplicate name ${show(result.name)} (already declared by devices[${first}])`,
      );
    }
    seen.set(result.name, index);
    return result;
  });
  return { type: 'solo5.manifest', version: 1, devices: checked };
}

/**
 * Re-checks what generated code relies on (device count, names safe inside string literals,
 * known types) for a manifest that may not have come through validateManifest().
 */
export function assertCodegenSafe(manifest: ManifestSource): void {
  if (manifest.devices.length > MAX_DEVICES) {
    throw new Error(`manifest has ${manifest.devices.length} devices, maximum ${MAX_DEVICES}`);
  }
  for (const device of manifest.devices) {
    if (!DEVICE_NAME_PATTERN.test(device.name) || !DEVICE_TYPES.includes(device.type)) {
      throw new Error(`invalid device ${JSON.stringify(device)}`);
    }
  }
}

/** Parses and validates manifest JSON text. */
export function parseManifest(text: string, file: string): ManifestSource {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManifestError(file, '', `invalid JSON: ${reason}`);
  }
  return validateManifest(value, file);
}

/** Reads, parses and validates a manifest.json file. */
export async function readManifest(file: string): Promise<ManifestSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManifestError(file, '', `cannot read the manifest: ${reason}`);
  }
  return parseManifest(text, file);
}
