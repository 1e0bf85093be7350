// manifest.test.ts: upstream's mft_maxdevices and too-many-entries outcomes: 63 devices work, 64 are refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildUnikernel } from '../../src/toolchain/build.js';
import { ManifestError } from '../../src/toolchain/manifest.js';
import { conformanceGuest, expectSuccess, sptRun } from '../helpers/conformance.js';
import { buildElf, manifestBytes } from '../helpers/elf-builder.js';
import { NABLA } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
/** A manifest holds 64 entries; entry 0 is reserved, which leaves 63 devices. */
const MAX_DEVICES = 63;

const blockDevices = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `storage${i}`, type: 'BLOCK_BASIC' }));

/** A guest directory with `devices` block devices, made here so scripts/build-guests.mjs never sees it. */
function guestSource(name: string, devices: number): { dir: string; manifest: string } {
  const dir = join(scratch.dir, name);
  const manifest = join(dir, 'manifest.json');
  mkdirSync(dir);
  writeFileSync(
    manifest,
    JSON.stringify({ type: 'solo5.manifest', version: 1, devices: blockDevices(devices) }),
  );
  writeFileSync(
    join(dir, 'main.c'),
    '#include "solo5.h"\nint solo5_app_main(const struct solo5_start_info *si)\n{\n    (void)si;\n    return 0;\n}\n',
  );
  return { dir, manifest };
}

describe('manifest conformance', () => {
  it('mft_maxdevices spt', () => {
    // Upstream's files: `dd if=/dev/zero of=storageN.img bs=4k count=1` for N in 0..62.
    const paths = blockDevices(MAX_DEVICES).map((d) => scratch.disk(`${d.name}.img`, 4096));
    const r = sptRun([
      ...paths.map((p, i) => `--block:storage${i}=${p}`),
      '--',
      conformanceGuest('mft_maxdevices'),
    ]);
    expectSuccess(r);
    expect(r.stdout).toContain('mft_maxdevices: 63 devices acquired and written');
    // Each file got its own device's block, at that device's offset.
    paths.forEach((path, i) => {
      const disk = readFileSync(path);
      const at = (i % 8) * 512;
      const text = `device ${i} of 63\n`;
      expect(disk.length).toBe(4096);
      expect(disk.subarray(at, at + text.length).toString('latin1')).toBe(text);
    });
  });

  it('too_many_entries spt: a 64-device manifest is refused by the build', async () => {
    // Upstream's solo5-elftool: "too many entries, maximum 63" (Solo5 #604/#609).
    const { dir, manifest } = guestSource('toomany', MAX_DEVICES + 1);
    const build = buildUnikernel({
      sources: [join(dir, 'main.c')],
      manifest,
      output: join(dir, 'toomany.nabla'),
    });
    await expect(build).rejects.toBeInstanceOf(ManifestError);
    await expect(build).rejects.toThrow(
      `${manifest}: devices: too many entries, maximum 63 (received 64)`,
    );
    expect(existsSync(join(dir, 'toomany.nabla'))).toBe(false);

    // The same through the CLI: status 1, one message naming the manifest file.
    const r = spawnSync(process.execPath, [NABLA, 'build', dir, '-o', join(dir, 'cli.nabla')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${manifest}: devices: too many entries, maximum 63`);
    expect(existsSync(join(dir, 'cli.nabla'))).toBe(false);
  });

  it('too_many_entries spt: 63 devices are accepted by the same build', async () => {
    const { dir, manifest } = guestSource('justenough', MAX_DEVICES);
    await expect(
      buildUnikernel({ sources: [join(dir, 'main.c')], manifest, output: join(dir, 'ok.nabla') }),
    ).resolves.toBeUndefined();
  });

  it('too_many_entries spt: an ELF whose MFT1 note claims 65 entries is refused by the tender', () => {
    // The note is sized for 64 entries but its header says 65: upstream's mft_validate refuses it.
    const path = scratch.file(
      'claims65.nabla',
      buildElf({ manifest: manifestBytes(blockDevices(MAX_DEVICES).map(asElfDevice), 65) }),
    );
    const r = nablaRun([path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`nabla-run: ${path}: Solo5 manifest is invalid\n`);
  });

  it('too_many_entries spt: an ELF carrying a whole 65-entry manifest is refused by the tender', () => {
    // 65 real entries make the note larger than any valid one (6668 bytes). Upstream fails it
    // while reading notes ("invalid executable: ... note does not fall within valid size");
    // we say the manifest is invalid. Either way: status 1, one line naming the file, no boot.
    const path = scratch.file(
      'whole65.nabla',
      buildElf({ manifest: manifestBytes(blockDevices(MAX_DEVICES + 1).map(asElfDevice)) }),
    );
    const r = nablaRun([path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
      `nabla-run: ${path}: Solo5 manifest is invalid`,
    ]);
  });
});

function asElfDevice(d: { name: string }): { name: string; type: number } {
  return { name: d.name, type: 1 }; // MFT_DEV_BLOCK_BASIC
}
