// report.ts: the one place that turns an error into stderr output (text or JSON) and an exit status, for nabla-run and every nabla command.
import { writeSync } from 'node:fs';
import { textToBytes } from '../bytes.js';
import { asNablaError, NablaError } from '../errors.js';
import { terminalJson } from '../text-escape.js';
import { usage } from './usage.js';

/**
 * Writes straight to descriptor 2: the exec path must never set up Node's stdio streams. Text
 * quoted from the user or a file is escaped already (text-escape.ts); any lone byte left in the
 * text form of bytes.ts is written back as that byte.
 */
export function writeStderr(text: string): void {
  const bytes = textToBytes(text);
  let done = 0;
  while (done < bytes.length) done += writeSync(2, bytes, done);
}

/**
 * How a command reports a failure: `text`, lines for a person (the default), or `json`, one
 * object on one line for a script, where the command line asked for JSON output
 * (docs/errors.md).
 */
export type ErrorFormat = 'text' | 'json';

/** The line after a usage error of a `nabla` command: where its usage is. */
function helpPointer(prog: string): string {
  return `Run \`${prog} --help\` for usage.\n`;
}

/**
 * `prog: internal error: ...`, and the stack when NABLA_DEBUG is set: a bug, or a host call
 * nobody expected to fail (a NativeError no caller turned into its own message).
 */
function reportInternal(prog: string, error: unknown): number {
  const detail = error instanceof Error ? error.message : String(error);
  writeStderr(`${prog}: internal error: ${detail}\n`);
  if (process.env.NABLA_DEBUG && error instanceof Error) writeStderr(`${error.stack}\n`);
  return error instanceof NablaError ? error.exitCode : 1;
}

/** Prints `error` for the user of `prog` and returns the exit status it calls for. */
export function reportError(prog: string, error: unknown, format: ErrorFormat = 'text'): number {
  if (format === 'json') {
    const e = asNablaError(error);
    // JSON escapes C0 controls; terminalJson the rest a terminal would act on.
    writeStderr(`${terminalJson({ error: e.toJSON() })}\n`);
    return e.exitCode;
  }
  if (!(error instanceof NablaError) || error.internal) return reportInternal(prog, error);
  // A compiler's own messages are about the user's code: shown as it wrote them, then ours.
  if (error.toolOutput !== undefined) writeStderr(`${error.toolOutput}\n`);
  writeStderr(error.lines.map((line) => `${prog}: ${line}\n`).join(''));
  // nabla-run prints its usage after an option error, as solo5-spt does; the `nabla`
  // commands (nabla run too) point at their own --help instead of filling the screen.
  if (error.showUsage) writeStderr(prog === 'nabla-run' ? usage(prog) : helpPointer(prog));
  return error.exitCode;
}
