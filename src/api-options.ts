// api-options.ts: checks every field of the API's RunOptions and turns them into a launch request; bad input is a NablaError.
import { inspect } from 'node:util';
import type { RunOptions } from './api.js';
import { type BytesInput, inputBytes, isBytesInput } from './bytes.js';
import { type DeviceRequest, MAX_BLOCK_SIZE } from './devices/types.js';
import { NablaError } from './errors.js';
import { DEFAULT_MEM_MIB, MAX_MEM_MIB, memSizeBytes } from './launch/memory.js';
import type { LaunchRequest } from './launch/prepare.js';
import type { StdioMode } from './launch/spawn.js';

/** Every key RunOptions has; any other is refused (a misspelt `memMib` would be ignored otherwise). */
export const RUN_OPTION_KEYS = [
  'kernel',
  'args',
  'memMiB',
  'block',
  'net',
  'xExecHeap',
  'stdio',
  'user',
  'core',
  'verbose',
  'timeoutMs',
] as const;
const BLOCK_KEYS = ['name', 'path', 'sectorSize'] as const;
const NET_KEYS = ['name', 'iface', 'fd', 'mac'] as const;
const STDIO_MODES: readonly StdioMode[] = ['pipe', 'inherit', 'ignore'];

/** setTimeout's limit: a longer delay would fire at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** A manifest name field holds 67 bytes and a NUL (docs/abi.md §3.1). */
const MAX_DEVICE_NAME = 67;
/** IFNAMSIZ less the NUL. */
const MAX_IFNAME_BYTES = 15;
const MAC_PATTERN = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** The value as the message shows it: strings as JSON (one line, control characters escaped). */
function shown(value: unknown): string {
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}..."` : text;
  }
  if (typeof value === 'number') return String(value); // NaN, -1, Infinity: not JSON's null
  return inspect(value, { depth: 1, breakLength: Number.POSITIVE_INFINITY, maxArrayLength: 8 });
}

/** The one message format for bad input: "Expected <what> for <name> but received <value>". */
export function expected(what: string, name: string, value: unknown): NablaError {
  return new NablaError(`Expected ${what} for ${name} but received ${shown(value)}`);
}

/** Refuses keys outside `known`; `record` has been checked to be an object. */
export function checkKeys(record: object, known: readonly string[], name: string): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) throw expected(`one of ${known.join(', ')}`, `a key of ${name}`, key);
  }
}

function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw expected('an object', name, value);
  return value as Record<string, unknown>;
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw expected('a boolean', name, value);
  return value;
}

function optionalArray(value: unknown, what: string, name: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw expected(what, name, value);
  return value;
}

/** A path or an argument: text (UTF-8) or bytes, without NUL (C strings end there). */
function bytes(value: unknown, what: string, name: string, nonEmpty: boolean): Buffer {
  if (!isBytesInput(value)) throw expected(`${what} (a string, Buffer or Uint8Array)`, name, value);
  const out = inputBytes(value as BytesInput);
  if (out.includes(0)) throw expected(`${what} without NUL bytes`, name, value);
  if (nonEmpty && out.length === 0) throw expected(`a non-empty ${what}`, name, value);
  return out;
}

function name(value: unknown, where: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.length > MAX_DEVICE_NAME ||
    value.includes('\0')
  )
    throw expected(
      `a device name (1 to ${MAX_DEVICE_NAME} characters, no NUL)`,
      `${where}.name`,
      value,
    );
  return value;
}

function blockRequest(value: unknown, i: number): DeviceRequest {
  const where = `block[${i}]`;
  const b = object(value, where);
  checkKeys(b, BLOCK_KEYS, where);
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
    kind: 'block',
    name: name(b.name, where),
    path: bytes(b.path, 'path', `${where}.path`, true),
    sectorSize: size,
  };
}

function netRequest(value: unknown, i: number): DeviceRequest {
  const where = `net[${i}]`;
  const n = object(value, where);
  checkKeys(n, NET_KEYS, where);
  const { iface, fd, mac } = n;
  if ((iface === undefined) === (fd === undefined))
    throw expected('{ name, iface } or { name, fd }', where, value);
  if (
    iface !== undefined &&
    (typeof iface !== 'string' ||
      iface === '' ||
      iface.includes('\0') ||
      Buffer.byteLength(iface) > MAX_IFNAME_BYTES)
  )
    throw expected(`an interface name (1 to ${MAX_IFNAME_BYTES} bytes)`, `${where}.iface`, iface);
  if (
    fd !== undefined &&
    !(typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff)
  )
    throw expected('a file descriptor (an integer from 0 to 2147483647)', `${where}.fd`, fd);
  if (mac !== undefined && (typeof mac !== 'string' || !MAC_PATTERN.test(mac)))
    throw expected('a MAC address (xx:xx:xx:xx:xx:xx)', `${where}.mac`, mac);
  return {
    kind: 'net',
    name: name(n.name, where),
    target: iface !== undefined ? { iface: iface as string } : { fd: fd as number },
    mac: mac as string | undefined,
  };
}

function memMiB(value: unknown): number {
  if (value === undefined) return DEFAULT_MEM_MIB;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_MEM_MIB)
    throw expected(`a whole number of MiB from 1 to ${MAX_MEM_MIB}`, 'memMiB', value);
  return value;
}

/** `timeoutMs`: undefined, or a whole number of milliseconds setTimeout can wait. */
function checkTimeout(value: unknown, name = 'timeoutMs'): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_TIMEOUT_MS
  ) {
    throw expected(`a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`, name, value);
  }
  return value;
}

/** What run() needs besides the launch request. */
export interface CheckedRunOptions {
  request: LaunchRequest;
  stdio: StdioMode;
  timeoutMs: number | undefined;
}

/** Checks every field of `options` (nothing else is read) and builds the launch request. */
export function checkRunOptions(options: RunOptions): CheckedRunOptions {
  const o = object(options, 'options');
  checkKeys(o, RUN_OPTION_KEYS, 'RunOptions');
  const kernel = bytes(o.kernel, 'path', 'kernel', true);
  const args = optionalArray(o.args, 'an array of strings or bytes', 'args').map((arg, i) =>
    bytes(arg, 'an argument', `args[${i}]`, false),
  );
  const devices = [
    ...optionalArray(o.block, 'an array of { name, path, sectorSize? }', 'block').map(blockRequest),
    ...optionalArray(o.net, 'an array of { name, iface | fd, mac? }', 'net').map(netRequest),
  ];
  const { user } = o;
  if (user !== undefined && (typeof user !== 'string' || user === '' || user.includes('\0')))
    throw expected('a user name or uid[:gid]', 'user', user);
  const stdio = o.stdio === undefined ? 'pipe' : o.stdio;
  if (!STDIO_MODES.includes(stdio as StdioMode))
    throw expected(`one of ${STDIO_MODES.map((m) => `'${m}'`).join(', ')}`, 'stdio', o.stdio);
  const timeoutMs = checkTimeout(o.timeoutMs);
  const request: LaunchRequest = {
    kernel,
    args,
    memSize: memSizeBytes(memMiB(o.memMiB)),
    xExecHeap: optionalBoolean(o.xExecHeap, 'xExecHeap') ?? false,
    devices,
    ...(user === undefined ? {} : { user: user as string }),
    core: optionalBoolean(o.core, 'core') ?? false,
    verbose: optionalBoolean(o.verbose, 'verbose') ?? false,
  };
  return { request, stdio: stdio as StdioMode, timeoutMs };
}

/** The RunOptions part of a larger object (the audit's options), for run() and prepare(). */
export function pickRunOptions(options: RunOptions): RunOptions {
  const o = object(options, 'options');
  return Object.fromEntries(
    RUN_OPTION_KEYS.filter((key) => key in o).map((key) => [key, o[key]]),
  ) as unknown as RunOptions;
}
