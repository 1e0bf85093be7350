// nabla-run.ts: the solo5-spt compatible runner: parse, prepare, then become the tender.
import { writeSync } from 'node:fs';
import { normalizeRunOptions } from '../api-options.js';
import { execTender } from '../launch/exec.js';
import { prepareLaunch } from '../launch/prepare.js';
import { reportError, writeStderr } from './report.js';
import { parseSptArgs } from './spt-args.js';
import { usage, version } from './usage.js';

export { processArguments } from './raw-argv.js';

const PROG = 'nabla-run';

/**
 * Runs nabla-run; returns an exit status only when it did not exec the tender. `argv` is lossless
 * text (bytes.ts: raw-argv.ts reads it so): paths and guest arguments go on as the bytes given.
 */
export function main(argv: readonly string[], prog = PROG): number {
  try {
    const command = parseSptArgs(argv, prog);
    if (command.kind === 'help') {
      writeSync(1, usage(prog));
      return 0;
    }
    if (command.kind === 'version') {
      writeSync(1, version(prog));
      return 0;
    }
    const request = normalizeRunOptions(command.options, 'nabla-run');
    const prepared = prepareLaunch(request);
    if (request.verbose) {
      // What was decided here; the tender then reports what it did, step by step.
      writeStderr(prepared.privileges.notes.map((note) => `${prog}: plan: ${note}\n`).join(''));
    }
    execTender(prepared);
  } catch (error) {
    return reportError(prog, error);
  }
}
