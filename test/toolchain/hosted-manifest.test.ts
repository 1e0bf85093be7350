// hosted-manifest.test.ts: the C device table generated for hosted builds compiles and keeps spt's handles.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateHostedManifest } from '../../src/toolchain/hosted-manifest.js';
import type { ManifestSource } from '../../src/toolchain/manifest.js';
import { ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const run = promisify(execFile);
const scratch = useScratch();

const manifest: ManifestSource = {
  type: 'solo5.manifest',
  version: 1,
  devices: [
    { name: 'storage', type: 'BLOCK_BASIC' },
    { name: 'service0', type: 'NET_BASIC' },
  ],
};

/** Compiles (source) against the hosted runtime's headers, with a probe printing the table. */
async function tableOf(source: string): Promise<string> {
  const table = scratch.file('table.c', source);
  const probe = scratch.file(
    'probe.c',
    `#include "hosted.h"
#include <stdio.h>
int main(void) {
    for (unsigned i = 0; i < hosted_manifest_entries; i++)
        printf("%u %s %u\\n", i, hosted_manifest[i].name, hosted_manifest[i].type);
    return 0;
}
`,
  );
  const includes = ['sdk/include', 'tenders/include', 'sdk/common', 'sdk/hosted'].map(
    (d) => `-I${join(ROOT, d)}`,
  );
  const exe = join(scratch.dir, 'probe');
  await run('gcc', ['-std=gnu11', '-Wall', '-Werror', ...includes, table, probe, '-o', exe]);
  return (await run(exe, [])).stdout;
}

describe('generateHostedManifest', () => {
  it('lists the reserved entry, then each device at its spt handle with its type', async () => {
    expect(await tableOf(generateHostedManifest(manifest))).toBe(
      `0  ${1 << 30}\n1 storage 1\n2 service0 2\n`,
    );
  });

  it('compiles for a manifest without devices', async () => {
    const empty: ManifestSource = { type: 'solo5.manifest', version: 1, devices: [] };
    expect(await tableOf(generateHostedManifest(empty))).toBe(`0  ${1 << 30}\n`);
  });

  it('refuses names that could break out of the C string', () => {
    expect(() =>
      generateHostedManifest({
        type: 'solo5.manifest',
        version: 1,
        devices: [{ name: 'a", 0}};\nint x = {{"', type: 'BLOCK_BASIC' }],
      }),
    ).toThrow(/invalid device/);
  });
});
