// regular-file.ts: opens a KERNEL or block backing file only if it is a regular file, without touching anything else.
import { closeSync, constants, fstatSync, openSync, type Stats, statSync } from 'node:fs';
import { systemErrorText } from './os-errors.js';

/**
 * The type of a file that is not a regular one, for "Not a regular file (a FIFO)".
 * tenders/common/regular_file.c says the same words.
 */
function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a known file type';
}

/** Why a file could not be opened, in strerror's words (or ours, for the checks below). */
export class OpenFailure extends Error {}

/**
 * Opens `path` ('r': read-only, 'r+': read-write) and returns the descriptor, or throws
 * OpenFailure. Opening a FIFO waits for a writer, a tty may become our controlling terminal and
 * a device may act on being opened; so the file is looked at first (stat) and anything but a
 * regular file refused unopened. Then O_NONBLOCK (no wait, should it have become a FIFO since)
 * and O_NOCTTY; the descriptor must be the very file looked at, else it changed in between and
 * is refused too. O_NONBLOCK stays: reads and writes of a regular file ignore it (open(2)).
 * Node adds O_CLOEXEC itself.
 */
export function openRegularFile(path: Buffer, mode: 'r' | 'r+'): number {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (error) {
    throw new OpenFailure(systemErrorText(error));
  }
  if (!before.isFile()) throw new OpenFailure(`Not a regular file (${fileKind(before)})`);
  const access = mode === 'r' ? constants.O_RDONLY : constants.O_RDWR;
  let fd: number;
  try {
    fd = openSync(path, access | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw new OpenFailure(systemErrorText(error));
  }
  const after = fstatSync(fd);
  if (!after.isFile() || after.dev !== before.dev || after.ino !== before.ino) {
    closeSync(fd);
    throw new OpenFailure(
      after.isFile()
        ? 'File replaced while being opened'
        : `Not a regular file (${fileKind(after)})`,
    );
  }
  return fd;
}
