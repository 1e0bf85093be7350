// parse.ts: one yargs setup for every `nabla` parser: strict, and a usage error rejects the parse before any handler runs.
import type { Argv } from 'yargs';
import { checkValues, type UsageContext, usageFailure } from './options.js';

/**
 * Makes `parser` strict and its failures nabla's: each becomes a one-line usage error
 * (options.ts) that rejects parseAsync. A .fail() that only printed would let yargs go on to
 * the handler, so this one throws. `context` describes the words yargs is parsing.
 */
export function nablaParser<T>(parser: Argv<T>, context: UsageContext): Argv<T> {
  return (
    parser
      .exitProcess(false)
      .parserConfiguration({
        // --no-observe is an option of its own, listed as such in --help; nothing is negatable.
        'boolean-negation': false,
        // A repeatable option takes one value each time: `-I inc app` leaves app an operand.
        'greedy-arrays': false,
      })
      .strict()
      .help()
      .version(false)
      // The terminal's width up to 100 columns; 100 when the output is not a terminal.
      .wrap(Math.min(100, parser.terminalWidth() ?? 100))
      // What yargs accepts but nabla refuses (--json=yes, -o given twice), for every command.
      .check((args) => checkValues(args, context.argv, context.options), true)
      .fail((message, error) => {
        // A handler's error, or one a check or coerce raised: already in nabla's words.
        if (error && error.name !== 'YError') throw error;
        const parsed = parser.parsed;
        throw usageFailure(message, error, parsed ? parsed.error : undefined, context);
      })
  );
}
