// report.ts: the one place that turns an error into stderr lines and an exit status.
import { writeSync } from 'node:fs';
import { NablaError } from '../errors.js';
import { usage } from './usage.js';

/** Writes straight to descriptor 2: the exec path must never set up Node's stdio streams. */
export function writeStderr(text: string): void {
  writeSync(2, text);
}

export function reportError(prog: string, error: unknown): number {
  if (error instanceof NablaError) {
    writeStderr(error.lines.map((line) => `${prog}: ${line}\n`).join(''));
    if (error.showUsage) writeStderr(usage(prog));
    return error.exitCode;
  }
  const detail = error instanceof Error ? error.message : String(error);
  writeStderr(`${prog}: internal error: ${detail}\n`);
  if (process.env.NABLA_DEBUG && error instanceof Error) writeStderr(`${error.stack}\n`);
  return 1;
}
