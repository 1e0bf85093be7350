// checks.ts: the API's checks of the values it is given, each failure one line: "Expected <what> for <name> but received <value>".
import { inspect } from 'node:util';
import { type BytesInput, inputBytes, isBytesInput } from './bytes.js';
import { NablaError } from './errors.js';

/** A manifest name field holds 67 bytes and a NUL (docs/abi.md §3.1). */
const MAX_DEVICE_NAME = 67;

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
  return new NablaError(`Expected ${what} for ${name} but received ${shown(value)}`, {
    code: 'OPTION_INVALID',
  });
}

/** Refuses keys outside `known`; `record` has been checked to be an object. */
export function checkKeys(record: object, known: readonly string[], name: string): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) throw expected(`one of ${known.join(', ')}`, `a key of ${name}`, key);
  }
}

export function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw expected('an object', name, value);
  return value as Record<string, unknown>;
}

export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw expected('a boolean', name, value);
  return value;
}

export function optionalArray(value: unknown, what: string, name: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw expected(what, name, value);
  return value;
}

/** A path or an argument: text (UTF-8) or bytes, without NUL (C strings end there). */
export function bytes(value: unknown, what: string, name: string, nonEmpty: boolean): Buffer {
  if (!isBytesInput(value)) throw expected(`${what} (a string, Buffer or Uint8Array)`, name, value);
  const out = inputBytes(value as BytesInput);
  if (out.includes(0)) throw expected(`${what} without NUL bytes`, name, value);
  if (nonEmpty && out.length === 0) throw expected(`a non-empty ${what}`, name, value);
  return out;
}

/** A device's `name` (its name in the manifest); `where` is the entry: "block[0]". */
export function deviceName(value: unknown, where: string): string {
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
