// spt-args.ts: parses solo5-spt's exact command-line syntax (spt-abi.md §7) into a launch request.
import { checkBlockSize } from '../devices/block.js';
import type { DeviceRequest } from '../devices/types.js';
import { NablaError } from '../errors.js';
import { DEFAULT_MEM_MIB, memSizeBytes, parseMemMiB } from '../launch/memory.js';
import type { LaunchRequest } from '../launch/prepare.js';

export type SptCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; request: LaunchRequest };

// Device names are what upstream's sscanf accepts: [A-Za-z0-9], at most 67 characters.
const DEVICE_OPTION = /^--(block|block-sector-size|net|net-mac):([A-Za-z0-9]{1,67})=(.+)$/;

function invalidOption(arg: string): NablaError {
  return new NablaError(`Invalid option: \`${arg}'`, { showUsage: true });
}

/** Pass 1, as upstream: find --help/--version and the KERNEL operand (the first non-option). */
function findKernel(argv: readonly string[]): SptCommand | number {
  let i = 0;
  for (; i < argv.length && argv[i]?.startsWith('-'); i++) {
    if (argv[i] === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (argv[i] === '--help') return { kind: 'help' };
    if (argv[i] === '--version') return { kind: 'version' };
  }
  return i < argv.length ? i : -1;
}

export function parseSptArgs(argv: readonly string[]): SptCommand {
  const found = findKernel(argv);
  if (typeof found !== 'number') return found;
  if (found < 0) throw new NablaError('Missing KERNEL operand', { showUsage: true });

  let memMiB = DEFAULT_MEM_MIB;
  let xExecHeap = false;
  const blocks = new Map<string, string>();
  const sectorSizes = new Map<string, number>();
  const nets = new Map<string, string>();
  const macs = new Map<string, string>();
  for (const arg of argv.slice(0, found)) {
    if (arg === '--') break;
    if (arg.startsWith('--mem=')) {
      memMiB = parseMemMiB(arg.slice('--mem='.length));
      continue;
    }
    if (arg === '--x-exec-heap') {
      xExecHeap = true;
      continue;
    }
    const match = DEVICE_OPTION.exec(arg);
    if (!match) throw invalidOption(arg);
    const [, option, name = '', value = ''] = match;
    if (option === 'block') blocks.set(name, value);
    else if (option === 'net') nets.set(name, value);
    else if (option === 'net-mac') macs.set(name, value);
    else sectorSizes.set(name, checkBlockSize(/^[0-9]+$/.test(value) ? Number(value) : Number.NaN));
  }

  const devices: DeviceRequest[] = [];
  for (const [name, path] of blocks)
    devices.push({ kind: 'block', name, path, sectorSize: sectorSizes.get(name) });
  for (const [name, value] of nets) {
    const fd = /^@[0-9]+$/.test(value) ? Number(value.slice(1)) : undefined;
    devices.push({
      kind: 'net',
      name,
      target: fd === undefined ? { iface: value } : { fd },
      mac: macs.get(name),
    });
  }
  for (const name of sectorSizes.keys()) {
    if (!blocks.has(name))
      throw new NablaError(`--block-sector-size:${name} given without --block:${name}=PATH`);
  }
  for (const name of macs.keys()) {
    if (!nets.has(name))
      throw new NablaError(`--net-mac:${name} given without --net:${name}=IFACE`);
  }
  return {
    kind: 'run',
    request: {
      kernel: argv[found] as string,
      args: argv.slice(found + 1),
      memSize: memSizeBytes(memMiB),
      xExecHeap,
      devices,
    },
  };
}
