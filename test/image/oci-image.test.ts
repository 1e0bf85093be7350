// oci-image.test.ts: `nabla image build` writes a valid OCI image layout (digests, sizes, diff_ids, entrypoint), the same bytes each time, and refuses what is not a unikernel.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { buildOciImage, normalizeReference } from '../../src/image/oci-image.js';
import { example, NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Every file of a tar, by name, with its mode. */
async function untar(data: Buffer): Promise<Map<string, { data: Buffer; mode: number }>> {
  const files = new Map<string, { data: Buffer; mode: number }>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        files.set(header.name, { data: Buffer.concat(chunks), mode: header.mode ?? 0 });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(data);
  await done;
  return files;
}

const json = (b: Buffer | undefined) => JSON.parse((b as Buffer).toString('utf8'));

describe('nabla image build', () => {
  it('writes an OCI layout whose blobs match their digests, with the unikernel as the entrypoint', async () => {
    const output = join(scratch.dir, 'hello.tar');
    const r = spawnSync(
      process.execPath,
      [NABLA, 'image', 'build', example('hello'), '-o', output],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^built .*hello\.tar: docker\.io\/library\/hello:latest \(sha256:[0-9a-f]{64}\), \d+ bytes\n$/,
    );
    const files = await untar(readFileSync(output));
    expect(json(files.get('oci-layout')?.data)).toEqual({ imageLayoutVersion: '1.0.0' });
    for (const [name, file] of files)
      if (name.startsWith('blobs/sha256/')) expect(sha(file.data)).toBe(`sha256:${name.slice(13)}`);
    const index = json(files.get('index.json')?.data);
    const [entry] = index.manifests;
    expect(entry.annotations['io.containerd.image.name']).toBe('docker.io/library/hello:latest');
    const blob = (digest: string) => files.get(`blobs/sha256/${digest.slice(7)}`)?.data as Buffer;
    const manifest = json(blob(entry.digest));
    expect(blob(entry.digest).length).toBe(entry.size);
    const config = json(blob(manifest.config.digest));
    expect(config.config.Entrypoint).toEqual(['/hello.nabla']);
    expect(config.os).toBe('linux');
    const layer = blob(manifest.layers[0].digest);
    expect(manifest.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    const layerTar = gunzipSync(layer);
    expect(config.rootfs.diff_ids).toEqual([sha(layerTar)]);
    const inLayer = await untar(layerTar);
    expect([...inLayer.keys()]).toEqual(['hello.nabla']);
    expect(inLayer.get('hello.nabla')?.mode).toBe(0o755);
    expect(inLayer.get('hello.nabla')?.data.equals(readFileSync(example('hello')))).toBe(true);
  });

  it('gives the same bytes for the same unikernel and tag', async () => {
    const a = await buildOciImage({ kernel: example('hello'), output: join(scratch.dir, 'a.tar') });
    const b = await buildOciImage({ kernel: example('hello'), output: join(scratch.dir, 'b.tar') });
    expect(a.digest).toBe(b.digest);
    expect(readFileSync(a.output).equals(readFileSync(b.output))).toBe(true);
  });

  it('names images as containerd does, and refuses a malformed tag', () => {
    expect(normalizeReference('web:1.0').reference).toBe('docker.io/library/web:1.0');
    expect(normalizeReference('team/web').reference).toBe('docker.io/team/web:latest');
    expect(normalizeReference('registry.example:5000/team/web:v2').reference).toBe(
      'registry.example:5000/team/web:v2',
    );
    expect(() => normalizeReference('Web')).toThrow(/^Invalid --tag "Web"/);
    expect(() => normalizeReference('web:')).toThrow(/^Invalid --tag/);
  });

  it("refuses a file that is not a unikernel with the KERNEL checks' message", () => {
    const fake = scratch.file('fake.nabla', 'not an ELF file'.padEnd(128, '.'));
    const r = spawnSync(
      process.execPath,
      [NABLA, 'image', 'build', fake, '-o', join(scratch.dir, 'f.tar')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^nabla image build: .*fake\.nabla: .*ELF/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
