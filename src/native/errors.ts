// errors.ts: the typed error for failing host calls made by the native addon.

/** A host call in the addon failed: `code` is the errno name, as in Node's own system errors. */
export class NativeError extends Error {
  override readonly name = 'NativeError';
  /** The errno name, e.g. 'ENOENT'. */
  readonly code: string;
  /** The positive errno value, e.g. 2 (Node's fs errors carry it negated; this does not). */
  readonly errno: number;
  /** The failing call, e.g. 'execve' or 'seccomp_rule_add_array'. */
  readonly syscall: string;

  constructor(
    message: string,
    code: string,
    errno: number,
    syscall: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

interface AddonError extends Error {
  code: string;
  errno: number;
  syscall: string;
}

function isAddonError(error: unknown): error is AddonError {
  if (!(error instanceof Error)) return false;
  const e = error as Partial<AddonError>;
  return typeof e.code === 'string' && typeof e.errno === 'number' && typeof e.syscall === 'string';
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
