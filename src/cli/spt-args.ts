// spt-args.ts: parses solo5-spt's exact command-line syntax (docs/abi.md §7), plus nabla-run's own options, into a launch request.
import { textToBytes } from '../bytes.js';
import { checkBlockSize } from '../devices/block.js';
import type { DeviceRequest } from '../devices/types.js';
import { NablaError } from '../errors.js';
import { DEFAULT_MEM_MIB, memSizeBytes, parseMemMiB } from '../launch/memory.js';
import type { LaunchRequest } from '../launch/prepare.js';
import { escapeText } from '../text-escape.js';

export type SptCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; request: LaunchRequest };

// Device names are what upstream's sscanf accepts: [A-Za-z0-9], at most 67 characters.
const DEVICE_OPTION = /^--(block|block-sector-size|net|net-mac):([A-Za-z0-9]{1,67})=(.+)$/;

/**
 * nabla-run's own options, beyond solo5-spt's syntax: like the others they come before KERNEL,
 * so a guest's arguments are never read as ours.
 */
interface Extensions {
  user?: string;
  verbose?: boolean;
  core?: boolean;
  timeoutMs?: number;
}

/** `--timeout=SECONDS`: positive, at most millisecond precision (as timeout(1) takes 1.5). */
export function parseTimeout(text: string): number {
  const match = /^([0-9]+)(?:\.([0-9]{1,3}))?$/.exec(text);
  const ms = match ? Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0')) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new NablaError(
      `Malformed argument to --timeout: '${escapeText(text)}' (expected a positive number of seconds, e.g. 10 or 1.5)`,
    );
  }
  return ms;
}

/** Takes one of our extensions into `ext`; false when `arg` is not one. */
function parseExtension(arg: string, ext: Extensions): boolean {
  if (arg === '--verbose') ext.verbose = true;
  else if (arg === '--core') ext.core = true;
  else if (arg.startsWith('--timeout='))
    ext.timeoutMs = parseTimeout(arg.slice('--timeout='.length));
  else if (arg.startsWith('--user=')) {
    const user = arg.slice('--user='.length);
    if (user === '')
      throw new NablaError("Malformed argument to --user: '' (expected NAME|UID[:GID])");
    ext.user = user;
  } else return false;
  return true;
}

/**
 * Upstream's line and status, then its usage screen. The Solo5 bindings' own options
 * (`--solo5:quiet`) belong to the guest, after KERNEL: for those one line says so instead of the
 * screen, which does not list them.
 */
function invalidOption(arg: string, prog: string): NablaError {
  // Quoted escaped, as every message quotes what it did not write (text-escape.ts).
  const shown = escapeText(arg);
  if (!arg.startsWith('--solo5:'))
    return new NablaError(`Invalid option: \`${shown}'`, { showUsage: true });
  const name = escapeText(arg.split('=', 1)[0] as string);
  return new NablaError([
    `Invalid option: \`${shown}'`,
    `${name} is a guest option: put it after KERNEL (${prog} [ OPTIONS ] KERNEL ${shown} ...); see --help`,
  ]);
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

/**
 * `argv` is lossless text (bytes.ts); KERNEL, --block paths and guest arguments come out as the
 * bytes given. `prog` names the command in the hint for a misplaced guest option.
 */
export function parseSptArgs(argv: readonly string[], prog = 'nabla-run'): SptCommand {
  const found = findKernel(argv);
  if (typeof found !== 'number') return found;
  if (found < 0) throw new NablaError('Missing KERNEL operand', { showUsage: true });

  let memMiB = DEFAULT_MEM_MIB;
  let xExecHeap = false;
  const blocks = new Map<string, string>();
  const sectorSizes = new Map<string, number>();
  const nets = new Map<string, string>();
  const macs = new Map<string, string>();
  const ext: Extensions = {};
  for (const arg of argv.slice(0, found)) {
    if (arg === '--') break;
    if (parseExtension(arg, ext)) continue;
    if (arg.startsWith('--mem=')) {
      memMiB = parseMemMiB(arg.slice('--mem='.length));
      continue;
    }
    if (arg === '--x-exec-heap') {
      xExecHeap = true;
      continue;
    }
    const match = DEVICE_OPTION.exec(arg);
    if (!match) throw invalidOption(arg, prog);
    const [, option, name = '', value = ''] = match;
    if (option === 'block') blocks.set(name, value);
    else if (option === 'net') nets.set(name, value);
    else if (option === 'net-mac') macs.set(name, value);
    else sectorSizes.set(name, checkBlockSize(/^[0-9]+$/.test(value) ? Number(value) : Number.NaN));
  }

  const devices: DeviceRequest[] = [];
  for (const [name, path] of blocks)
    devices.push({
      kind: 'block',
      name,
      path: textToBytes(path),
      sectorSize: sectorSizes.get(name),
    });
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
      kernel: textToBytes(argv[found] as string),
      args: argv.slice(found + 1).map(textToBytes),
      memSize: memSizeBytes(memMiB),
      xExecHeap,
      devices,
      ...ext,
    },
  };
}
