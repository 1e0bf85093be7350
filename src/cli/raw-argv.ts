// raw-argv.ts: this process's command-line arguments as the bytes it was given, not Node's lossy decoding.
import { readFileSync } from 'node:fs';
import { bytesToText } from '../bytes.js';
import { NablaError } from '../errors.js';
import { reportError } from './report.js';

/** What the check needs from `process`, injectable for tests. */
export interface ProcessView {
  argv: readonly string[];
  execArgv: readonly string[];
  /** The kernel's copy: every argument, each followed by a NUL. */
  cmdline: () => Buffer;
}

const SELF: ProcessView = {
  argv: process.argv,
  execArgv: process.execArgv,
  cmdline: () => readFileSync('/proc/self/cmdline'),
};

function splitNul(raw: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = raw.indexOf(0); i >= 0; i = raw.indexOf(0, start)) {
    parts.push(raw.subarray(start, i));
    start = i + 1;
  }
  if (start < raw.length) parts.push(raw.subarray(start)); // no final NUL: a truncated copy
  return parts;
}

/**
 * The arguments after the script, as lossless text (bytes.ts): valid UTF-8 reads as itself,
 * other bytes as escapes that textToBytes turns back into them.
 *
 * /proc/self/cmdline holds node's own argv: argv[0], the node options (process.execArgv), the
 * script, then ours. Ours are its last `process.argv.length - 2` entries, and each must decode
 * (lossily, as Node does) to its process.argv entry; if the count or any entry disagrees (a
 * wrapper that rewrote the area, no /proc), process.argv is used only when it cannot have lost
 * anything, that is when no entry holds U+FFFD. Otherwise the run stops: guessing a path is
 * how the wrong file gets opened.
 */
export function rawArguments(view: ProcessView = SELF): string[] {
  const given = view.argv.slice(2);
  let reason: string;
  try {
    const parts = splitNul(view.cmdline());
    const ours = parts.slice(parts.length - given.length);
    if (parts.length !== 2 + view.execArgv.length + given.length) {
      reason = `it holds ${parts.length} arguments where ${2 + view.execArgv.length + given.length} were expected`;
    } else if (ours.some((bytes, i) => bytes.toString('utf8') !== given[i])) {
      reason = 'it does not match the arguments Node decoded';
    } else {
      return ours.map(bytesToText);
    }
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (!given.some((arg) => arg.includes('\ufffd'))) return [...given];
  throw new NablaError(
    `Cannot read the argument bytes from /proc/self/cmdline (${reason}), and an argument is not valid UTF-8`,
    { code: 'ARGV_UNREADABLE' },
  );
}

/** For the bin/ entry points: the arguments, or null after reporting why there are none. */
export function processArguments(prog: string): string[] | null {
  try {
    return rawArguments();
  } catch (error) {
    reportError(prog, error);
    return null;
  }
}
