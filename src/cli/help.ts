// help.ts: the --help text of a `nabla` command, from the same table its parser reads.
import { type CommandSpec, HELP_OPTION, type OptionSpec } from './options.js';

const WIDTH = 100;

/** Words of `text` in lines of at most `width` characters, each after `indent` spaces. */
export function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l);
}

/** `-o, --output FILE`, `    --no-observe`: the left column of an option's help line. */
export function optionSyntax(option: OptionSpec): string {
  const short = option.short ? `-${option.short}, ` : '    ';
  const long = option.negatable ? `--no-${option.name}` : `--${option.name}`;
  return `${short}${long}${option.value ? ` ${option.value}` : ''}`;
}

/** Widest first column before the second moves under it: the text keeps half the width. */
const MAX_LEFT = 44;

/** Rows of two columns, the second wrapped and aligned after the first. */
export function table(rows: readonly (readonly [string, string])[], indent = 2): string[] {
  const widths = rows.map(([left]) => left.length).filter((w) => w <= MAX_LEFT);
  const column = Math.max(0, ...widths) + indent + 2;
  return rows.flatMap(([left, right]) => {
    const head = `${' '.repeat(indent)}${left}`;
    const text = wrap(right, column);
    // A first column too wide for the table gets its text on the lines below.
    if (head.length > column - 2) return [head, ...text];
    const [first = '', ...rest] = text;
    return [`${head.padEnd(column)}${first.trimStart()}`, ...rest];
  });
}

export function commandHelp(spec: CommandSpec): string {
  const prog = `nabla ${spec.name}`;
  const options = [...spec.options, HELP_OPTION];
  const lines = [
    ...spec.usage.map((u, i) => `${i === 0 ? 'usage:' : '      '} ${prog} ${u}`.trimEnd()),
    ...wrap(spec.summary, 0),
    '',
    'Options:',
    ...table(options.map((o) => [optionSyntax(o), o.describe])),
    '',
    'Examples:',
    ...table(spec.examples.map(([command, what]) => [`nabla ${command}`, what])),
  ];
  for (const note of spec.notes ?? []) lines.push('', ...wrap(note, 0));
  return `${lines.join('\n')}\n`;
}
