// block.ts: attaches a file as a block device: opens it read-write and checks size against block size.
import { closeSync, fstatSync } from 'node:fs';
import type { DeclaredDevice } from '../elf/manifest.js';
import { NablaError } from '../errors.js';
import { OpenFailure, openRegularFile } from '../regular-file.js';
import { escapeName, escapeText } from '../text-escape.js';
import { type AttachedBlock, DEFAULT_BLOCK_SIZE, MAX_BLOCK_SIZE } from './types.js';

/** The upstream rule: a power of two, at least 512 (and, for the 16-bit field, at most 32768). */
export function checkBlockSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 512 || (size & (size - 1)) !== 0) {
    throw new NablaError('Block size must be a multiple of 2 greater than or equal 512');
  }
  if (size > MAX_BLOCK_SIZE) {
    throw new NablaError(`Block size ${size} is too large (at most ${MAX_BLOCK_SIZE} bytes)`);
  }
  return size;
}

/**
 * Opens `path` (bytes, as given) read-write. Only a regular file: anything else is refused
 * before it is opened (a FIFO or a device would block, or act on the open), which also leaves
 * out a host block device, whose size fstat does not give.
 */
export function attachBlock(
  device: DeclaredDevice,
  path: Buffer,
  sectorSize?: number,
): AttachedBlock {
  const blockSize = checkBlockSize(sectorSize ?? DEFAULT_BLOCK_SIZE);
  let fd: number;
  try {
    fd = openRegularFile(path, 'r+');
  } catch (error) {
    if (!(error instanceof OpenFailure)) throw error;
    throw new NablaError(`Could not open block device: ${escapeText(path)}: ${error.message}`);
  }
  try {
    const capacity = BigInt(fstatSync(fd).size);
    const size = BigInt(blockSize);
    // Upstream's order: alignment first, so a short non-empty file is "not block aligned".
    if (capacity % size !== 0n) {
      throw new NablaError(
        `${escapeName(device.name)}: Backing storage size must be block aligned (${blockSize} bytes)`,
      );
    }
    if (capacity < size) {
      throw new NablaError(
        `${escapeName(device.name)}: Backing storage must be at least 1 block (${blockSize} bytes) in size`,
      );
    }
    return {
      type: 'BLOCK_BASIC',
      index: device.index,
      name: device.name,
      fd,
      owned: true,
      path,
      capacity,
      blockSize,
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
