// errors.ts: the typed error for failing host calls made by the native addon.
import { type ErrnoName, isErrnoName } from '../error-codes.js';
import { NablaError } from '../errors.js';

/**
 * A host call in the addon failed. Its `code` is the errno name, as in Node's own system errors
 * (callers match on it: ENODEV, EBADFD); as a NablaError it is no fault of the input, so the
 * CLI prints it as an internal error, unless a caller turned it into its own message and code.
 */
export class NativeError extends NablaError {
  override readonly name = 'NativeError';
  /** The errno name, e.g. 'ENOENT'. */
  declare readonly code: ErrnoName;
  /** The positive errno value, e.g. 2 (Node's fs errors carry it negated; this does not). */
  readonly errno: number;
  /** The failing call, e.g. 'execve' or 'seccomp_rule_add_array'. */
  readonly syscall: string;

  constructor(
    message: string,
    code: ErrnoName,
    errno: number,
    syscall: string,
    options?: ErrorOptions,
  ) {
    super(message, { code, cause: options?.cause });
    this.errno = errno;
    this.syscall = syscall;
  }

  protected override details(): Record<string, unknown> {
    return { errno: this.errno, syscall: this.syscall };
  }
}

interface AddonError extends Error {
  code: ErrnoName;
  errno: number;
  syscall: string;
}

function isAddonError(error: unknown): error is AddonError {
  if (!(error instanceof Error)) return false;
  const e = error as Partial<AddonError>;
  // The addon names every errno (EUNKNOWN one it does not know): native/errors.cc.
  return (
    typeof e.code === 'string' &&
    isErrnoName(e.code) &&
    typeof e.errno === 'number' &&
    typeof e.syscall === 'string'
  );
}

/** The addon's errno-carrying errors as NativeError; anything else (a bug) passes through as is. */
function toNativeError(error: unknown): unknown {
  if (error instanceof NativeError || !isAddonError(error)) return error;
  return new NativeError(error.message, error.code, error.errno, error.syscall, { cause: error });
}

/** Runs one addon call, rethrowing its host-call failures as NativeError. */
export function callNative<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw toNativeError(error);
  }
}
