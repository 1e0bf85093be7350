// manifest-schema.test.ts: the published JSON Schema is the one the validator uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema } from '../../src/toolchain/manifest.js';
import { ROOT } from '../helpers/paths.js';

describe('manifest JSON Schema', () => {
  it('sdk/manifest.schema.json is up to date (node scripts/write-manifest-schema.mjs)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'sdk/manifest.schema.json'), 'utf8'));
    expect(committed).toEqual(manifestJsonSchema());
  });

  it('states the rules: name pattern, two types, at most 63 devices, no other keys', () => {
    const schema = manifestJsonSchema() as {
      properties: {
        devices: {
          maxItems: number;
          items: { properties: Record<string, unknown>; additionalProperties: boolean };
        };
      };
      additionalProperties: boolean;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.devices.maxItems).toBe(63);
    expect(schema.properties.devices.items.additionalProperties).toBe(false);
    expect(schema.properties.devices.items.properties).toEqual({
      name: { type: 'string', pattern: '^[A-Za-z0-9]{1,67}$' },
      type: { type: 'string', enum: ['BLOCK_BASIC', 'NET_BASIC'] },
    });
  });
});
