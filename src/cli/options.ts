// options.ts: one table per `nabla` command drives its parsing, its usage errors and its --help.
import { NablaError } from '../errors.js';
import { didYouMean } from './suggest.js';

/**
 * flag: present or not (`--no-NAME` too when `negatable`); string: one value; list: a value
 * each time it is given; integer: one value, a whole number >= `min`.
 */
export type OptionKind = 'flag' | 'string' | 'list' | 'integer';

export interface OptionSpec {
  /** The long name, without dashes: `output` for `--output`. */
  name: string;
  /** A one-letter alias, without the dash: `o` for `-o`. */
  short?: string;
  kind: OptionKind;
  /** The value's placeholder in help and messages: `DIR`, `spt|hosted`. */
  value?: string;
  /** The only values a string option takes. */
  choices?: readonly string[];
  /** Smallest value of an integer option (default 1). */
  min?: number;
  /** What an integer must be, for its error message (default "a positive integer"). */
  expect?: string;
  /** A flag that is on by default: `--no-NAME` turns it off. */
  negatable?: boolean;
  describe: string;
}

export interface CommandSpec {
  /** `build`: the command is `nabla build`. */
  name: string;
  /** One line for `nabla --help`. */
  summary: string;
  /** Usage lines, each after the program name: `[OPTIONS] DIR`. */
  usage: readonly string[];
  /** The operands: their name in messages, and how many the command takes. */
  operands: { name: string; min: number; max: number };
  options: readonly OptionSpec[];
  examples: readonly (readonly [command: string, what: string])[];
  /** Paragraphs after the options and examples. */
  notes?: readonly string[];
}

export type OptionValue = boolean | string | number | string[];

/** What a command line said: the options given (by long name) and the operands, in order. */
export class ParsedArgs {
  constructor(
    readonly values: ReadonlyMap<string, OptionValue>,
    readonly operands: readonly string[],
    readonly help: boolean,
  ) {}

  flag(name: string, fallback: boolean): boolean {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : fallback;
  }

  string(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  integer(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  list(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }
}

/** The option that `--help` is in every command's table. */
export const HELP_OPTION: OptionSpec = { name: 'help', kind: 'flag', describe: 'show this help' };

/** A usage error: the CLI prints it with a pointer to the command's --help, status 1. */
export function usageError(message: string): NablaError {
  return new NablaError(message, { showUsage: true });
}

/** Control characters (an ESC, a newline) shown as escapes, so a message stays one line. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** `"abc"`, escaped: how a received value is quoted in "Expected ... but received ...". */
export function quoted(text: string): string {
  return `"${printable(text).replace(/"/g, '\\"')}"`;
}

/** Every spelling of every option, for suggestions: --name, --no-name for negatable flags. */
export function optionSpellings(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => [`--${o.name}`, ...(o.negatable ? [`--no-${o.name}`] : [])]);
}

function orList(words: readonly string[]): string {
  return words.length < 2
    ? (words[0] ?? '')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** Checks one option's value and converts it; `given` is how the user spelled the option. */
function convert(option: OptionSpec, given: string, value: string): string | number {
  if (option.choices && !option.choices.includes(value)) {
    throw usageError(
      `Expected ${orList(option.choices)} for ${given} but received ${quoted(value)}` +
        didYouMean(value, option.choices),
    );
  }
  if (option.kind !== 'integer') return value;
  const min = option.min ?? 1;
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw usageError(
      `Expected ${option.expect ?? 'a positive integer'} for ${given} but received ${quoted(value)}`,
    );
  }
  return n;
}

function unknownOption(token: string, options: readonly OptionSpec[]): NablaError {
  const name = token.split('=', 1)[0] as string;
  // A long option typed with one dash (-json) is still worth a suggestion.
  const asLong = name.startsWith('--') ? name : `-${name}`;
  return usageError(
    `Unknown option: ${printable(name)}${didYouMean(asLong, optionSpellings(options))}`,
  );
}

/**
 * Parses `argv` as getopt does, with GNU long options: `--name=VALUE` or `--name VALUE`,
 * `-o VALUE` or `-oVALUE`, options and operands in any order, and `--` ending the options.
 * A value may start with one dash (`--cflags -O2`) but not with two: `--out --quick` is a
 * forgotten value, not a directory named --quick. Throws a usage error at the first problem.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = [...spec.options, HELP_OPTION];
  const values = new Map<string, OptionValue>();
  const operands: string[] = [];
  // --help wins over everything else before `--`: asking for help is never an error.
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).includes('--help'))
    return new ParsedArgs(values, [], true);

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-' || !token.startsWith('-')) {
      operands.push(token);
      continue;
    }
    let option: OptionSpec | undefined;
    let given: string;
    let inline: string | undefined;
    let negated = false;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      given = eq < 0 ? token : token.slice(0, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
      const name = given.slice(2);
      option = options.find((o) => o.name === name);
      if (option === undefined && name.startsWith('no-')) {
        option = options.find((o) => o.negatable && o.name === name.slice(3));
        negated = option !== undefined;
      }
    } else {
      given = token.slice(0, 2);
      option = options.find((o) => o.short === token[1]);
      inline = token.length > 2 ? token.slice(2) : undefined;
    }
    if (option === undefined) throw unknownOption(token, options);

    if (option.kind === 'flag') {
      if (inline !== undefined) throw usageError(`${printable(given)} takes no value`);
      values.set(option.name, !negated);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        i++;
      }
    }
    if (value === undefined || value === '')
      throw usageError(`Missing ${option.value ?? 'value'} for ${given}`);
    const converted = convert(option, given, value);
    if (option.kind === 'list') {
      values.set(option.name, [...((values.get(option.name) as string[]) ?? []), value]);
    } else {
      if (values.has(option.name)) throw usageError(`${given} given twice`);
      values.set(option.name, converted);
    }
  }

  const { name, min, max } = spec.operands;
  if (operands.length < min) throw usageError(`Missing ${name} operand`);
  if (operands.length > max)
    throw usageError(`Unexpected argument: ${printable(operands[max] as string)}`);
  return new ParsedArgs(values, operands, false);
}
