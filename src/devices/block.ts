// block.ts: attaches a file as a block device: opens it read-write and checks size against block size.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { NablaError } from '../errors.js';
import type { DeclaredDevice } from '../manifest/manifest.js';
import { systemErrorText } from '../os-errors.js';
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

export function attachBlock(
  device: DeclaredDevice,
  path: string,
  sectorSize?: number,
): AttachedBlock {
  const blockSize = checkBlockSize(sectorSize ?? DEFAULT_BLOCK_SIZE);
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (error) {
    throw new NablaError(
      `Could not open block device: ${escapeText(path)}: ${systemErrorText(error)}`,
    );
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
