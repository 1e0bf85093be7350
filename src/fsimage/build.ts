// build.ts: `buildFsImage` — a directory tree into a ustar archive padded to whole sectors, a block device image for SDK guests (docs/fs-image.md).
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  realpath,
  rename,
  rm,
  stat,
  truncate,
} from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack } from 'tar-stream';
import { type BytesInput, inputBytes } from '../bytes.js';
import { checkBlockSize, DEFAULT_BLOCK_SIZE } from '../devices/block.js';
import { NablaError } from '../errors.js';
import { systemErrorText } from '../os-errors.js';
import { escapeText } from '../text-escape.js';
import { collectEntries, type ImageEntry } from './entries.js';

export interface FsImageOptions {
  /** The directory whose contents become the image (not the directory itself). */
  dir: BytesInput;
  /** The image file to write; replaced whole (written beside it, then renamed). */
  output: BytesInput;
  /** The block size of the device the image will back: a power of two, 512 (default) to 32768. */
  sectorSize?: number | undefined;
}

export interface FsImageSummary {
  files: number;
  directories: number;
  /** Bytes of file data. */
  dataBytes: number;
  /** The image's size: the archive, padded with zeros to a whole number of sectors. */
  imageBytes: number;
}

const inputError = (message: string) => new NablaError(message, { code: 'FS_INPUT' });

/** The directory part of a path given as bytes (`.` for a bare name), as dirname(1) says. */
function parentOf(path: Buffer): Buffer {
  let end = path.length;
  while (end > 1 && path[end - 1] === 0x2f) end--;
  const slash = path.lastIndexOf(0x2f, end - 1);
  if (slash < 0) return Buffer.from('.');
  return slash === 0 ? Buffer.from('/') : path.subarray(0, slash);
}

/** The owner every entry carries, so an image does not depend on who built it. */
const OWNER = { uid: 0, gid: 0, uname: 'root', gname: 'root' } as const;
/** Bytes read from a file at a time. */
const CHUNK = 1 << 20;

async function checkDir(dir: Buffer): Promise<void> {
  const stats = await stat(dir).catch((error: unknown) => {
    throw inputError(`${escapeText(dir)}: ${systemErrorText(error)}`);
  });
  if (!stats.isDirectory()) throw inputError(`${escapeText(dir)}: Not a directory`);
}

/**
 * The output must be a file outside DIR: a directory cannot be replaced by a file, and an
 * image inside DIR would be packed into the next build of it.
 */
async function checkOutput(dir: Buffer, output: Buffer): Promise<void> {
  const stats = await stat(output).catch(() => undefined);
  if (stats?.isDirectory())
    throw inputError(`${escapeText(output)}: Is a directory; the image must be a file`);
  const root = await realpath(dir, { encoding: 'buffer' });
  const parent = await realpath(parentOf(output), { encoding: 'buffer' }).catch(() => undefined);
  if (parent === undefined) return; // created below, so not inside DIR (which exists)
  // latin1 maps each byte to one character, so the comparison is of the bytes.
  const inside = relative(root.toString('latin1'), parent.toString('latin1'));
  if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..'))
    throw inputError(
      `${escapeText(output)}: is inside ${escapeText(dir)}; write the image elsewhere`,
    );
}

/** An entry's body, as tar-stream takes it (a streamx Writable). */
type Sink = ReturnType<ReturnType<typeof tarPack>['entry']>;

/** Waits for `sink` to take `chunk`, so a large file never sits whole in memory. */
async function write(sink: Sink, chunk: Buffer): Promise<void> {
  if (!sink.write(chunk)) await once(sink, 'drain');
}

/** Streams one file into its entry; a file that changes size meanwhile fails the build. */
async function addFile(sink: Sink, entry: ImageEntry): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(entry.path, 'r');
  } catch (error) {
    throw new NablaError(`${escapeText(entry.path)}: ${systemErrorText(error)}`, {
      code: 'FS_ENTRY',
    });
  }
  try {
    let left = entry.size;
    while (left > 0) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, entry.size - left);
      if (bytesRead === 0) break;
      await write(sink, buffer.subarray(0, bytesRead));
      left -= bytesRead;
    }
    if (left !== 0 || (await handle.stat()).size !== entry.size)
      throw new NablaError(`${escapeText(entry.path)}: changed size while it was read`, {
        code: 'FS_ENTRY',
      });
  } finally {
    await handle.close();
  }
}

/** Writes the entries as a ustar archive to `file`. */
async function writeArchive(entries: ImageEntry[], file: Buffer): Promise<void> {
  const tar = tarPack();
  const out = createWriteStream(file, { flags: 'wx', mode: 0o644 });
  const written = pipeline(tar, out);
  // A failed write ends the pipeline early: say so, rather than wait on a sink that never drains.
  let failed: unknown;
  written.catch((error: unknown) => {
    failed = error;
  });
  try {
    for (const entry of entries) {
      const header = {
        ...OWNER,
        name: entry.name,
        type: entry.type,
        size: entry.size,
        mode: entry.mode,
        mtime: new Date(entry.mtime * 1000),
      };
      const done = new Promise<void>((resolveEntry, reject) => {
        const sink = tar.entry(header, (error) => (error ? reject(error) : resolveEntry()));
        if (entry.type === 'file') addFile(sink, entry).then(() => sink.end(null), reject); // null: no last chunk
      });
      await done;
      if (failed !== undefined) throw failed;
    }
    tar.finalize();
    await written;
  } catch (error) {
    tar.destroy();
    throw error;
  }
}

/**
 * Builds a file-system image from `dir` (docs/fs-image.md): every regular file and directory
 * under it, sorted by name, as ustar entries with fixed owner and normalized modes, then zeros
 * up to a whole number of sectors. Refuses, naming the path, anything else the tree holds.
 */
export async function buildFsImage(options: FsImageOptions): Promise<FsImageSummary> {
  const dir = inputBytes(options.dir);
  const output = inputBytes(options.output);
  const sectorSize = checkBlockSize(options.sectorSize ?? DEFAULT_BLOCK_SIZE);
  await checkDir(dir);
  await checkOutput(dir, output);
  const entries = await collectEntries(dir);

  await mkdir(parentOf(output), { recursive: true }).catch((error: unknown) => {
    throw inputError(`${escapeText(output)}: ${systemErrorText(error)}`);
  });
  const temp = Buffer.concat([output, Buffer.from(`.tmp-${process.pid}`)]);
  try {
    await writeArchive(entries, temp).catch((error: unknown) => {
      if (error instanceof NablaError) throw error;
      throw inputError(`${escapeText(output)}: ${systemErrorText(error)}`);
    });
    const archive = (await stat(temp)).size;
    const imageBytes = Math.ceil(archive / sectorSize) * sectorSize;
    // Zeros past the end-of-archive blocks: tar readers stop at the first two.
    await truncate(temp, imageBytes);
    await rename(temp, output);
    return {
      files: entries.filter((e) => e.type === 'file').length,
      directories: entries.filter((e) => e.type === 'directory').length,
      dataBytes: entries.reduce((sum, e) => sum + e.size, 0),
      imageBytes,
    };
  } finally {
    await rm(temp, { force: true });
  }
}
