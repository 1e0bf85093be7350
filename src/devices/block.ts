// block.ts: the BLOCK_BASIC kind: a regular file as a disk (--block, --block-sector-size, --block-mode), opened read-write or read-only, measured, and pinned by its rules to whole blocks.
import { closeSync, fstatSync } from 'node:fs';
import type { ReportDevice } from '../audit/report.js';
import { type BytesInput, bytesToText, inputBytes, textToBytes } from '../bytes.js';
import { bytes, checkKeys, deviceName, expected, object, optionalBoolean } from '../checks.js';
import type { DeclaredDevice } from '../elf/manifest.js';
import { NablaError } from '../errors.js';
import type { RuleTemplate } from '../policy/table.js';
import { OpenFailure, openRegularFile } from '../regular-file.js';
import { escapeName, escapeText } from '../text-escape.js';
import { closeOwned } from './attach.js';
import type {
  AttachedDevice,
  DeviceKind,
  DeviceRequest,
  GivenOptions,
  PolicyDevice,
} from './kind.js';

export const DEFAULT_BLOCK_SIZE = 512;
/** The manifest stores block_size in 16 bits. */
export const MAX_BLOCK_SIZE = 32768;

/** A block device in RunOptions (`block: [...]`). */
export interface BlockOptions {
  /** Its name in the manifest. */
  name: string;
  /** The backing file: a regular file, opened read-write (read-only with `readOnly`). */
  path: BytesInput;
  /** Bytes per block: a power of two from 512 (the default) to 32768; the file a multiple of it. */
  sectorSize?: number | undefined;
  /**
   * Open the backing file read-only: the guest reads it, and each of its writes fails with
   * SOLO5_R_EUNSPEC (the kernel refuses pwrite64 on the read-only descriptor with EBADF).
   */
  readOnly?: boolean | undefined;
}

export interface BlockRequest extends DeviceRequest {
  /** The path's bytes, as given. */
  path: Buffer;
  sectorSize?: number | undefined;
  readOnly?: boolean | undefined;
}

export interface AttachedBlock extends AttachedDevice {
  /** The backing file's path, as given (bytes). */
  path: Buffer;
  capacity: bigint;
  blockSize: number;
  /** Opened read-only: the guest's writes fail (EBADF), its reads work. */
  readOnly: boolean;
}

const KEYS = ['name', 'path', 'sectorSize', 'readOnly'] as const;

/** The upstream rule: a power of two, at least 512 (and, for the 16-bit field, at most 32768). */
export function checkBlockSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 512 || (size & (size - 1)) !== 0) {
    throw new NablaError('Block size must be a multiple of 2 greater than or equal 512', {
      code: 'OPTION_INVALID',
    });
  }
  if (size > MAX_BLOCK_SIZE) {
    throw new NablaError(`Block size ${size} is too large (at most ${MAX_BLOCK_SIZE} bytes)`, {
      code: 'OPTION_INVALID',
    });
  }
  return size;
}

/**
 * Opens `path` (bytes, as given) read-write, or read-only with `readOnly`. Only a regular file: anything else is refused
 * before it is opened (a FIFO or a device would block, or act on the open), which also leaves
 * out a host block device, whose size fstat does not give.
 */
export function attachBlock(
  device: DeclaredDevice,
  path: Buffer,
  sectorSize?: number,
  readOnly = false,
): AttachedBlock {
  const blockSize = checkBlockSize(sectorSize ?? DEFAULT_BLOCK_SIZE);
  let fd: number;
  try {
    fd = openRegularFile(path, readOnly ? 'r' : 'r+');
  } catch (error) {
    if (!(error instanceof OpenFailure)) throw error;
    throw new NablaError(`Could not open block device: ${escapeText(path)}: ${error.message}`, {
      code: 'BLOCK_OPEN',
    });
  }
  try {
    const capacity = BigInt(fstatSync(fd).size);
    const size = BigInt(blockSize);
    // Upstream's order: alignment first, so a short non-empty file is "not block aligned".
    if (capacity % size !== 0n) {
      throw new NablaError(
        `${escapeName(device.name)}: Backing storage size must be block aligned (${blockSize} bytes)`,
        { code: 'BLOCK_SIZE' },
      );
    }
    if (capacity < size) {
      throw new NablaError(
        `${escapeName(device.name)}: Backing storage must be at least 1 block (${blockSize} bytes) in size`,
        { code: 'BLOCK_SIZE' },
      );
    }
    return {
      kind: block,
      type: device.type,
      index: device.index,
      name: device.name,
      fd,
      owned: true,
      path,
      capacity,
      blockSize,
      readOnly,
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The capacity and block size the rules are bounded by (an attached device has them). */
function geometry(device: PolicyDevice): { capacity: bigint; blockSize: number } {
  const { capacity, blockSize } = device;
  if (typeof capacity !== 'bigint' || typeof blockSize !== 'number')
    throw new Error(`block device '${device.name}' without its capacity and block size`);
  return { capacity, blockSize };
}

/** For block I/O: this device, exactly one block, never past the last block (no file growth). */
const BLOCK_ARGS: RuleTemplate['args'] = [
  { index: 0, op: 'eq', operand: { slot: 'device' } },
  { index: 2, op: 'eq', operand: { field: 'blockSize' } },
  { index: 3, op: 'le', operand: { field: 'lastBlockOffset' } },
];

export const block = {
  key: 'block' as const,
  type: 'BLOCK_BASIC',
  entryShape: '{ name, path, sectorSize?, readOnly? }',

  options: [
    {
      name: 'block',
      forms: [{ syntax: '--block:NAME=PATH', help: ['attach file PATH as the block device NAME'] }],
    },
    {
      name: 'block-sector-size',
      qualifies: 'block',
      forms: [
        {
          syntax: '--block-sector-size:NAME=N',
          help: ['block size of NAME in bytes: a power of two >= 512 (default 512)'],
        },
      ],
      parse: (value: string) => checkBlockSize(/^[0-9]+$/.test(value) ? Number(value) : Number.NaN),
    },
    {
      name: 'block-mode',
      qualifies: 'block',
      group: 'nabla-run' as const,
      forms: [
        {
          syntax: '--block-mode:NAME=ro|rw',
          help: ["ro: open NAME read-only (the guest's writes fail); rw: read-write (default)"],
        },
      ],
      parse: (value: string) => {
        if (value !== 'ro' && value !== 'rw')
          throw new NablaError(`Block mode must be ro or rw, not ${escapeText(value)}`, {
            code: 'OPTION_INVALID',
          });
        return value === 'ro';
      },
    },
  ],

  examples: [
    '--mem=64 --block:storage=disk.img app.nabla',
    '--block:storage=disk.img --block-sector-size:storage=4096 app.nabla',
    '--block:storage=disk.img --block-mode:storage=ro app.nabla',
  ],

  fromCommandLine(given: GivenOptions): BlockOptions[] {
    const sizes = given('block-sector-size');
    const modes = given('block-mode');
    return [...given('block')].map(([name, path]) => ({
      name,
      path: textToBytes(path as string),
      ...(sizes.has(name) ? { sectorSize: sizes.get(name) as number } : {}),
      ...(modes.get(name) === true ? { readOnly: true } : {}),
    }));
  },

  toCommandLine(entry: BlockOptions): string[] {
    const words = [`--block:${entry.name}=${bytesToText(inputBytes(entry.path))}`];
    if (entry.sectorSize !== undefined)
      words.push(`--block-sector-size:${entry.name}=${entry.sectorSize}`);
    if (entry.readOnly === true) words.push(`--block-mode:${entry.name}=ro`);
    return words;
  },

  check(value: unknown, where: string): BlockRequest {
    const b = object(value, where);
    checkKeys(b, KEYS, where);
    const size = b.sectorSize;
    if (
      size !== undefined &&
      !(
        typeof size === 'number' &&
        Number.isInteger(size) &&
        size >= 512 &&
        size <= MAX_BLOCK_SIZE &&
        (size & (size - 1)) === 0
      )
    )
      throw expected(`a power of two from 512 to ${MAX_BLOCK_SIZE}`, `${where}.sectorSize`, size);
    return {
      kind: block,
      name: deviceName(b.name, where),
      path: bytes(b.path, 'path', `${where}.path`, true),
      sectorSize: size,
      readOnly: optionalBoolean(b.readOnly, `${where}.readOnly`),
    };
  },

  attach(declared: DeclaredDevice, request: BlockRequest): AttachedBlock {
    return attachBlock(declared, request.path, request.sectorSize, request.readOnly ?? false);
  },
  release: closeOwned,
  keepsHostNetwork: false,

  /*
   * A read-only device keeps its pwrite64 row: the kernel refuses the write on the O_RDONLY
   * descriptor with EBADF, which the bindings return as SOLO5_R_EUNSPEC. Without the row the
   * guest would be killed by SIGSYS for a write it may well handle (and the filter would differ).
   */
  rules: [
    { syscall: 'pread64', nr: 17, args: BLOCK_ARGS, reason: 'solo5_block_read of one block' },
    { syscall: 'pwrite64', nr: 18, args: BLOCK_ARGS, reason: 'solo5_block_write of one block' },
  ],
  operand(field: string, device: PolicyDevice): bigint {
    const { capacity, blockSize } = geometry(device);
    if (field === 'blockSize') return BigInt(blockSize);
    if (field === 'lastBlockOffset') return capacity - BigInt(blockSize);
    throw new Error(`policy field '${field}' is not a block device's`);
  },

  planFields: (device: AttachedBlock) => ({
    capacity: device.capacity,
    blockSize: device.blockSize,
  }),

  attachment: (device: AttachedBlock) => bytesToText(device.path),
  reportFields: (device: AttachedBlock) => ({
    blockSize: device.blockSize,
    capacity: device.capacity.toString(),
    readOnly: device.readOnly,
  }),
  geometry: (entry: ReportDevice) =>
    `${entry.capacity} bytes, block ${entry.blockSize}${entry.readOnly === true ? ', read-only' : ''}`,
  /** The hosted target takes a descriptor where nabla-run takes a PATH. */
  hostedArgs(device: AttachedBlock, fd: number): string[] {
    return block.toCommandLine({ name: device.name, path: `@${fd}`, sectorSize: device.blockSize });
  },
} satisfies DeviceKind;
