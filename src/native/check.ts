// check.ts: argument checks for the addon's typed API, with "Expected <what> for <name> but received <value>".
import { inspect } from 'node:util';

const U64_MAX = (1n << 64n) - 1n;

/** The one message format for a bad argument. */
export function expected(what: string, name: string, value: unknown): TypeError {
  return new TypeError(`Expected ${what} for ${name} but received ${inspect(value, { depth: 1 })}`);
}

/**
 * A string the addon can pass to C unchanged: C strings end at the first NUL, so a
 * string containing one would silently name something else (a shorter path, another file).
 */
export function cString(value: unknown, name: string, maxBytes = Number.POSITIVE_INFINITY): string {
  if (typeof value !== 'string' || value.includes('\0')) {
    throw expected('a string without NUL characters', name, value);
  }
  if (Buffer.byteLength(value) > maxBytes) {
    throw expected(`a string of at most ${maxBytes} bytes`, name, value);
  }
  return value;
}

/** A C string given as text (UTF-8) or as bytes (a Buffer), without NUL either way. */
export function cStringOrBytes(value: unknown, name: string): string | Buffer {
  if (Buffer.isBuffer(value)) {
    if (value.includes(0)) throw expected('bytes without NUL', name, value);
    return value;
  }
  return cString(value, name);
}

export function nonEmpty(value: string, name: string): string {
  if (value.length === 0) throw expected('a non-empty string', name, value);
  return value;
}

/** A descriptor number: a non-negative 32-bit integer. */
export function fd(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw expected('a file descriptor (an integer from 0 to 2147483647)', name, value);
  }
  return value;
}

/** A syscall argument value: 64 bits, unsigned (negative numbers must be written as two's complement). */
export function u64(value: unknown, name: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw expected('a bigint from 0n to 2n ** 64n - 1n', name, value);
  }
  return value;
}

export function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw expected('a boolean', name, value);
  return value;
}

export function array(value: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(value)) throw expected('an array', name, value);
  return value;
}

export function object(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw expected('an object', name, value);
  }
  return value as Record<string, unknown>;
}
