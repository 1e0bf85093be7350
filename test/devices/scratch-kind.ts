// scratch-kind.ts: a throw-away device kind for the tests: a disk in memory (--scratch:NAME=BLOCKS), written as docs/adding-a-device.md says, outside src/.
import { closeSync, ftruncateSync } from 'node:fs';
import type { ReportDevice } from '../../src/audit/report.js';
import { checkKeys, deviceName, expected, object } from '../../src/checks.js';
import { closeOwned } from '../../src/devices/attach.js';
import type {
  AttachedDevice,
  DeviceKind,
  DeviceRequest,
  GivenOptions,
  PolicyDevice,
} from '../../src/devices/kind.js';
import type { DeclaredDevice } from '../../src/elf/manifest.js';
import { NablaError } from '../../src/errors.js';
import { memfdCreate } from '../../src/native/index.js';
import type { RuleTemplate } from '../../src/policy/table.js';

/*
 * A kind nabla does not have: an anonymous disk of BLOCKS blocks of 512 bytes, a memfd made
 * for the run and gone with it. The guest sees a BLOCK_BASIC device: the manifest types are
 * the ABI's (src/elf/abi.ts, tenders/include/spt_abi.h), and a new one is an ABI change that
 * neither the ELF checkers nor the tender would accept from a test. Everything else is this
 * kind's own: its option and its parser, its RunOptions field and checks, its attach, its
 * rows (with their reasons), its plan fields, its report text and its hosted flags.
 */

export const BLOCK = 512;
/** A memfd's size is the disk's: 1 GiB at most, for a test. */
const MAX_BLOCKS = 1 << 21;

export interface ScratchOptions {
  name: string;
  blocks: number;
}

interface ScratchRequest extends DeviceRequest {
  blocks: number;
}

export interface AttachedScratch extends AttachedDevice {
  blocks: number;
  capacity: bigint;
  blockSize: number;
}

function blocksOf(text: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_BLOCKS)
    throw new NablaError(`Malformed argument to --scratch: '${text}' (1 to ${MAX_BLOCKS} blocks)`, {
      code: 'OPTION_INVALID',
    });
  return n;
}

function bounds(device: PolicyDevice): { capacity: bigint } {
  if (typeof device.capacity !== 'bigint') throw new Error(`scratch '${device.name}': no capacity`);
  return { capacity: device.capacity };
}

const ARGS: RuleTemplate['args'] = [
  { index: 0, op: 'eq', operand: { slot: 'device' } },
  { index: 2, op: 'eq', operand: { literal: BigInt(BLOCK) } },
  { index: 3, op: 'le', operand: { field: 'lastBlock' } },
];

export const scratch = {
  key: 'scratch' as const,
  type: 'BLOCK_BASIC',
  entryShape: '{ name, blocks }',
  options: [
    {
      name: 'scratch',
      forms: [
        { syntax: '--scratch:NAME=BLOCKS', help: ['a disk of BLOCKS blocks in memory as NAME'] },
      ],
      parse: blocksOf,
    },
  ],
  examples: ['--scratch:storage=64 app.nabla'],
  fromCommandLine: (given: GivenOptions): ScratchOptions[] =>
    [...given('scratch')].map(([name, blocks]) => ({ name, blocks: blocks as number })),
  toCommandLine: (entry: ScratchOptions) => [`--scratch:${entry.name}=${entry.blocks}`],

  check(value: unknown, where: string): ScratchRequest {
    const s = object(value, where);
    checkKeys(s, ['name', 'blocks'], where);
    const { blocks } = s;
    if (
      typeof blocks !== 'number' ||
      !Number.isInteger(blocks) ||
      blocks < 1 ||
      blocks > MAX_BLOCKS
    )
      throw expected(`a number of blocks from 1 to ${MAX_BLOCKS}`, `${where}.blocks`, blocks);
    return { kind: scratch, name: deviceName(s.name, where), blocks };
  },

  attach(declared: DeclaredDevice, request: ScratchRequest): AttachedScratch {
    const fd = memfdCreate(`scratch-${declared.name}`);
    try {
      ftruncateSync(fd, request.blocks * BLOCK);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return {
      kind: scratch,
      type: declared.type,
      index: declared.index,
      name: declared.name,
      fd,
      owned: true,
      blocks: request.blocks,
      capacity: BigInt(request.blocks * BLOCK),
      blockSize: BLOCK,
    };
  },
  release: closeOwned,
  keepsHostNetwork: false,

  rules: [
    { syscall: 'pread64', nr: 17, args: ARGS, reason: 'scratch: solo5_block_read, in memory' },
    { syscall: 'pwrite64', nr: 18, args: ARGS, reason: 'scratch: solo5_block_write, in memory' },
  ],
  operand(field: string, device: PolicyDevice): bigint {
    if (field === 'lastBlock') return bounds(device).capacity - BigInt(BLOCK);
    throw new Error(`policy field '${field}' is not a scratch disk's`);
  },

  planFields: (device: AttachedScratch) => ({
    capacity: device.capacity,
    blockSize: device.blockSize,
  }),

  attachment: (device: AttachedScratch) => `memory, ${device.blocks} blocks`,
  reportFields: (device: AttachedScratch) => ({
    blockSize: device.blockSize,
    capacity: device.capacity.toString(),
  }),
  geometry: (entry: ReportDevice) => `${entry.capacity} bytes in memory`,
  // The hosted target knows BLOCK_BASIC devices by --block, which takes a descriptor.
  hostedArgs: (device: AttachedScratch, fd: number) => [
    `--block:${device.name}=@${fd}`,
    `--block-sector-size:${device.name}=${BLOCK}`,
  ],
} satisfies DeviceKind;
