// options.test.ts: a yargs parser set up as every `nabla` command's (parse.ts): what it accepts, its usage errors in nabla's words, and the "did you mean" they use.

import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { type OptionTable, positiveInteger } from '../../src/cli/options.js';
import { nablaParser } from '../../src/cli/parse.js';
import { closest, editDistance } from '../../src/cli/suggest.js';
import { NablaError } from '../../src/errors.js';

const OPTIONS = {
  output: { alias: 'o', type: 'string', requiresArg: true, value: 'FILE', describe: 'out' },
  mode: { choices: ['a', 'b'], requiresArg: true, value: 'a|b', describe: 'mode' },
  flag: {
    alias: 'F',
    type: 'string',
    array: true,
    requiresArg: true,
    value: 'F',
    describe: 'repeatable',
  },
  count: {
    type: 'string',
    requiresArg: true,
    value: 'N',
    coerce: positiveInteger('--count'),
    describe: 'a count',
  },
  'no-observe': { type: 'boolean', describe: 'a flag of its own, not a negation' },
  json: { type: 'boolean', describe: 'off by default' },
} as const satisfies OptionTable;

/** Parses `demo WORDS` as nabla.ts does a command; resolves to what the handler got, if it ran. */
async function parse(words: string[], handler = (_args: unknown) => {}) {
  let got: Record<string, unknown> | undefined;
  const parser = nablaParser(yargs(['demo', ...words]), {
    argv: words,
    options: OPTIONS,
    operands: 'FILE',
  }).command(
    'demo <file> [second]',
    'a command for the tests',
    (y) => y.options(OPTIONS),
    (args) => {
      got = args;
      handler(args);
    },
  );
  await parser.parseAsync();
  return got;
}

/** The error a parse rejects with, after checking that the handler never ran. */
async function refusal(words: string[]): Promise<NablaError> {
  let ran = false;
  const error = await parse(words, () => {
    ran = true;
  }).catch((e: unknown) => e);
  expect(ran, 'the handler ran').toBe(false);
  expect(error).toBeInstanceOf(NablaError);
  expect((error as NablaError).showUsage).toBe(true);
  return error as NablaError;
}

describe('a nabla yargs parser', () => {
  it('takes --name=V, --name V, -o V, repeats, options between operands, and =-VALUE', async () => {
    const args = await parse([
      'x',
      '--output=o1',
      '--flag=-O2',
      '-F',
      'g',
      '--count',
      '3',
      'y',
      '--no-observe',
    ]);
    expect(args).toMatchObject({
      file: 'x',
      second: 'y',
      output: 'o1',
      flag: ['-O2', 'g'],
      count: 3,
      'no-observe': true,
    });
    expect(args?.json).toBeUndefined();
    expect((await parse(['-o', 'o2', 'y']))?.output).toBe('o2');
    // One value per repeat: the word after it stays an operand.
    expect(await parse(['-F', 'a', 'y', 'z'])).toMatchObject({
      flag: ['a'],
      file: 'y',
      second: 'z',
    });
  });

  it.each([
    [['--outptu', 'x'], 'Unknown option: --outptu (did you mean --output?)'],
    [['--no-obsrve', 'x'], 'Unknown option: --no-obsrve (did you mean --no-observe?)'],
    // Nothing is negatable: --no-json is not --json's opposite.
    [['--no-json', 'x'], 'Unknown option: --no-json'],
    [['-x', 'x'], 'Unknown option: -x'],
    // yargs reads -json as -j -s -o -n and gives -n the word x; the user typed -json.
    [['-json', 'x'], 'Unknown option: -json (did you mean --json?)'],
    [['--\x1b[31m', 'x'], 'Unknown option: --\\x1b[31m'],
    [['x', '-o'], 'Missing FILE for -o'],
    [['x', '--output='], 'Missing FILE for --output'],
    [['x', '--output', '--json'], 'Missing FILE for --output'],
    [
      ['x', '--flag', '-O2'],
      'Missing F for --flag (a value starting with - goes after =: --flag=-O2)',
    ],
    [['x', '--mode', 'c'], 'Expected a or b for --mode but received "c"'],
    [['x', '--mode', 'bb'], 'Expected a or b for --mode but received "bb"'],
    [['x', '--count', '1.5'], 'Expected a positive integer for --count but received "1.5"'],
    [['x', '--count', '0'], 'Expected a positive integer for --count but received "0"'],
    [['x', '--count', 'abc'], 'Expected a positive integer for --count but received "abc"'],
    [['x', '--count', '1', '--count', '2'], '--count given twice'],
    [['x', '--json=1'], '--json takes no value'],
    [['x', '-o', 'a', '--output', 'b'], '--output given twice'],
    [['x', '-o', 'a', '-o', 'b'], '-o given twice'],
    [[], 'Missing FILE operand'],
    [['x', 'y', 'z'], 'Unexpected argument: z'],
    // yargs reads no operand after --, and says nothing of the words there: nabla refuses them.
    [['x', '--', '--json'], 'Unexpected argument after --: --json'],
    [
      ['--', '-x'],
      'Missing FILE operand (no operand is read after --; write ./-NAME for a file whose name starts with -)',
    ],
  ])('%j: %s, before the handler', async (words, message) => {
    expect((await refusal(words)).message).toBe(message);
  });

  it("passes a handler's own error through unchanged", async () => {
    const own = new NablaError('x: No such source file', { code: 'BUILD_INPUT' });
    const error = await parse(['x'], () => {
      throw own;
    }).catch((e: unknown) => e);
    expect(error).toBe(own);
  });
});

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('biuld', 'build')).toBe(1);
    expect(editDistance('quik', 'quick')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only what is a slip away', () => {
    expect(closest('biuld', ['run', 'build', 'bench'])).toBe('build');
    expect(closest('--jsn', ['--json', '--help'])).toBe('--json');
    expect(closest('frobnicate', ['run', 'build', 'inspect'])).toBeUndefined();
    expect(closest('xy', ['run'])).toBeUndefined();
  });
});
