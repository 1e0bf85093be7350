// oci-image.ts: `nabla image build`: a unikernel as an OCI image layout tar (what `ctr images import` takes), the unikernel its entrypoint.
import { createHash } from 'node:crypto';
import { closeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { textToBytes } from '../bytes.js';
import { inspectUnikernel, openUnikernel } from '../elf/unikernel.js';
import { NablaError } from '../errors.js';
import { DEFAULT_MEM_MIB, memSizeBytes } from '../launch/memory.js';
import { systemErrorText } from '../os-errors.js';
import { tarBuffer } from './tar.js';

export interface ImageBuildOptions {
  kernel: string;
  /** NAME[:TAG]; default: the kernel's name without .nabla/.spt, tag latest. */
  tag?: string | undefined;
  /** The tar to write; default NAME.tar in the current directory. */
  output?: string | undefined;
}

export interface ImageBuildResult {
  /** The full reference containerd imports it as (docker.io/library/hello:latest). */
  reference: string;
  output: string;
  /** The manifest's digest. */
  digest: string;
  bytes: number;
}

const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const inputError = (message: string) => new NablaError(message, { code: 'IMAGE_INPUT' });
const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A reference path component: lowercase letters, digits and separators (distribution's grammar). */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * NAME[:TAG] as containerd names it: docker.io/library/NAME for a bare name, docker.io/NAME
 * for a path without a registry, as given with one (a first part with a dot or a port).
 */
export function normalizeReference(text: string): { reference: string; tag: string } {
  const colon = text.lastIndexOf(':');
  const hasTag = colon > text.lastIndexOf('/');
  const name = hasTag ? text.slice(0, colon) : text;
  const tag = hasTag ? text.slice(colon + 1) : 'latest';
  const parts = name.split('/');
  const registry = parts.length > 1 && /[.:]|^localhost$/.test(parts[0] as string);
  const path = registry ? parts.slice(1) : parts;
  if (!TAG.test(tag) || path.length === 0 || !path.every((p) => COMPONENT.test(p)))
    throw inputError(
      `Invalid --tag ${JSON.stringify(text)}: expected NAME[:TAG], NAME lowercase letters, digits, '.', '_', '-' and '/'`,
    );
  const full = registry ? name : `docker.io/${path.length === 1 ? 'library/' : ''}${name}`;
  return { reference: `${full}:${tag}`, tag };
}

function readKernel(kernel: string): Buffer {
  const path = textToBytes(kernel);
  // The same checks as any KERNEL (ELF, ABI note, manifest), so a bad file is refused here.
  const fd = openUnikernel(path);
  try {
    inspectUnikernel(path, fd, memSizeBytes(DEFAULT_MEM_MIB));
  } finally {
    closeSync(fd);
  }
  return readFileSync(kernel);
}

export async function buildOciImage(options: ImageBuildOptions): Promise<ImageBuildResult> {
  const file = basename(options.kernel);
  if (!/\.(nabla|spt)$/.test(file))
    throw inputError(
      `${options.kernel}: a unikernel's name ends in .nabla or .spt (nabla-oci runs such a file)`,
    );
  const { reference, tag } = normalizeReference(
    options.tag ?? file.replace(/\.(nabla|spt)$/, '').toLowerCase(),
  );
  const kernel = readKernel(options.kernel);

  const layerTar = await tarBuffer([{ name: file, data: kernel, mode: 0o755 }]);
  const layer = gzipSync(layerTar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: [`/${file}`], Labels: { 'org.nabla.unikernel': `/${file}` } },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created_by: `nabla image build ${file}` }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: sha256(config), size: config.length },
      layers: [{ mediaType: MEDIA.layer, digest: sha256(layer), size: layer.length }],
    }),
  );
  const digest = sha256(manifest);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MEDIA.manifest,
          digest,
          size: manifest.length,
          annotations: {
            'io.containerd.image.name': reference,
            'org.opencontainers.image.ref.name': tag,
          },
        },
      ],
    }),
  );
  const blob = (data: Buffer) => ({ name: `blobs/sha256/${sha256(data).slice(7)}`, data });
  const image = await tarBuffer([
    { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', data: index },
    blob(manifest),
    blob(config),
    blob(layer),
  ]);
  const output = options.output ?? `${file.replace(/\.(nabla|spt)$/, '')}.tar`;
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}`);
  try {
    writeFileSync(tmp, image);
    renameSync(tmp, output);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw inputError(`${output}: cannot be written: ${systemErrorText(error)}`);
  }
  return { reference, output, digest, bytes: image.length };
}
