// entries.ts: walks a directory tree into the sorted list of ustar entries a file-system image holds, refusing what the format leaves out.
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { NablaError } from '../errors.js';
import { systemErrorText } from '../os-errors.js';
import { escapeText } from '../text-escape.js';

/** The largest file an image holds: the most a 12-byte ustar size field's 11 octal digits say. */
export const MAX_FILE_SIZE = 0o77777777777; // 8 GiB - 1
/** ustar's name field; a longer name is split at a slash into prefix (155) and name (100). */
export const NAME_FIELD = 100;
export const PREFIX_FIELD = 155;

export interface ImageEntry {
  /** The entry's name in the archive: relative, `/`-separated, a directory's ending in `/`. */
  name: string;
  /** The file or directory on disk (bytes, so a path that is not UTF-8 is kept as given). */
  path: Buffer;
  type: 'file' | 'directory';
  /** 0 for a directory. */
  size: number;
  /** 0o755 for directories and files executable by their owner, else 0o644. */
  mode: number;
  /** Modification time, whole seconds since the epoch (the file's own, rounded down). */
  mtime: number;
}

const entryError = (path: Buffer, why: string) =>
  new NablaError(`${escapeText(path)}: ${why}`, { code: 'FS_ENTRY' });

/** What a file that is neither regular nor a directory is, for the refusal. */
function otherKind(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a known file type';
}

/**
 * True when `name` fits a ustar header as tar-stream writes it: 100 bytes, or split at the
 * first slash that leaves at most 100 bytes after it, with at most 155 before it and a
 * non-empty rest (a directory's trailing slash alone would leave an empty name field).
 */
export function fitsUstar(name: string): boolean {
  if (name.length <= NAME_FIELD) return true;
  for (let at = name.indexOf('/'); at >= 0; at = name.indexOf('/', at + 1)) {
    const rest = name.length - at - 1;
    if (rest <= NAME_FIELD) return at <= PREFIX_FIELD && rest > 0;
  }
  return false;
}

/** Printable ASCII only: tar-stream writes any other name as a pax header, outside the subset. */
function checkName(path: Buffer, name: Buffer): void {
  for (const byte of name) {
    if (byte < 0x20 || byte > 0x7e)
      throw entryError(path, 'name is not printable ASCII (an image names its files in ASCII)');
  }
}

async function lstatOf(path: Buffer): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (error) {
    throw entryError(path, systemErrorText(error));
  }
}

/** One entry for a file or directory found in the tree, or a refusal naming it. */
function entryOf(path: Buffer, relative: string, stats: Stats): ImageEntry {
  const mtime = Math.max(0, Math.floor(stats.mtimeMs / 1000));
  if (stats.isDirectory()) {
    const name = `${relative}/`;
    if (!fitsUstar(name)) throw entryError(path, nameTooLong(name));
    return { name, path, type: 'directory', size: 0, mode: 0o755, mtime };
  }
  if (!stats.isFile())
    throw entryError(
      path,
      `is ${otherKind(stats)}; an image holds regular files and directories only`,
    );
  if (!fitsUstar(relative)) throw entryError(path, nameTooLong(relative));
  if (stats.size > MAX_FILE_SIZE)
    throw entryError(
      path,
      `is ${stats.size} bytes; an image holds files of at most ${MAX_FILE_SIZE}`,
    );
  const mode = stats.mode & 0o100 ? 0o755 : 0o644;
  return { name: relative, path, type: 'file', size: stats.size, mode, mtime };
}

function nameTooLong(name: string): string {
  return (
    `name is ${name.length} bytes, too long for a ustar header ` +
    `(at most ${NAME_FIELD}, or ${PREFIX_FIELD} + / + ${NAME_FIELD} split at a slash)`
  );
}

/** Byte order of the archive names (ASCII, so code unit order is byte order). */
const byName = (a: ImageEntry, b: ImageEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Every file and directory under `root` (not `root` itself), sorted by archive name, so a
 * directory comes before what it holds and two walks of the same tree give the same list.
 * Symbolic links are never followed: they are refused, as are FIFOs, sockets and devices.
 */
export async function collectEntries(root: Buffer): Promise<ImageEntry[]> {
  const entries: ImageEntry[] = [];
  const walk = async (dir: Buffer, prefix: string): Promise<void> => {
    let names: Buffer[];
    try {
      names = await readdir(dir, { encoding: 'buffer' });
    } catch (error) {
      throw entryError(dir, systemErrorText(error));
    }
    // In byte order, so that of two refused files the same one is named every time.
    for (const name of names.sort(Buffer.compare)) {
      const path = Buffer.concat([dir, Buffer.from('/'), name]);
      checkName(path, name);
      const relative =
        prefix === '' ? name.toString('latin1') : `${prefix}/${name.toString('latin1')}`;
      const entry = entryOf(path, relative, await lstatOf(path));
      entries.push(entry);
      if (entry.type === 'directory') await walk(path, relative);
    }
  };
  await walk(root, '');
  return entries.sort(byName);
}
