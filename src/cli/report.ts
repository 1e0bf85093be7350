// report.ts: the one place that turns an error into stderr lines and an exit status.
import { writeSync } from 'node:fs';
import { textToBytes } from '../bytes.js';
import { NablaError } from '../errors.js';
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

/** The line after a usage error of a `nabla` command: where its usage is. */
function helpPointer(prog: string): string {
  return `Run \`${prog} --help\` for usage.\n`;
}

/** Errors of the SDK that are the user's to fix (a manifest, a compiler's complaint). */
const USER_ERRORS = new Set(['ManifestError', 'BuildError']);

export function reportError(prog: string, error: unknown): number {
  if (error instanceof NablaError) {
    writeStderr(error.lines.map((line) => `${prog}: ${line}\n`).join(''));
    // nabla-run prints its usage after an option error, as solo5-spt does; the `nabla`
    // commands (nabla run too) point at their own --help instead of filling the screen.
    if (error.showUsage) writeStderr(prog === 'nabla-run' ? usage(prog) : helpPointer(prog));
    return error.exitCode;
  }
  if (error instanceof Error && USER_ERRORS.has(error.name)) {
    writeStderr(`${prog}: ${error.message}\n`);
    return 1;
  }
  const detail = error instanceof Error ? error.message : String(error);
  writeStderr(`${prog}: internal error: ${detail}\n`);
  if (process.env.NABLA_DEBUG && error instanceof Error) writeStderr(`${error.stack}\n`);
  return 1;
}
