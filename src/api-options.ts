// api-options.ts: the one normalisation of a request: RunOptions (from the API or nabla-run's parser) checked and turned into the launch request everything else reads.
import type { RunOptions } from './api.js';
import { bytes, checkKeys, expected, object, optionalArray, optionalBoolean } from './checks.js';
import type { RequestOrigin } from './devices/kind.js';
import { deviceKinds } from './devices/registry.js';
import { DEFAULT_MEM_MIB, MAX_MEM_MIB, memSizeBytes } from './launch/memory.js';
import type { LaunchRequest } from './launch/prepare.js';
import type { StdioMode } from './launch/spawn.js';

const STDIO_MODES: readonly StdioMode[] = ['pipe', 'inherit', 'ignore'];

/** setTimeout's limit: a longer delay would fire at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Every key RunOptions has, each device kind's in the registry's order after memMiB; any other
 * is refused (a misspelt `memMib` would be ignored otherwise).
 */
export function runOptionKeys(): string[] {
  return [
    'kernel',
    'args',
    'memMiB',
    ...deviceKinds().map((kind) => kind.key),
    'xExecHeap',
    'stdio',
    'user',
    'core',
    'verbose',
    'timeoutMs',
  ];
}

function memMiB(value: unknown): number {
  if (value === undefined) return DEFAULT_MEM_MIB;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_MEM_MIB)
    throw expected(`a whole number of MiB from 1 to ${MAX_MEM_MIB}`, 'memMiB', value);
  return value;
}

/** `timeoutMs`: undefined, or a whole number of milliseconds setTimeout can wait. */
function checkTimeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_TIMEOUT_MS
  ) {
    throw expected(
      `a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
      'timeoutMs',
      value,
    );
  }
  return value;
}

/**
 * Checks every field of `options` (nothing else is read) and derives the launch request from
 * them: the one place a request is turned into what prepareLaunch() and run() read. From the
 * API (`origin` 'api') every value is checked here, in the API's words. From nabla-run's parser
 * ('nabla-run') the options were made from the command line, whose values the parser checked
 * as solo5-spt does; the values it leaves to later steps (an empty KERNEL to the open, a MAC
 * and an interface name to the attach, a --timeout beyond setTimeout's range to the tender's
 * watchdog) are not checked here again (see RequestOrigin).
 */
export function normalizeRunOptions(
  options: RunOptions,
  origin: RequestOrigin = 'api',
): LaunchRequest {
  const o = object(options, 'options');
  checkKeys(o, runOptionKeys(), 'RunOptions');
  const api = origin === 'api';
  const kernel = bytes(o.kernel, 'path', 'kernel', api);
  const args = optionalArray(o.args, 'an array of strings or bytes', 'args').map((arg, i) =>
    bytes(arg, 'an argument', `args[${i}]`, false),
  );
  const devices = deviceKinds().flatMap((kind) =>
    optionalArray(o[kind.key], `an array of ${kind.entryShape}`, kind.key).map((entry, i) =>
      kind.check(entry, `${kind.key}[${i}]`, origin),
    ),
  );
  const { user } = o;
  if (user !== undefined && (typeof user !== 'string' || user === '' || user.includes('\0')))
    throw expected('a user name or uid[:gid]', 'user', user);
  const stdio = o.stdio === undefined ? 'pipe' : o.stdio;
  if (!STDIO_MODES.includes(stdio as StdioMode))
    throw expected(`one of ${STDIO_MODES.map((m) => `'${m}'`).join(', ')}`, 'stdio', o.stdio);
  const timeoutMs = api ? checkTimeout(o.timeoutMs) : (o.timeoutMs as number | undefined);
  return {
    kernel,
    args,
    memSize: memSizeBytes(memMiB(o.memMiB)),
    xExecHeap: optionalBoolean(o.xExecHeap, 'xExecHeap') ?? false,
    devices,
    ...(user === undefined ? {} : { user: user as string }),
    core: optionalBoolean(o.core, 'core') ?? false,
    verbose: optionalBoolean(o.verbose, 'verbose') ?? false,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    stdio: stdio as StdioMode,
  };
}

/** The RunOptions part of a larger object (the audit's options), for run() and prepare(). */
export function pickRunOptions(options: RunOptions): RunOptions {
  const o = object(options, 'options');
  return Object.fromEntries(
    runOptionKeys()
      .filter((key) => key in o)
      .map((key) => [key, o[key]]),
  ) as unknown as RunOptions;
}
