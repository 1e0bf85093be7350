// accounts.ts: users and groups as the C library resolves them (every source nsswitch.conf lists), over the addon.
import { native } from './binding.js';
import * as check from './check.js';
import { callNative, NativeError } from './errors.js';

/** A user: its name, uid and primary group. */
export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
}

/**
 * Besides returning 0 with no entry, getpwnam_r and its kin may report "no such entry" as one of
 * these errors (getpwnam(3)), depending on the source that answered.
 */
const NOT_FOUND = new Set(['ENOENT', 'ESRCH', 'EBADF', 'EPERM']);

/** Runs one lookup: its entry, null when there is none, NativeError for a failed lookup. */
export function lookUp<T>(call: () => T | null): T | null {
  try {
    return callNative(call);
  } catch (error) {
    if (error instanceof NativeError && NOT_FOUND.has(error.code)) return null;
    throw error;
  }
}

/** The user called `name` (getpwnam_r), or null. */
export function userByName(name: string): UserEntry | null {
  const n = check.nonEmpty(check.cString(name, 'name'), 'name');
  return lookUp(() => native().getpwnam(n));
}

/** The user with `uid` (getpwuid_r; the first, if several share it), or null. */
export function userById(uid: number): UserEntry | null {
  if (typeof uid !== 'number' || !Number.isInteger(uid) || uid < 0 || uid > 0xffffffff) {
    throw check.expected('a uid (an integer from 0 to 4294967295)', 'uid', uid);
  }
  return lookUp(() => native().getpwuid(uid));
}

/** The group called `name` (getgrnam_r), or null. */
export function groupByName(name: string): GroupEntry | null {
  const n = check.nonEmpty(check.cString(name, 'name'), 'name');
  return lookUp(() => native().getgrnam(n));
}
