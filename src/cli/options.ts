// options.ts: what the `nabla` commands add to yargs: value placeholders, checks yargs lacks, and each yargs failure as one line naming the option.
import type { Options } from 'yargs';
import { NablaError } from '../errors.js';
import { didYouMean } from './suggest.js';

/** One option as yargs takes it, plus the placeholder messages name: FILE in "Missing FILE for -o". */
export interface OptionSpec extends Options {
  value?: string;
}

/** A command's options by long name, as handed to yargs' `.options()`. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** What a failure message needs to know about the command line yargs was parsing. */
export interface UsageContext {
  /** The words after the command's name (after `nabla` for nabla itself). */
  argv: readonly string[];
  options: OptionTable;
  /** The operands' name in "Missing KERNEL operand". */
  operands?: string;
  /** nabla itself: a word that is not an option is an unknown command, not an extra argument. */
  topLevel?: boolean;
  /** nabla itself: its command names, for "did you mean" on a mistyped one. */
  commands?: readonly string[];
}

/** A usage error: the CLI prints it with a pointer to the command's --help, status 1. */
export function usageError(message: string): NablaError {
  return new NablaError(message, { code: 'USAGE', showUsage: true });
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

function orList(words: readonly string[]): string {
  return words.length < 2
    ? (words[0] ?? '')
    : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** A yargs `coerce` for a whole number >= 1: `--runs abc` is refused by name, never NaN. */
export function positiveInteger(flag: string, expect = 'a positive integer') {
  return (value: unknown): number => {
    // yargs hands a repeated option to coerce as a list.
    if (Array.isArray(value)) throw usageError(`${flag} given twice`);
    const text = String(value);
    const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1)
      throw usageError(`Expected ${expect} for ${flag} but received ${quoted(text)}`);
    return n;
  };
}

const dashed = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

function aliasesOf(option: OptionSpec): string[] {
  return option.alias === undefined ? [] : [option.alias].flat();
}

/** Every spelling of every option (--name, its aliases, --help), for suggestions and the checks below. */
export function spellings(options: OptionTable): string[] {
  return [
    ...Object.entries(options).flatMap(([name, o]) => [name, ...aliasesOf(o)].map(dashed)),
    '--help',
  ];
}

/** The option a word names (`--out=x` and `-o` alike), or undefined for an unknown one. */
function optionNamed(word: string, options: OptionTable): string | undefined {
  const given = word.split('=', 1)[0] as string;
  for (const [name, option] of Object.entries(options))
    if ([name, ...aliasesOf(option)].some((n) => dashed(n) === given)) return name;
  return given === '--help' ? 'help' : undefined;
}

/** The words before `--` that are options: not operands, nor negative numbers. */
function optionWords(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).filter((w) => /^-[^0-9]/.test(w));
}

/**
 * The first option word that names no option. yargs gives an unknown option the next word as
 * its value, so its own report may name a missing operand instead; and it splits `-json` into
 * -j -s -o -n. The word as typed is what the user can correct.
 */
function firstUnknownOption(argv: readonly string[], options: OptionTable): string | undefined {
  return optionWords(argv).find((word) => {
    if (word.startsWith('--')) return optionNamed(word, options) === undefined;
    // -I=dir is yargs' -I dir; -abc is -a -b -c (each must be an option of one letter).
    const letters = word.includes('=') ? [word[1] as string] : [...word.slice(1)];
    return letters.some((l) => optionNamed(`-${l}`, options) === undefined);
  });
}

/** How the user spelled option `name` last: `-o` or `--output`. */
function spelledAs(name: string, argv: readonly string[], options: OptionTable): string {
  const words = optionWords(argv).filter((w) => optionNamed(w, options) === name);
  return (words[words.length - 1]?.split('=', 1)[0] as string | undefined) ?? dashed(name);
}

/**
 * What yargs parses without complaint but nabla refuses: words after `--` (yargs leaves them
 * unread), a flag given a value (yargs reads `--json=yes` as false), an option given twice
 * (yargs makes it a list), an empty value (`--output=`). Run as a yargs check, after yargs'
 * own validation.
 */
export function checkValues(
  args: Record<string, unknown>,
  argv: readonly string[],
  options: OptionTable,
): true {
  // yargs neither maps words after -- to operands nor reports them: nabla refuses them.
  const end = argv.indexOf('--');
  if (end >= 0 && end + 1 < argv.length)
    throw usageError(`Unexpected argument after --: ${printable(argv[end + 1] as string)}`);
  for (const word of optionWords(argv)) {
    const name = optionNamed(word, options);
    if (name !== undefined && options[name]?.type === 'boolean' && word.includes('='))
      throw usageError(`${printable(word.split('=', 1)[0] as string)} takes no value`);
  }
  for (const [name, option] of Object.entries(options)) {
    const value = args[name];
    if (Array.isArray(value) && !option.array)
      throw usageError(`${spelledAs(name, argv, options)} given twice`);
    if (value === '' || (Array.isArray(value) && value.includes('')))
      throw usageError(`Missing ${option.value ?? 'value'} for ${spelledAs(name, argv, options)}`);
  }
  return true;
}

function unknownOption(word: string, context: UsageContext): NablaError {
  const name = word.split('=', 1)[0] as string;
  // A long option typed with one dash (-json) is still worth a suggestion.
  const asLong = name.startsWith('--') ? name : `-${name}`;
  const known = context.topLevel ? ['--help', '--version'] : spellings(context.options);
  return usageError(`Unknown option: ${printable(name)}${didYouMean(asLong, known)}`);
}

/** "Not enough arguments following: o": the value after -o is missing. */
function missingValue(key: string, context: UsageContext): NablaError {
  const name = optionNamed(dashed(key), context.options) ?? key;
  const given = dashed(key);
  const at = context.argv.lastIndexOf(given);
  const next = at < 0 ? undefined : context.argv[at + 1];
  // yargs never takes a word starting with - as a value after a space: say how to pass one.
  const hint =
    next !== undefined && /^-[^-]/.test(next)
      ? ` (a value starting with - goes after =: ${given}=${printable(next)})`
      : '';
  return usageError(`Missing ${context.options[name]?.value ?? 'value'} for ${given}${hint}`);
}

/** "Invalid values:\n  Argument: target, Given: "spx", Choices: "spt", "hosted"". */
function invalidChoice(message: string, context: UsageContext): NablaError | undefined {
  const m = /Argument: (\S+), Given: (.*), Choices: (.*)/.exec(message);
  if (m === null) return undefined;
  const [, name, given, choices] = m as unknown as [string, string, string, string];
  const value = String((JSON.parse(`[${given}]`) as unknown[])[0]);
  const allowed = (JSON.parse(`[${choices}]`) as unknown[]).map(String);
  return usageError(
    `Expected ${orList(allowed)} for ${spelledAs(name, context.argv, context.options)} ` +
      `but received ${quoted(value)}${didYouMean(value, allowed)}`,
  );
}

/**
 * The one-line usage error for a failure yargs reported (its .fail() message, and the
 * parser's own error when there is one), in nabla's words: which option or word, a "did you
 * mean", and nothing of yargs' key names. An error nabla raised itself (a coerce, a check)
 * is returned as it is.
 */
export function usageFailure(
  message: string | null,
  error: Error | undefined,
  parseError: Error | null | undefined,
  context: UsageContext,
): NablaError {
  if (error instanceof NablaError) return error;
  if (parseError instanceof NablaError) return parseError;
  // A parser error is about the words themselves, before yargs counted operands with them.
  const missing = /^Not enough arguments following: (.+)$/.exec(parseError?.message ?? '');
  if (missing) return missingValue(missing[1] as string, context);
  const text = message ?? error?.message ?? '';
  const unknown = firstUnknownOption(context.argv, context.options);
  if (/^(Unknown argument|Not enough non-option arguments|Did you mean)/.test(text) && unknown)
    return unknownOption(unknown, context);

  const first = context.argv.find((w) => !w.startsWith('-')) ?? '';
  // yargs' recommendCommands suggests any command within three edits ("ls" -> "run"); the
  // command names go through the same nearest-match rule as options instead.
  if (context.topLevel && /^(Did you mean|Unknown arguments?:)/.test(text))
    return usageError(
      `Unknown command: ${printable(first)}${didYouMean(first, context.commands ?? [])}`,
    );
  const extra = /^Unknown arguments?: (.*)$/.exec(text);
  if (extra) return usageError(`Unexpected argument: ${printable(extra[1]?.split(', ')[0] ?? '')}`);
  if (/^Not enough non-option arguments/.test(text)) {
    const after = context.argv.includes('--')
      ? ' (no operand is read after --; write ./-NAME for a file whose name starts with -)'
      : '';
    return usageError(`Missing ${context.operands ?? 'operand'} operand${after}`);
  }
  if (text.startsWith('Invalid values:')) {
    const choice = invalidChoice(text, context);
    if (choice) return choice;
  }
  // Anything else yargs says: its own words, on one line.
  return usageError(printable(text.split('\n').join(' ')));
}
