// errors.ts: the one error type nabla raises: a stable code, the lines the CLI prints, an exit status.
import { isInternalCode, type NablaErrorCode } from './error-codes.js';

export interface NablaErrorOptions {
  /**
   * The stable code (src/error-codes.ts), required so that every failure has one; a NativeError
   * carries its errno name instead.
   */
  code: NablaErrorCode;
  /** Default 1. */
  exitCode?: number;
  /** True when the CLI should print its usage after the message (option errors). */
  showUsage?: boolean;
  /** What another program printed about the failure (a compiler's messages), shown before the lines. */
  toolOutput?: string;
  cause?: unknown;
}

/** The error as `--format json` prints it (docs/errors.md): code, message, status and any data. */
export interface NablaErrorJson {
  code: NablaErrorCode;
  message: string;
  exitCode: number;
  [detail: string]: unknown;
}

/**
 * Every failure nabla raises on purpose: bad input, a refused device, a failed build, audit
 * or host call. `code` is stable (src/error-codes.ts, docs/errors.md); `lines` are what the CLI
 * prints, each after the program's name; subclasses add the data their failure has.
 */
export class NablaError extends Error {
  readonly code: NablaErrorCode;
  /** One or more lines, without the program prefix. */
  readonly lines: readonly string[];
  readonly exitCode: number;
  readonly showUsage: boolean;
  readonly toolOutput: string | undefined;

  constructor(lines: string | readonly string[], options: NablaErrorOptions) {
    const all = typeof lines === 'string' ? [lines] : lines;
    const tool = options.toolOutput?.trimEnd();
    // The message is the whole story for a caller of the API: the lines, then the tool's words.
    const text = all.join('\n');
    super(
      tool ? `${text}\n${tool}` : text,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'NablaError';
    this.code = options.code;
    this.lines = all;
    this.exitCode = options.exitCode ?? 1;
    this.showUsage = options.showUsage ?? false;
    this.toolOutput = tool || undefined;
  }

  /** A bug or an unexpected host failure, not the input's fault: printed as `internal error:`. */
  get internal(): boolean {
    return isInternalCode(this.code);
  }

  /** The `--format json` form; JSON.stringify uses it too. */
  toJSON(): NablaErrorJson {
    return { code: this.code, message: this.message, exitCode: this.exitCode, ...this.details() };
  }

  /** What a subclass adds to the JSON form (an errno, a file). */
  protected details(): Record<string, unknown> {
    return {};
  }
}

/** Anything thrown, as a NablaError: itself, or INTERNAL with its message (a bug). */
export function asNablaError(error: unknown): NablaError {
  if (error instanceof NablaError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new NablaError(detail, { code: 'INTERNAL', cause: error });
}
