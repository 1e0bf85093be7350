// manifest.ts: reads and validates a unikernel's manifest.json source (the devices it declares).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEVICE_TYPE_NAMES, type DeviceType } from '../elf/abi.js';
import { NablaError } from '../errors.js';
import { systemErrorText } from '../os-errors.js';

export type ManifestDeviceType = DeviceType;

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
const DEVICE_NAME_PATTERN = /^[A-Za-z0-9]{1,67}$/;
/** The manifest's types (src/elf/abi.ts), as zod's enum takes them: at least one. */
const DEVICE_TYPES = DEVICE_TYPE_NAMES as readonly [DeviceType, ...DeviceType[]];
/** `"BLOCK_BASIC" or "NET_BASIC"`: the types as the message lists them. */
const TYPES_TEXT = DEVICE_TYPES.map((t) => `"${t}"`)
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1');

/** A manifest source that breaks a rule; the message names the file and the JSON path. */
export class ManifestError extends NablaError {
  readonly file: string;
  /** JSON path of the offending value, e.g. `devices[0].name`; empty for the whole document. */
  readonly path: string;

  constructor(file: string, path: string, detail: string) {
    super(path === '' ? `${file}: ${detail}` : `${file}: ${path}: ${detail}`, {
      code: 'BUILD_MANIFEST',
    });
    this.name = 'ManifestError';
    this.file = file;
    this.path = path;
  }

  protected override details(): Record<string, unknown> {
    return { file: this.file, path: this.path };
  }
}

/** How a received value is shown in messages: JSON, shortened, or "nothing" when absent. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const received = (issue: { input?: unknown }) => `but received ${show(issue.input)}`;
const NAME_RULE = 'expected 1-67 characters [A-Za-z0-9]';

/** One device: a name the manifest field can hold and upstream accepts, and a known type. */
const DeviceSchema = z.strictObject(
  {
    name: z
      .string({ error: (i) => `${NAME_RULE} ${received(i)}` })
      .regex(DEVICE_NAME_PATTERN, { error: (i) => `${NAME_RULE} ${received(i)}` }),
    type: z.enum(DEVICE_TYPES, {
      error: (i) => `expected ${TYPES_TEXT} ${received(i)}`,
    }),
  },
  {
    error: (i) =>
      i.code === 'unrecognized_keys' ? undefined : `expected an object ${received(i)}`,
  },
);

/** The manifest.json source form; published as sdk/manifest.schema.json (scripts/write-manifest-schema.mjs). */
const ManifestSchema = z.strictObject(
  {
    type: z.literal('solo5.manifest', { error: (i) => `expected "solo5.manifest" ${received(i)}` }),
    version: z.literal(1, { error: (i) => `expected 1 ${received(i)}` }),
    devices: z
      .array(DeviceSchema, { error: (i) => `expected an array ${received(i)}` })
      .max(MAX_DEVICES, {
        error: (i) =>
          `too many entries, maximum ${MAX_DEVICES} (received ${(i.input as unknown[]).length})`,
      }),
  },
  {
    error: (i) =>
      i.code === 'unrecognized_keys' ? undefined : `expected a JSON object ${received(i)}`,
  },
);

/** `devices[0].name` from zod's ['devices', 0, 'name']. */
function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

/** Validates a parsed manifest source; `file` only names it in errors (the first problem found). */
function validateManifest(value: unknown, file: string): ManifestSource {
  const result = ManifestSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    if (issue.code === 'unrecognized_keys') {
      const allowed = Object.keys(
        issue.path.length === 0 ? ManifestSchema.shape : DeviceSchema.shape,
      );
      const where = jsonPath([...issue.path, issue.keys[0] ?? '']);
      throw new ManifestError(
        file,
        where,
        `unexpected key (expected one of ${allowed.join(', ')})`,
      );
    }
    throw new ManifestError(file, jsonPath(issue.path), issue.message);
  }
  // Uniqueness spans entries, which a per-item schema cannot see.
  const seen = new Map<string, number>();
  result.data.devices.forEach((device, index) => {
    const first = seen.get(device.name);
    if (first !== undefined) {
      throw new ManifestError(
        file,
        `devices[${index}].name`,
        `duplicate name ${show(device.name)} (already declared by devices[${first}])`,
      );
    }
    seen.set(device.name, index);
  });
  return result.data;
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
    throw new ManifestError(file, '', `cannot read the manifest: ${systemErrorText(error)}`);
  }
  return parseManifest(text, file);
}

/** The JSON Schema of manifest.json (committed as sdk/manifest.schema.json for editors and CI). */
export function manifestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ManifestSchema),
    $id: 'https://nabla.invalid/schemas/manifest-1.json',
    title: 'Solo5 unikernel manifest (source form, version 1)',
    description:
      'Devices a unikernel declares; names must also be unique (checked by nabla build).',
  };
}
