// manifest.test.ts: validation of manifest.json sources (src/toolchain/manifest.ts) and its messages.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest, readManifest } from '../../src/toolchain/manifest.js';

const FILE = 'examples/blk/manifest.json';

function source(devices: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'solo5.manifest', version: 1, devices, ...extra });
}

function errorOf(text: string): ManifestError {
  try {
    parseManifest(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifest', () => {
  it('accepts the upstream source form', () => {
    const m = parseManifest(source([{ name: 'storage', type: 'BLOCK_BASIC' }]), FILE);
    expect(m).toEqual({
      type: 'solo5.manifest',
      version: 1,
      devices: [{ name: 'storage', type: 'BLOCK_BASIC' }],
    });
  });

  it('accepts no devices, 67-character names and 63 devices', () => {
    expect(parseManifest(source([]), FILE).devices).toEqual([]);
    const long = 'a'.repeat(67);
    expect(parseManifest(source([{ name: long, type: 'NET_BASIC' }]), FILE).devices[0]?.name).toBe(
      long,
    );
    const many = Array.from({ length: 63 }, (_, i) => ({ name: `d${i}`, type: 'BLOCK_BASIC' }));
    expect(parseManifest(source(many), FILE).devices).toHaveLength(63);
  });

  it('names the file and the JSON path of a bad name', () => {
    const e = errorOf(source([{ name: 'a-b', type: 'BLOCK_BASIC' }]));
    expect(e.message).toBe(
      'examples/blk/manifest.json: devices[0].name: expected 1-67 characters [A-Za-z0-9] but received "a-b"',
    );
    expect(e.file).toBe(FILE);
    expect(e.path).toBe('devices[0].name');
  });

  it('refuses empty, too long and missing names', () => {
    expect(errorOf(source([{ name: '', type: 'BLOCK_BASIC' }])).message).toContain(
      'devices[0].name: expected 1-67 characters [A-Za-z0-9] but received ""',
    );
    const long = 'a'.repeat(68);
    expect(errorOf(source([{ name: long, type: 'BLOCK_BASIC' }])).path).toBe('devices[0].name');
    expect(errorOf(source([{ type: 'BLOCK_BASIC' }])).message).toBe(
      `${FILE}: devices[0].name: expected 1-67 characters [A-Za-z0-9] but received nothing`,
    );
  });

  it('refuses duplicate names', () => {
    const e = errorOf(
      source([
        { name: 'disk', type: 'BLOCK_BASIC' },
        { name: 'net', type: 'NET_BASIC' },
        { name: 'disk', type: 'NET_BASIC' },
      ]),
    );
    expect(e.message).toBe(
      `${FILE}: devices[2].name: duplicate name "disk" (already declared by devices[0])`,
    );
  });

  it('refuses unknown device types', () => {
    expect(errorOf(source([{ name: 'x', type: 'BLOCK' }])).message).toBe(
      `${FILE}: devices[0].type: expected "BLOCK_BASIC" or "NET_BASIC" but received "BLOCK"`,
    );
    expect(errorOf(source([{ name: 'x', type: 1 }])).path).toBe('devices[0].type');
  });

  it('refuses more than 63 devices', () => {
    const many = Array.from({ length: 64 }, (_, i) => ({ name: `d${i}`, type: 'BLOCK_BASIC' }));
    expect(errorOf(source(many)).message).toBe(
      `${FILE}: devices: too many entries, maximum 63 (received 64)`,
    );
  });

  it('refuses a wrong document type, version or devices', () => {
    expect(errorOf(JSON.stringify({ type: 'x', version: 1, devices: [] })).message).toBe(
      `${FILE}: type: expected "solo5.manifest" but received "x"`,
    );
    expect(
      errorOf(JSON.stringify({ type: 'solo5.manifest', version: 2, devices: [] })).message,
    ).toBe(`${FILE}: version: expected 1 but received 2`);
    expect(errorOf(JSON.stringify({ type: 'solo5.manifest', version: 1 })).message).toBe(
      `${FILE}: devices: expected an array but received nothing`,
    );
    expect(errorOf(source(['storage'])).message).toBe(
      `${FILE}: devices[0]: expected an object but received "storage"`,
    );
    expect(errorOf('[]').message).toBe(`${FILE}: expected a JSON object but received []`);
  });

  it('refuses unknown keys', () => {
    expect(errorOf(source([], { device: [] })).path).toBe('device');
    expect(errorOf(source([{ name: 'a', type: 'NET_BASIC', mac: 'x' }])).path).toBe(
      'devices[0].mac',
    );
  });

  it('reports invalid JSON with the file name', () => {
    const e = errorOf('{"type": ');
    expect(e.message).toMatch(/^examples\/blk\/manifest\.json: invalid JSON: /);
  });
});

describe('readManifest', () => {
  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nabla-manifest-'));
    try {
      const file = join(dir, 'manifest.json');
      await writeFile(file, source([{ name: 'storage', type: 'BLOCK_BASIC' }]));
      expect((await readManifest(file)).devices).toHaveLength(1);
      await expect(readManifest(join(dir, 'missing.json'))).rejects.toThrow(
        `${join(dir, 'missing.json')}: cannot read the manifest`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
