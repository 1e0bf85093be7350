// options.test.ts: the option-table parser (getopt's syntax, one error per problem) and the "did you mean" it uses.
import { describe, expect, it } from 'vitest';
import { type CommandSpec, parseArgs } from '../../src/cli/options.js';
import { closest, editDistance } from '../../src/cli/suggest.js';
import { NablaError } from '../../src/errors.js';

const SPEC: CommandSpec = {
  name: 'demo',
  summary: 'a command for the tests',
  usage: ['[OPTIONS] FILE...'],
  operands: { name: 'FILE', min: 1, max: 2 },
  options: [
    { name: 'output', short: 'o', kind: 'string', value: 'FILE', describe: 'out' },
    { name: 'mode', kind: 'string', value: 'a|b', choices: ['a', 'b'], describe: 'mode' },
    { name: 'flag', kind: 'list', value: 'F', short: 'F', describe: 'repeatable' },
    { name: 'count', kind: 'integer', value: 'N', describe: 'a count' },
    { name: 'observe', kind: 'flag', negatable: true, describe: 'on by default' },
    { name: 'json', kind: 'flag', describe: 'off by default' },
  ],
  examples: [],
};

describe('parseArgs', () => {
  it('takes --name=V, --name V, -oV, -o V, options between operands, and -- before operands', () => {
    const p = parseArgs(SPEC, [
      'x',
      '--output=o1',
      '--flag',
      '-O2',
      '-F-g',
      '--count',
      '3',
      '--no-observe',
      '--',
      '--json',
    ]);
    expect(p.string('output')).toBe('o1');
    expect(p.list('flag')).toEqual(['-O2', '-g']);
    expect(p.integer('count')).toBe(3);
    expect(p.flag('observe', true)).toBe(false);
    expect(p.flag('json', false)).toBe(false);
    expect(p.operands).toEqual(['x', '--json']);
    expect(parseArgs(SPEC, ['-o', 'o2', 'y']).string('output')).toBe('o2');
    expect(parseArgs(SPEC, ['-oo3', 'y']).string('output')).toBe('o3');
  });

  it('--help anywhere before -- wins, even over an error', () => {
    expect(parseArgs(SPEC, ['--bogus', '--help']).help).toBe(true);
    expect(() => parseArgs(SPEC, ['--bogus', '--', '--help'])).toThrow('Unknown option: --bogus');
  });

  it.each([
    [['--outptu', 'x'], 'Unknown option: --outptu (did you mean --output?)'],
    [['--no-obsrve', 'x'], 'Unknown option: --no-obsrve (did you mean --no-observe?)'],
    [['--no-json', 'x'], 'Unknown option: --no-json'],
    [['-x', 'x'], 'Unknown option: -x'],
    [['--\x1b[31m', 'x'], 'Unknown option: --\\x1b[31m'],
    [['x', '-o'], 'Missing FILE for -o'],
    [['x', '--output='], 'Missing FILE for --output'],
    [['x', '--output', '--json'], 'Missing FILE for --output'],
    [['x', '--mode', 'c'], 'Expected a or b for --mode but received "c"'],
    [['x', '--count', '1.5'], 'Expected a positive integer for --count but received "1.5"'],
    [['x', '--count', '0'], 'Expected a positive integer for --count but received "0"'],
    [['x', '--json=1'], '--json takes no value'],
    [['x', '-o', 'a', '--output', 'b'], '--output given twice'],
    [[], 'Missing FILE operand'],
    [['x', 'y', 'z'], 'Unexpected argument: z'],
  ])('%j: %s', (argv, message) => {
    let thrown: unknown;
    try {
      parseArgs(SPEC, argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NablaError);
    expect((thrown as NablaError).message).toBe(message);
    expect((thrown as NablaError).showUsage).toBe(true);
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
