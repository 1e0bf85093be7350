// run.ts: `nabla run` — the same syntax and behaviour as nabla-run (solo5-spt's).
import type { ErrorCode } from '../../error-codes.js';
import { NablaError } from '../../errors.js';
import { printable, usageError } from '../options.js';
import { didYouMean } from '../suggest.js';

export const command = 'run';
export const describe =
  'Run a unikernel: `nabla run [nabla-run OPTIONS] KERNEL [ARGS]`, exactly as nabla-run (see `nabla run --help`)';

/** `--block:storage=disk.img` -> `--block`: what names an option, before its argument. */
export function optionName(token: string): string {
  return /^-*[^=:]*/.exec(token)?.[0] ?? token;
}

/**
 * A mistyped nabla-run option before KERNEL, when one of nabla-run's is a keystroke or two
 * away: nabla-run's own "Invalid option" message, with the suggestion. Anything else is left
 * to nabla-run's parser, which has the last word on its syntax.
 */
async function misspeltOption(argv: readonly string[]): Promise<Error | undefined> {
  // Loaded here, not at `nabla`'s start: the description brings the device kinds with it.
  const known = (await import('../../run-syntax.js')).nablaRunOptionNames();
  for (const token of argv) {
    if (token === '--' || !token.startsWith('-')) return undefined; // KERNEL: the guest's now
    const name = optionName(token);
    if (known.includes(name)) continue;
    const hint = didYouMean(name, known);
    return hint === '' ? undefined : usageError(`Invalid option: \`${printable(token)}'${hint}`);
  }
  return undefined;
}

/**
 * Runs nabla-run's command-line parser alone: whatever it refuses (`--mem=abc` too, where
 * nabla-run, like solo5-spt, prints no usage) is a usage error of the `nabla` command, which
 * points at its --help. Returns what the parser made of the words.
 */
export async function parseSptUsage(argv: readonly string[], prog: string) {
  const { parseSptArgs } = await import('../spt-args.js');
  try {
    return parseSptArgs(argv, prog);
  } catch (error) {
    // The same failure, with its code (OPTION_INVALID for --mem=abc), shown as a usage error.
    // The parser calls nothing native, so the code is one of nabla's, never an errno name.
    if (error instanceof NablaError && !error.showUsage)
      throw new NablaError(error.lines, {
        code: error.code as ErrorCode,
        exitCode: error.exitCode,
        showUsage: true,
      });
    throw error;
  }
}

/** `run` takes solo5-spt's syntax verbatim: nabla-run's parser reads it, not ours. */
export async function runRaw(argv: readonly string[]): Promise<number> {
  const misspelt = await misspeltOption(argv);
  if (misspelt) throw misspelt;
  await parseSptUsage(argv, 'nabla run'); // the command line's errors first; main() parses it again
  const { main } = await import('../nabla-run.js');
  return main(argv, 'nabla run');
}
